import Foundation
import GuardCheck
import KubeModel
import OdooPlan
import TestSupport
import Testing

/// `spec.jobs`: its validation, the worker Deployment, web and cron with the runner disabled, and the
/// worker's connections in the budget.
@Suite("Background jobs apart from web")
struct QueueJobsTests {
    static func environment(_ jobs: JSONValue, change: (inout JSONValue) -> Void = { _ in }) -> JSONValue {
        Fixtures.environment {
            $0.set(jobs, at: "spec.jobs")
            $0.set(.int(2), at: "spec.workers")
            $0.set(["base", "queue_job"], at: "spec.database.initModules")
            $0.set([["image": .string("registry.example.com/odoo/queue:17.0-1@sha256:" + String(repeating: "cd", count: 32))]], at: "spec.addons")
            change(&$0)
        }
    }

    static let invalid: [(jobs: JSONValue, path: String, words: String)] = [
        (["workers": 0], "spec.jobs.workers", "outside 1…16"),
        (["workers": 2, "channels": "root:3"], "spec.jobs.channels", "raise spec.jobs.workers to 3"),
        (["channels": "import:1"], "spec.jobs.channels", "names start with root"),
        (["channels": "root.import:1"], "spec.jobs.channels", "must give root a capacity"),
        (["channels": "root:1,root:1"], "spec.jobs.channels", "each channel once"),
        (["channels": "root:0"], "spec.jobs.channels", "capacities 1 to 64"),
        (["channels": "root:1;drop"], "spec.jobs.channels", "separated by commas"),
        (["queues": 2], "spec.jobs.queues", "unknown field"),
    ]

    @Test("invalid jobs name their field", arguments: 0..<invalid.count)
    func invalidJobs(_ index: Int) {
        let example = Self.invalid[index]
        do {
            _ = try OdooEnvironment.decode(Self.environment(example.jobs))
            Issue.record("\(example.jobs) was accepted")
        } catch {
            let match = error.fieldErrors.first { $0.path.description == example.path }
            #expect(match?.message.contains(example.words) == true, "\(example.jobs): \(error.fieldErrors)")
        }
    }

    @Test func theWorkerRunsQueueJobAndWebDoesNot() throws {
        let environment = try OdooEnvironment.decode(Self.environment(["workers": 2, "channels": "root:2,root.import:1"]))
        #expect(environment.jobs == QueueJobs(workers: 2, channels: "root:2,root.import:1") && environment.jobs?.rootCapacity == 2)
        let desired = try ScalingTests.planner.plan(environment)
        func deployment(_ name: String) -> JSONValue? {
            desired.objects.first { $0["kind"]?.stringValue == "Deployment" && $0["metadata"]?["name"]?.stringValue == name }
        }
        let worker = try #require(deployment("demo-queue"))
        #expect(worker["spec"]?["replicas"] == 1 && worker["spec"]?["strategy"]?["type"] == "Recreate", "one runner per database")
        let failures = try Fixtures.kubernetesValidate([worker])
        #expect(failures.isEmpty, "\(failures)")
        let container = worker["spec"]?["template"]?["spec"]?["containers"]?[0]
        let args = container?["args"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(args.contains("--workers=2") && args.contains("--max-cron-threads=0") && args.contains("--load=base,web,queue_job"), "\(args)")
        let env = Dictionary((container?["env"]?.arrayValue ?? []).compactMap { entry in entry["value"]?.stringValue.map { (entry["name"]?.stringValue ?? "", $0) } }) { $1 }
        #expect(env["ODOO_QUEUE_JOB_CHANNELS"] == "root:2,root.import:1" && env["ODOO_QUEUE_JOB_HOST"] == "127.0.0.1" && env["ODOO_QUEUE_JOB_PORT"] == "8069")
        let check = worker["spec"]?["template"]?["spec"]?["initContainers"]?.arrayValue?.last?["command"]?[2]?.stringValue ?? ""
        #expect(check.contains("wanted += [\"queue_job\"]") && check.contains("turn spec.jobs off"), "the module comes from an addon image, checked before start")
        for name in ["demo-web", "demo-cron"] {
            let env = deployment(name)?["spec"]?["template"]?["spec"]?["containers"]?[0]?["env"]?.arrayValue ?? []
            #expect(env.contains(["name": "ODOO_QUEUE_JOB_CHANNELS", "value": "root:0"]), "\(name) never runs jobs")
            let check = deployment(name)?["spec"]?["template"]?["spec"]?["initContainers"]?.arrayValue?.last?["command"]?[2]?.stringValue ?? ""
            #expect(!check.contains("wanted +="), "\(name)'s check is the one it always had")
        }
        // The worker's connections: (2 workers + main) × 2 + gevent 4 + the runner's LISTEN 1 = 11.
        let budget = try #require(desired.connectionBudget)
        #expect(budget.queue == 11 && budget.total == 2 * 10 + 5 + 2 + 11 && budget.arithmetic.hasSuffix("+ queue worker 11 = 38"), "\(budget.arithmetic)")
        #expect(desired.connectionRecord?.queue == 11)
        #expect(!desired.warnings.contains { $0.contains("queue_job, which must be installed") })
    }

    @Test func withoutTheModuleInTheDatabaseTheWorkerWaitsAndSaysSo() throws {
        let environment = try OdooEnvironment.decode(Self.environment(["workers": 1]) { $0.set(["base"], at: "spec.database.initModules") })
        let desired = try ScalingTests.planner.plan(environment)
        #expect(desired.warnings.contains { $0.contains("list it in spec.database.initModules") }, "\(desired.warnings)")
    }

    /// The worker's connections count against the tier: refused with the arithmetic and the way out.
    @Test func theWorkerCountsInTheBudget() throws {
        let environment = try OdooEnvironment.decode(Self.environment(["workers": 16, "channels": "root:16"]) { $0.set(.int(2), at: "spec.replicas") })
        let error = try #require(throws: OdooPlanError.self) { try ScalingTests.planner.plan(environment) }
        let message = error.fieldErrors.first?.message ?? ""
        #expect(message.contains("+ queue worker 39 =") && message.contains("or spec.jobs.workers (16 hold 39)"), "\(message)")
    }

    /// Asleep, the worker stops with web and cron.
    @Test func asleepTheWorkerStops() throws {
        let environment = try OdooEnvironment.decode(Self.environment(["workers": 1]) {
            $0.set(["awake": [["schedule": "0 0 1 1 *", "durationMinutes": 1]]], at: "spec.schedule")
        })
        // Web, cron and the worker each ran a pod, and the sleeping page answers.
        var observation = EnvironmentObservation.offline(environment, now: ScalingTests.utc("2026-12-05T12:00:00Z"))
        let running = DeploymentView(["metadata": ["generation": 1], "spec": ["replicas": 1], "status": ["availableReplicas": 1, "observedGeneration": 1]])
        observation.workloads.web = running
        observation.workloads.cron = running
        observation.workloads.queue = running
        observation.workloads.sleepingPage = running
        let desired = try ScalingTests.planner.plan(environment, observation: observation, facts: EnvironmentFacts())
        let worker = desired.objects.first { $0["metadata"]?["name"]?.stringValue == "demo-queue" }
        #expect(worker?["spec"]?["replicas"] == 0)
        #expect(desired.sleep?.state == .sleeping && desired.sleep?.stoppedPods == 3, "web, cron and the worker")
    }
}
