import Foundation
import KubeClient
import KubeModel
import OdooPlan
import Testing

/// The database lifecycle through the reconciler against the API test server: Jobs and pods do not
/// run there, so the tests report what the Job controller and the kubelet would.
@Suite("Database lifecycle through the reconciler")
struct DatabaseLifecycleReconcilerTests {
    static let newAddon = "registry.example.com/odoo/session-redis:17.0-4@sha256:" + String(repeating: "4e", count: 32)

    /// The environment's init Jobs.
    static func initJobs(_ cluster: OperatorHarness) async throws -> [JSONValue] {
        try await cluster.api.listAll(.jobs, namespace: cluster.namespace).items.filter { KubeObject($0).labels[GuardLabels.component] == "init" }
    }

    static func replicas(_ cluster: OperatorHarness, _ component: String) async throws -> Int64? {
        try await cluster.get(.deployments, "clinic-\(component)")?["spec"]?["replicas"]?.intValue
    }

    static func events(_ cluster: OperatorHarness) async throws -> [String] {
        try await cluster.api.listAll(.events, namespace: cluster.namespace).items.compactMap { $0["reason"]?.stringValue }
    }

    /// The example created, its PostgreSQL ready, until the init Job exists; returns the Job's name.
    static func started(_ cluster: OperatorHarness, _ change: (inout JSONValue) -> Void = { _ in }) async throws -> String {
        try await cluster.createTLSSecret("clinic-tls")
        try await cluster.createBackupCredentials()
        _ = try await cluster.create(try cluster.example("clinic-production.yaml", change))
        #expect(try await cluster.eventually {
            try await cluster.markDeploymentsAvailable()
            return try await !initJobs(cluster).isEmpty
        })
        return try #require(try await initJobs(cluster).first.map { KubeObject($0).name })
    }

    @Test func aNewDatabaseIsInitialisedBeforeAnyPodRunsAndNeverAgain() async throws {
        try await OperatorHarness.run { cluster in
            let job = try await Self.started(cluster)
            #expect(job.hasPrefix("clinic-init-"))
            let web = try await Self.replicas(cluster, "web")
            let cron = try await Self.replicas(cluster, "cron")
            #expect(web == 0 && cron == 0, "no pod before the database is initialised")
            #expect(try await cluster.eventually { try await cluster.condition("DatabaseReady")?.reason == EnvironmentCondition.initializing })
            let command = try await cluster.get(.jobs, job)?["spec"]?["template"]?["spec"]?["containers"]?[0]?["command"]?[2]?.stringValue ?? ""
            #expect(command.contains("--init=base,contacts"), "spec.database.initModules")

            try await cluster.finishJob(job, container: "init", exitCode: 0, message: "")
            #expect(try await cluster.eventually { try await Self.replicas(cluster, "web") == 3 })
            #expect(try await Self.replicas(cluster, "cron") == 1)
            #expect(try await cluster.eventually { try await cluster.environment()?["status"]?["databaseInitialized"]?["job"]?.stringValue == job })
            #expect(try await cluster.waitUntilReady())
            #expect(try await cluster.condition("DatabaseReady")?.reason == EnvironmentCondition.initialized)
            let events = try await Self.events(cluster)
            #expect(events.contains("InitStarted") && events.contains(EnvironmentCondition.initialized), "\(events)")

            // The record stands: without its Job no new init Job is made, and the pods keep running.
            _ = try await cluster.api.delete(.jobs, namespace: cluster.namespace, name: job, options: DeleteOptions())
            try await cluster.updateEnvironment { _ = $0.set(4, at: "spec.replicas") }
            #expect(try await cluster.eventually { try await Self.replicas(cluster, "web") == 4 })
            try await cluster.settle()
            #expect(try await Self.initJobs(cluster).isEmpty)
        }
    }

    @Test func aFailedInitKeepsThePodsStoppedAndSaysWhyAndADeletedJobRetries() async throws {
        try await OperatorHarness.run { cluster in
            let job = try await Self.started(cluster)
            let first = try #require(try await cluster.get(.jobs, job).flatMap { KubeObject($0).uid })
            try await cluster.finishJob(job, container: "init", exitCode: 1, message: "psycopg2.errors.InsufficientPrivilege: permission denied for schema public")
            #expect(try await cluster.eventually { try await cluster.condition("Degraded")?.reason == EnvironmentCondition.initFailed })
            #expect(try await cluster.condition("DatabaseReady")?.message.contains("permission denied for schema public") == true)
            #expect(try await cluster.condition("Ready")?.status == .false)
            try await cluster.settle()
            #expect(try await Self.replicas(cluster, "web") == 0, "no web pod on a half-made database")
            #expect(try await Self.events(cluster).contains(EnvironmentCondition.initFailed))

            // The cause fixed, deleting the Job runs it again.
            _ = try await cluster.api.delete(.jobs, namespace: cluster.namespace, name: job, options: DeleteOptions())
            #expect(try await cluster.eventually { try await cluster.get(.jobs, job).flatMap { KubeObject($0).uid }.map { $0 != first } == true })
            #expect(try await cluster.eventually { try await cluster.condition("DatabaseReady")?.reason == EnvironmentCondition.initializing })
        }
    }

    @Test func aChangedAddonSetIsUpgradedBeforeTheDeploymentsSwitch() async throws {
        try await OperatorHarness.run { cluster in
            _ = try await Self.started(cluster) { _ = $0.set("development", at: "spec.stage") }
            #expect(try await cluster.waitUntilReady())
            @Sendable func addon() async throws -> String? {
                try await cluster.get(.deployments, "clinic-web")?["spec"]?["template"]?["spec"]?["initContainers"]?[0]?["image"]?.stringValue
            }
            let before = try await addon()
            #expect(before?.contains("session-redis:17.0-3") == true)
            try await cluster.updateEnvironment { _ = $0.set(.string(Self.newAddon), at: FieldPath("spec.addons") / 0 / "image") }
            #expect(try await cluster.eventually { try await cluster.condition("Progressing")?.reason == "UpgradingDatabase" })
            let upgrades = try await cluster.api.listAll(.jobs, namespace: cluster.namespace).items.filter { KubeObject($0).labels[GuardLabels.component] == "upgrade" }
            let upgrade = try #require(upgrades.first)
            let spec = upgrade["spec"]?["template"]?["spec"]
            #expect(spec?["initContainers"]?[0]?["image"]?.stringValue == Self.newAddon, "the upgrade runs with the new addons")
            #expect(spec?["containers"]?[0]?["command"]?[2]?.stringValue?.contains("__manifest__.py") == true, "it updates the addons' modules")
            try await cluster.settle()
            #expect(try await addon() == before, "the Deployments wait for the upgrade")

            try await cluster.finishJob(KubeObject(upgrade).name, container: "upgrade", exitCode: 0, message: "")
            #expect(try await cluster.eventually { try await addon() == Self.newAddon })
        }
    }

    @Test func aMissingServerWideModuleDegradesTheEnvironmentNamingIt() async throws {
        try await OperatorHarness.run { cluster in
            let job = try await Self.started(cluster)
            try await cluster.finishJob(job, container: "init", exitCode: 0, message: "")
            #expect(try await cluster.waitUntilReady())
            // A web pod whose config check failed, as the kubelet reports it, and a rollout short of a pod.
            try await cluster.failConfigCheck(pod: "clinic-web-5f7-x2", component: .web, deployment: "clinic-web",
                                              message: "server_wide_modules names session_redis, which neither the image nor an addon image provides", ready: 2)
            #expect(try await cluster.eventually { try await cluster.condition("Degraded")?.reason == EnvironmentCondition.serverWideModuleMissing })
            #expect(try await cluster.condition("Degraded")?.message.contains("session_redis") == true)
            #expect(try await cluster.condition("Ready")?.status == .false)
            #expect(try await Self.events(cluster).contains(EnvironmentCondition.serverWideModuleMissing))
        }
    }
}
