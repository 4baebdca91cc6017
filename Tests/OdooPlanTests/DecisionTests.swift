import Foundation
import GuardRules
import KubeModel
import OdooPlan
import Testing

/// The reconcile decision as values: an observation in, a reconciliation (writes, status, Events,
/// requeue) out. No API, no clock, no registry.
@Suite("Environment decision")
struct DecisionTests {
    static let decision = EnvironmentDecision(configuration: Fixtures.configuration)
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let pinned = "registry.example.com/odoo/odoo:17.0@sha256:" + String(repeating: "ab", count: 32)
    static let foreign = "quay.io/someone/odoo:17.0@sha256:" + String(repeating: "cd", count: 32)

    /// An observation of `document` with its spec decoded and its image pinned by the spec.
    static func observation(_ document: JSONValue = Fixtures.environment(), _ change: (inout EnvironmentObservation) -> Void = { _ in }) -> EnvironmentObservation {
        let decoded: Result<OdooEnvironment, OdooPlanError>
        do { decoded = .success(try OdooEnvironment.decode(document)) } catch { decoded = .failure(error) }
        var observation = EnvironmentObservation(object: KubeObject(document), environment: decoded, now: now)
        if case .success(let environment) = decoded {
            observation.imageSource = environment.image
            observation.pin = .known(pinned)
        }
        change(&observation)
        return observation
    }

    /// The live copies a cluster would hold after applying every object of `reconciliation`.
    static func live(after reconciliation: Reconciliation) -> [ChildReference: JSONValue] {
        Dictionary(uniqueKeysWithValues: reconciliation.apply.map { ($0.reference, $0.object) })
    }

    struct Case: Sendable, CustomStringConvertible {
        let description: String
        let observation: EnvironmentObservation
        let problem: String?
        let writes: Bool
        let events: [String]
        let requeue: Duration?
    }

    static let cases: [Case] = [
        Case(description: "an invalid spec is reported and nothing is written",
             observation: observation(Fixtures.environment { $0.set(.int(-1), at: "spec.replicas") }),
             problem: "InvalidSpec", writes: false, events: [], requeue: nil),
        Case(description: "an image the registry cannot resolve is retried in a minute",
             observation: observation { $0.pin = .failed("image x could not be resolved: timeout") },
             problem: "ImageResolutionFailed", writes: false, events: [], requeue: .seconds(60)),
        Case(description: "a fresh environment creates its Secrets and applies every object, and looks at its init Job in 30 s",
             observation: observation(), problem: nil, writes: true, events: [], requeue: .seconds(30)),
        Case(description: "a tag resolved now is announced",
             observation: observation { $0.pin = .resolved(pinned) }, problem: nil, writes: true, events: ["ImagePinned"], requeue: .seconds(30)),
        Case(description: "an addon tag resolved now is announced too",
             observation: observation(Fixtures.environment { $0.set([["image": "registry.example.com/odoo/addons:1"]], at: "spec.addons") }) {
                 $0.addonPins = ["registry.example.com/odoo/addons:1": "registry.example.com/odoo/addons:1@sha256:" + String(repeating: "ee", count: 32)]
                 $0.addonsResolvedNow = ["registry.example.com/odoo/addons:1"]
             },
             problem: nil, writes: true, events: ["ImagePinned"], requeue: .seconds(30)),
        Case(description: "an addon image the registry cannot resolve is named with its field",
             observation: observation { $0.addonPinFailure = "spec.addons[0].image registry.example.com/odoo/addons:1: not found" },
             problem: "ImageResolutionFailed", writes: false, events: [], requeue: .seconds(60)),
        Case(description: "a plan the policy denies is reported with the rule and nothing is written",
             observation: observation(Fixtures.environment {
                 $0.set(.string(foreign), at: "spec.image")
                 $0.set("production", at: "spec.stage")
             }) {
                 $0.pin = .known(foreign)
                 $0.policy = try? GuardPolicy.builtIn()
             },
             problem: "PolicyDenied", writes: false, events: [], requeue: nil),
    ]

    @Test("decisions", arguments: cases)
    func decide(_ case_: Case) {
        let reconciliation = Self.decision.decide(case_.observation)
        #expect(reconciliation.problem?.reason == case_.problem)
        if case_.problem == "PolicyDenied" { #expect(reconciliation.problem?.message.contains("image.registry-allowed") == true) }
        #expect(reconciliation.writes == case_.writes)
        #expect(reconciliation.events.map(\.reason) == case_.events)
        let settlement = reconciliation.settle(Reconciliation.Outcome())
        #expect(settlement.requeue == case_.requeue)
        #expect(settlement.statusPatch != nil, "a first reconcile always writes a status")
        let degraded = settlement.status.conditions.first { $0.type == EnvironmentCondition.degraded }
        #expect((degraded?.status == .true) == (case_.problem != nil))
        if let problem = case_.problem {
            #expect(settlement.events.map(\.reason) == [problem], "a new degradation is announced once")
        }
    }

    @Test func anAppliedPlanIsANoOpTheSecondTime() throws {
        let first = Self.decision.decide(Self.observation())
        #expect(first.secrets.map(\.name).sorted() == ["demo-admin", "demo-db"])
        #expect(first.apply.count > 10)
        let initJob = try #require(first.initJob)
        let second = Self.decision.decide(Self.observation { observation in
            observation.live = Self.live(after: first)
            observation.existingSecrets = Set(first.secrets.map(\.name))
            observation.initJobs = [initJob.name: .init(phase: .running)]
        })
        #expect(!second.writes, "nothing differs: no Secret, apply, prune or Job")
        // Drift in one field brings back exactly that object.
        var live = Self.live(after: first)
        let reference = try #require(first.apply.first { $0.reference.resource == .deployments }?.reference)
        live[reference]?.set(.int(7), at: "spec.replicas")
        let third = Self.decision.decide(Self.observation {
            $0.live = live
            $0.existingSecrets = Set(first.secrets.map(\.name))
            $0.initJobs = [initJob.name: .init(phase: .running)]
        })
        #expect(third.apply.map(\.reference) == [reference])
    }

    @Test func whatThePlanNoLongerHasIsPrunedButDataAndRecordsAreKept() {
        let owned = [
            OwnedChild(ChildReference(.podDisruptionBudgets, namespace: "demo", name: "demo-web"), uid: "u1"),
            OwnedChild(ChildReference(.secrets, namespace: "demo", name: "demo-old"), uid: "u2"),
            OwnedChild(ChildReference(.persistentVolumeClaims, namespace: "demo", name: "demo-old-filestore"), uid: "u3"),
            OwnedChild(ChildReference(.jobs, namespace: "demo", name: "demo-backup-1"), uid: "u4"),
            OwnedChild(ChildReference(.services, namespace: "demo", name: "demo-web"), uid: "u5"),
        ]
        let reconciliation = Self.decision.decide(Self.observation { $0.owned = owned })
        #expect(reconciliation.prune == [owned[0]], "one replica has no PDB; the Service is still planned; Secrets, volumes and Jobs stay")
    }

    @Test func aSharedServerIsCheckedByTheProvisionerWhenThereIsOne() {
        #expect(Self.decision.decide(Self.observation()).database == .none, "without a provisioner the credentials Secret decides")
        guard case .provision(let environment, let limit) = Self.decision.decide(Self.observation { $0.provisioning = true }).database else {
            Issue.record("a shared-tier database is provisioned when a provisioner is configured")
            return
        }
        #expect(environment.name == "demo")
        #expect(limit != nil && (limit ?? 0) <= 40, "the role's CONNECTION LIMIT is the environment's worst case, within the tier's cap")
    }

    @Test func aDedicatedServerIsReadyWhenItsStatefulSetIs() throws {
        let dedicated = Fixtures.environment { $0.set("dedicated", at: "spec.tier") }
        let starting = Self.decision.decide(Self.observation(dedicated))
        guard case .known(let check) = starting.database else { Issue.record("a dedicated server is checked from its StatefulSet"); return }
        #expect(!check.ready && check.reason == "DedicatedServerStarting")
        let ready = Self.decision.decide(Self.observation(dedicated) { $0.workloads.postgres = DeploymentView(["status": ["readyReplicas": 1]]) })
        #expect(ready.database == .known(DatabaseCheck(ready: true, reason: "DedicatedServerReady",
                                                       message: "PostgreSQL StatefulSet demo-postgres is ready; database demo")))
        // An unready database is looked at again with a backoff that starts at 10 s.
        #expect(starting.settle(Reconciliation.Outcome(database: check)).requeue == .seconds(10))
    }

    @Test func theCredentialsSecretCreatedNowCountsAsPresent() {
        let reconciliation = Self.decision.decide(Self.observation())
        let database = { (settlement: Reconciliation.Settlement) in
            settlement.status.conditions.first { $0.type == EnvironmentCondition.databaseReady }
        }
        #expect(database(reconciliation.settle(Reconciliation.Outcome()))?.reason == EnvironmentCondition.credentialsMissing)
        #expect(database(reconciliation.settle(Reconciliation.Outcome(createdSecrets: ["demo-db"])))?.reason == EnvironmentCondition.initializing,
                "one status write, not a second one when the Secret's watch event arrives: past the credentials, on to the init Job")
    }

    @Test func aRefusedWriteIsReportedAndRetriedInFiveMinutes() {
        let reconciliation = Self.decision.decide(Self.observation())
        let applied = [reconciliation.apply[0].reference]
        let settlement = reconciliation.settle(Reconciliation.Outcome(applied: applied, rejected: "admission webhook denied the request"))
        #expect(settlement.requeue == .seconds(300))
        #expect(settlement.status.conditions.first { $0.type == EnvironmentCondition.degraded }?.reason == "ApplyRejected")
        #expect(settlement.events.map(\.reason) == ["Applied", "ApplyRejected"], "what was applied before the refusal is still told")
    }

    @Test func anUnchangedStatusIsNotWrittenAndARemovedFieldIsNulled() throws {
        let first = Self.decision.decide(Self.observation()).settle(Reconciliation.Outcome())
        var document = Fixtures.environment()
        document.set(first.status.json, at: "status")
        let again = Self.decision.decide(Self.observation(document)).settle(Reconciliation.Outcome())
        #expect(again.statusPatch == nil)
        var stale = document
        stale.set("leftover", at: "status.retiredField")
        let cleaned = Self.decision.decide(Self.observation(stale)).settle(Reconciliation.Outcome())
        #expect(cleaned.statusPatch?["status"]?["retiredField"] == .null)
    }
}
