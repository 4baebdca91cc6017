import Foundation
import GuardRules
import KubeModel
import OdooPlan
import Testing

/// The database lifecycle as a case of the decision: a new database is initialised by a Job before
/// any web or cron pod runs, an initialised one never again; a changed addon set is upgraded before
/// the switch; a pod that cannot load its server-wide modules degrades the environment.
@Suite("Database lifecycle")
struct DatabaseLifecycleTests {
    static let decision = DecisionTests.decision
    static let now = DecisionTests.now
    static let initName = ChildNames(environment: "demo").initialization(image: DecisionTests.pinned, modules: ["base"])

    /// The status of `observation`'s environment after it was initialised by `job`.
    static func initialized(_ job: String = initName) -> JSONValue {
        Fixtures.environment { $0.set(["databaseInitialized": ["job": .string(job), "time": "2027-01-15T07:00:00Z"]], at: "status") }
    }

    static func deployment(_ reconciliation: Reconciliation, _ component: String) -> JSONValue? {
        reconciliation.apply.first { $0.reference == ChildReference(.deployments, namespace: "demo", name: "demo-\(component)") }?.object
    }

    static func condition(_ settlement: Reconciliation.Settlement, _ type: String) -> Condition? {
        settlement.status.conditions.first { $0.type == type }
    }

    struct Case: Sendable, CustomStringConvertible {
        let description: String
        let observation: EnvironmentObservation
        /// Web and cron replicas as planned.
        let replicas: (web: Int64, cron: Int64)
        let startsInitJob: Bool
        let databaseReason: String
        let degraded: String?
        let events: [String]
        let recorded: Bool
    }

    static let cases: [Case] = [
        Case(description: "a new environment: the init Job starts, web and cron wait at zero",
             observation: DecisionTests.observation { $0.existingSecrets = ["demo-admin", "demo-db"] },
             replicas: (0, 0), startsInitJob: true, databaseReason: EnvironmentCondition.initializing, degraded: nil, events: [], recorded: false),
        Case(description: "while the init Job runs nothing else starts",
             observation: DecisionTests.observation {
                 $0.existingSecrets = ["demo-admin", "demo-db"]
                 $0.initJobs = [initName: .init(phase: .running)]
             },
             replicas: (0, 0), startsInitJob: false, databaseReason: EnvironmentCondition.initializing, degraded: nil, events: [], recorded: false),
        Case(description: "the init Job succeeded: recorded, announced, web and cron scale up",
             observation: DecisionTests.observation {
                 $0.existingSecrets = ["demo-admin", "demo-db"]
                 $0.initJobs = [initName: .init(phase: .succeeded, completionTime: now)]
             },
             replicas: (1, 1), startsInitJob: false, databaseReason: EnvironmentCondition.initialized, degraded: nil,
             events: [EnvironmentCondition.initialized], recorded: true),
        Case(description: "the init Job failed: InitFailed with its log, Degraded, still no pods",
             observation: DecisionTests.observation {
                 $0.existingSecrets = ["demo-admin", "demo-db"]
                 $0.initJobs = [initName: .init(phase: .failed, message: "psycopg2.errors.InsufficientPrivilege: permission denied for schema public")]
             },
             replicas: (0, 0), startsInitJob: false, databaseReason: EnvironmentCondition.initFailed, degraded: EnvironmentCondition.initFailed,
             events: [], recorded: false),
        Case(description: "an initialised database is never initialised again, even without its Job",
             observation: DecisionTests.observation(initialized()) { $0.existingSecrets = ["demo-admin", "demo-db"] },
             replicas: (1, 1), startsInitJob: false, databaseReason: EnvironmentCondition.initialized, degraded: nil, events: [], recorded: true),
        Case(description: "pods an older operator started keep running while the init Job checks the database",
             observation: DecisionTests.observation {
                 $0.existingSecrets = ["demo-admin", "demo-db"]
                 $0.workloads.web = DeploymentView(["spec": ["replicas": 1]])
             },
             replicas: (1, 1), startsInitJob: true, databaseReason: EnvironmentCondition.initializing, degraded: nil, events: [], recorded: false),
        Case(description: "a web pod whose server-wide module is missing degrades the environment, naming it",
             observation: DecisionTests.observation(initialized()) {
                 $0.existingSecrets = ["demo-admin", "demo-db"]
                 $0.podFailures = PodFailure.of(pod: ["metadata": ["name": "demo-web-7d9-abc"], "status": ["initContainerStatuses": [[
                     "name": "config", "state": ["waiting": ["reason": "CrashLoopBackOff"]],
                     "lastState": ["terminated": ["exitCode": 3, "message": "server_wide_modules names session_redis, which neither the image nor an addon image provides"]],
                 ]]]])
             },
             replicas: (1, 1), startsInitJob: false, databaseReason: EnvironmentCondition.initialized, degraded: EnvironmentCondition.serverWideModuleMissing,
             events: [], recorded: true),
    ]

    @Test("decisions", arguments: cases)
    func decide(_ case_: Case) throws {
        let reconciliation = Self.decision.decide(case_.observation)
        #expect(reconciliation.problem == nil)
        #expect(Self.deployment(reconciliation, "web")?["spec"]?["replicas"]?.intValue == case_.replicas.web)
        #expect(Self.deployment(reconciliation, "cron")?["spec"]?["replicas"]?.intValue == case_.replicas.cron)
        #expect((reconciliation.initJob != nil) == case_.startsInitJob)
        #expect(reconciliation.events.map(\.reason) == case_.events)
        let settlement = reconciliation.settle(Reconciliation.Outcome(initJobStarted: case_.startsInitJob))
        #expect(Self.condition(settlement, EnvironmentCondition.databaseReady)?.reason == case_.databaseReason)
        let degraded = Self.condition(settlement, EnvironmentCondition.degraded)
        #expect(degraded?.status == (case_.degraded == nil ? .false : .true))
        if let reason = case_.degraded {
            #expect(degraded?.reason == reason)
            #expect(settlement.events.contains { $0.warning && $0.reason == reason }, "a new degradation is announced")
            #expect(Self.condition(settlement, EnvironmentCondition.ready)?.status == .false)
        }
        #expect((settlement.status.json["databaseInitialized"]?["job"] != nil) == case_.recorded)
        if case_.startsInitJob { #expect(settlement.events.map(\.reason).contains("InitStarted")) }
        // Pods are stamped with the Job that made their database, so pods older than it are replaced.
        let stamp = Self.deployment(reconciliation, "web")?["spec"]?["template"]?["metadata"]?["annotations"]?[GuardLabels.databaseInit]
        #expect((stamp != nil) == case_.recorded)
    }

    @Test func aFailureIsAnnouncedOnceAndTheMessageSaysHowToRetry() {
        let failed = DecisionTests.observation {
            $0.existingSecrets = ["demo-admin", "demo-db"]
            $0.initJobs = [Self.initName: .init(phase: .failed, message: "KeyError: 'ir.http'")]
        }
        let first = Self.decision.decide(failed).settle(Reconciliation.Outcome())
        let message = Self.condition(first, EnvironmentCondition.databaseReady)?.message ?? ""
        #expect(message.contains("KeyError: 'ir.http'") && message.contains("delete Job \(Self.initName)"), "\(message)")
        var again = failed
        again.record(first.status.json)
        #expect(first.events.contains { $0.reason == EnvironmentCondition.initFailed })
        #expect(!Self.decision.decide(again).settle(Reconciliation.Outcome()).events.contains { $0.reason == EnvironmentCondition.initFailed },
                "InitFailed is announced once")
        #expect(first.requeue == nil, "a failed Job waits for a change (a deleted Job, a new image or module list)")
    }

    @Test func aContainerThatRunsAgainIsNotAFailure() {
        let crashedOnce: JSONValue = ["metadata": ["name": "p"], "status": ["containerStatuses": [[
            "name": "odoo", "state": ["running": ["startedAt": "2027-01-15T07:00:00Z"]], "lastState": ["terminated": ["exitCode": 137, "reason": "OOMKilled"]],
        ]]]]
        #expect(PodFailure.of(pod: crashedOnce).isEmpty)
        let crashing: JSONValue = ["metadata": ["name": "p"], "status": ["containerStatuses": [[
            "name": "odoo", "state": ["waiting": ["reason": "CrashLoopBackOff"]], "lastState": ["terminated": ["exitCode": 1, "message": "Traceback: ImportError"]],
        ]]]]
        #expect(PodFailure.of(pod: crashing).map(\.description) == ["pod p: container odoo exited 1: Traceback: ImportError"])
        #expect(PodFailure.of(pod: crashing).first?.reason == EnvironmentCondition.podsFailing)
    }

    @Test func theInitJobWaitsForAUsableDatabase() throws {
        let fresh = Self.decision.decide(DecisionTests.observation())
        #expect(fresh.initJob != nil)
        #expect(!fresh.databaseUsable(nil, createdSecrets: []), "no credentials Secret yet")
        #expect(fresh.databaseUsable(nil, createdSecrets: ["demo-db"]))
        #expect(!fresh.databaseUsable(DatabaseCheck(ready: false, reason: "DatabaseUnreachable", message: "refused"), createdSecrets: ["demo-db"]))
        let job = try #require(fresh.initJob?.object)
        let container = try #require(job["spec"]?["template"]?["spec"]?["containers"]?[0])
        let script = container["command"]?[2]?.stringValue ?? ""
        #expect(script.contains("--init=base --without-demo=all --stop-after-init"))
        #expect(script.contains("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        #expect(script.contains("already initialised"), "the Job itself refuses to initialise twice")
        #expect(job["spec"]?["template"]?["spec"]?["restartPolicy"] == "Never")
        #expect(container["terminationMessagePolicy"] == "FallbackToLogsOnError")
    }

    @Test func initModulesNameTheJobAndItsArguments() throws {
        let document = Fixtures.environment { $0.set(["base", "sale", "stock"], at: "spec.database.initModules") }
        let reconciliation = Self.decision.decide(DecisionTests.observation(document))
        let job = try #require(reconciliation.initJob)
        #expect(job.name == ChildNames(environment: "demo").initialization(image: DecisionTests.pinned, modules: ["base", "sale", "stock"]))
        #expect(job.name != Self.initName, "another module list is another Job")
        #expect(job.object["spec"]?["template"]?["spec"]?["containers"]?[0]?["command"]?[2]?.stringValue?.contains("--init=base,sale,stock") == true)
    }

    static let addonA = "registry.example.com/odoo/addons:1@sha256:" + String(repeating: "1a", count: 32)
    static let addonB = "registry.example.com/odoo/addons:2@sha256:" + String(repeating: "2b", count: 32)

    @Test func aChangedAddonSetIsUpgradedBeforeTheSwitch() throws {
        let document = Fixtures.environment {
            $0.set([["image": .string(Self.addonB)]], at: "spec.addons")
            $0.set(["databaseInitialized": ["job": .string(Self.initName), "time": "2027-01-15T07:00:00Z"]], at: "status")
        }
        // What runs: the same image with addon A.
        let running: JSONValue = ["spec": ["replicas": 1, "template": [
            "metadata": ["annotations": [GuardLabels.odooVersion: "17.0", GuardLabels.addons: .string(Self.addonA + "|/mnt/extra-addons")]],
            "spec": ["containers": [["name": "odoo", "image": .string(DecisionTests.pinned)]]],
        ]]]
        let reconciliation = Self.decision.decide(DecisionTests.observation(document) {
            $0.workloads.web = DeploymentView(running)
            $0.existingSecrets = ["demo-admin", "demo-db"]
        })
        let job = try #require(reconciliation.job)
        #expect(job.kind == .upgrade)
        let spec = try #require(job.object["spec"]?["template"]?["spec"])
        #expect(spec["initContainers"]?[0]?["image"]?.stringValue == Self.addonB, "the upgrade runs with the new addons")
        let script = spec["containers"]?[0]?["command"]?[2]?.stringValue ?? ""
        #expect(script.contains("--update=\"$modules\"") && script.contains("__manifest__.py") && !script.contains("modules=all"))
        // Until the upgrade succeeded, the Deployment keeps the addons that run.
        let web = try #require(Self.deployment(reconciliation, "web"))
        #expect(web["spec"]?["template"]?["spec"]?["initContainers"]?[0]?["image"]?.stringValue == Self.addonA)
        #expect(reconciliation.settle(Reconciliation.Outcome(jobStarted: true)).status.conditions.first { $0.type == EnvironmentCondition.progressing }?.reason == "UpgradingDatabase")
        // Once it succeeded, the new addons roll out.
        let done = Self.decision.decide(DecisionTests.observation(document) {
            $0.workloads.web = DeploymentView(running)
            $0.existingSecrets = ["demo-admin", "demo-db"]
            $0.gateJobs = [job.name: .init(phase: .succeeded, completionTime: Self.now)]
        })
        let switched = try #require(Self.deployment(done, "web"))
        #expect(switched["spec"]?["template"]?["spec"]?["initContainers"]?[0]?["image"]?.stringValue == Self.addonB)
        #expect(switched["spec"]?["template"]?["metadata"]?["annotations"]?[GuardLabels.addons]?.stringValue == Self.addonB + "|/mnt/extra-addons")
    }

    @Test func addonImagesAreCopiedOntoTheAddonsPathAndCheckedByThePolicy() throws {
        let document = Fixtures.environment {
            $0.set([["image": .string(Self.addonA), "path": "/opt/modules"]], at: "spec.addons")
            $0.set(["databaseInitialized": ["job": .string(Self.initName), "time": "2027-01-15T07:00:00Z"]], at: "status")
        }
        let reconciliation = Self.decision.decide(DecisionTests.observation(document))
        let pod = try #require(Self.deployment(reconciliation, "web")?["spec"]?["template"]?["spec"])
        let copy = try #require(pod["initContainers"]?[0])
        #expect(copy["command"]?[2] == "mkdir -p /mnt/odoo-guard-addons/0 && cp -R /opt/modules/. /mnt/odoo-guard-addons/0/")
        #expect(pod["initContainers"]?[1]?["name"] == "config", "the module check runs after the copies")
        #expect(pod["containers"]?[0]?["volumeMounts"]?.arrayValue?.contains(["mountPath": "/mnt/odoo-guard-addons", "name": "addons", "readOnly": true]) == true)
        let conf = reconciliation.apply.first { $0.reference.resource == .configMaps && $0.reference.name == "demo-config" }?.object["data"]?["odoo.conf"]?.stringValue ?? ""
        #expect(conf.contains("addons_path = /mnt/odoo-guard-addons/0"))
        // A foreign addon image is denied like a foreign Odoo image.
        let foreign = Fixtures.environment {
            $0.set([["image": .string("quay.io/someone/addons:1@sha256:" + String(repeating: "ef", count: 32))]], at: "spec.addons")
            $0.set("production", at: "spec.stage")
        }
        let denied = Self.decision.decide(DecisionTests.observation(foreign) { $0.policy = try? GuardPolicy.builtIn() })
        #expect(denied.problem?.reason == "PolicyDenied")
        #expect(denied.problem?.message.contains("initContainers[0].image") == true, "\(denied.problem?.message ?? "")")
    }
}
