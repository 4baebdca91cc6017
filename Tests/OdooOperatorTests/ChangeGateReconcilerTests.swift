import Foundation
import KubeClient
import KubeModel
import OdooPlan
import Testing

/// The production change gates and the backup status, through the reconciler against the API test
/// server. Jobs do not run there: the tests report their outcome as the Job controller and the
/// kubelet would (Job status, and the pod's termination message).
@Suite("Change gates and backups")
struct ChangeGateReconcilerTests {
    static let newImage = "registry.example.com/odoo/odoo:17.0-20261201@sha256:" + String(repeating: "5d", count: 32)

    /// What names the Jobs of a change to `image`: the image with the example's addon images.
    static func changeKey(_ image: String) throws -> String {
        let text = try String(contentsOf: OperatorHarness.root.appendingPathComponent("examples/environments/clinic-production.yaml"), encoding: .utf8)
        return ChangeGate.changeKey(image: image, addons: try OdooEnvironment.decode(try ManifestReader.parseSingle(yaml: text)).addons)
    }

    /// The example, live and Ready, then changed by `change`.
    /// - Returns: the web Deployment's image before the change.
    static func changed(_ cluster: OperatorHarness, window: JSONValue?, reference: String?, _ change: @escaping (inout JSONValue) -> Void) async throws -> String? {
        try await cluster.createTLSSecret("clinic-tls")
        try await cluster.createBackupCredentials()
        _ = try await cluster.create(try cluster.example())
        #expect(try await cluster.waitUntilReady())
        try await cluster.settle()
        let before = try await webImage(cluster)
        try await cluster.updateEnvironment { object in
            change(&object)
            if let window { _ = object.set(window, at: "spec.maintenanceWindow") }
            var annotations = object["metadata"]?["annotations"]?.objectValue ?? [:]
            annotations["odooguard.io/change-ref"] = reference.map { .string($0) }
            _ = object.set(.object(annotations), at: "metadata.annotations")
        }
        return before
    }

    static func webImage(_ cluster: OperatorHarness) async throws -> String? {
        try await cluster.get(.deployments, "clinic-web")?["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["image"]?.stringValue
    }

    /// A window that opens twelve hours from now, for one minute.
    static var closedWindow: JSONValue {
        let hour = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC") ?? .current, from: Date()).hour ?? 0
        return ["schedule": .string("0 \((hour + 12) % 24) * * *"), "durationMinutes": 1]
    }

    static let openWindow: JSONValue = ["schedule": "* * * * *", "durationMinutes": 1440]

    @Test func aProductionChangeWithoutAChangeReferenceWaits() async throws {
        try await OperatorHarness.run { cluster in
            let before = try await Self.changed(cluster, window: Self.openWindow, reference: nil) { _ = $0.set(.string(Self.newImage), at: "spec.image") }
            #expect(try await cluster.eventually { try await cluster.condition("Progressing")?.reason == "WaitingForChangeReference" })
            #expect(try await cluster.condition("Progressing")?.message.contains("odooguard.io/change-ref") == true)
            try await cluster.settle()
            #expect(try await Self.webImage(cluster) == before)
            #expect(try await cluster.condition("Ready")?.status == .true, "the old version keeps serving")
            // Deleting the web Deployment does not slip the change through: it comes back with the old image.
            _ = try await cluster.api.delete(.deployments, namespace: cluster.namespace, name: "clinic-web", options: DeleteOptions())
            #expect(try await cluster.eventually { try await Self.webImage(cluster) != nil })
            try await cluster.settle()
            #expect(try await Self.webImage(cluster) == before)
        }
    }

    @Test func aProductionChangeOutsideTheWindowWaitsForIt() async throws {
        try await OperatorHarness.run { cluster in
            let before = try await Self.changed(cluster, window: Self.closedWindow, reference: "CHG-1") { _ = $0.set(.string(Self.newImage), at: "spec.image") }
            #expect(try await cluster.eventually { try await cluster.condition("Progressing")?.reason == "WaitingForMaintenanceWindow" })
            #expect(try await cluster.condition("Progressing")?.message.contains("next at") == true)
            try await cluster.settle()
            #expect(try await Self.webImage(cluster) == before)
            // The status keeps the new image's pin, not the running one.
            #expect(try await cluster.environment()?["status"]?["image"]?.stringValue == Self.newImage)
        }
    }

    @Test func aStaleBackupStartsABackupJobAndTheChangeFollowsIt() async throws {
        try await OperatorHarness.run { cluster in
            let before = try await Self.changed(cluster, window: Self.openWindow, reference: "CHG-2") { _ = $0.set(.string(Self.newImage), at: "spec.image") }
            #expect(try await cluster.eventually { try await cluster.condition("Progressing")?.reason == "WaitingForBackup" })
            let jobName = ChildNames(environment: "clinic").changeBackup(image: try Self.changeKey(Self.newImage))
            let job = try #require(try await cluster.get(.jobs, jobName))
            #expect(job["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["name"] == "upload")
            #expect(KubeObject(job).labels["app.kubernetes.io/component"] == "backup")
            try await cluster.settle()
            #expect(try await Self.webImage(cluster) == before)
            try await cluster.finishJob(jobName, container: "upload", exitCode: 0, message: #"{"backup":"20261122T020000Z","size":123456,"sha256":"ab","pruned":0}"#)
            #expect(try await cluster.eventually { try await Self.webImage(cluster) == Self.newImage })
            #expect(try await cluster.eventually { try await cluster.condition("BackupReady")?.reason == "BackupRecent" })
            let status = try #require(try await cluster.environment()?["status"])
            #expect(status["lastBackupSize"]?.intValue == 123_456, "\(status)")
            #expect(status["lastBackupTime"]?.stringValue != nil)
            #expect(try await cluster.condition("BackupReady")?.reason == "BackupRecent")
        }
    }

    @Test func aFailedUpgradeKeepsTheOldVersionServing() async throws {
        try await OperatorHarness.run { cluster in
            let before = try await Self.changed(cluster, window: Self.openWindow, reference: "CHG-3") {
                _ = $0.set(.string(Self.newImage.replacingOccurrences(of: "17.0-", with: "18.0-")), at: "spec.image")
                _ = $0.set("18.0", at: "spec.version")
            }
            let image = Self.newImage.replacingOccurrences(of: "17.0-", with: "18.0-")
            let names = ChildNames(environment: "clinic")
            let key = try Self.changeKey(image)
            #expect(try await cluster.eventually { try await cluster.get(.jobs, names.changeBackup(image: key)) != nil })
            try await cluster.finishJob(names.changeBackup(image: key), container: "upload", exitCode: 0, message: #"{"size":1}"#)
            #expect(try await cluster.eventually { try await cluster.condition("Progressing")?.reason == "UpgradingDatabase" })
            let upgrade = try #require(try await cluster.get(.jobs, names.upgrade(image: key)))
            let container = upgrade["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first
            #expect(container?["image"]?.stringValue == image)
            #expect(container?["command"]?[2]?.stringValue?.contains("modules=all") == true, "a major version updates every module")
            try await cluster.finishJob(names.upgrade(image: key), container: "upgrade", exitCode: 1,
                                        message: "odoo.modules.loading: module sale_custom: ERROR: column x does not exist")
            #expect(try await cluster.eventually { try await cluster.condition("Degraded")?.reason == "UpgradeFailed" })
            #expect(try await cluster.condition("Degraded")?.message.contains("column x does not exist") == true)
            try await cluster.settle()
            #expect(try await Self.webImage(cluster) == before)
            let annotations = try await cluster.get(.deployments, "clinic-web")?["spec"]?["template"]?["metadata"]?["annotations"]
            #expect(annotations?["odooguard.io/odoo-version"] == "17.0")
        }
    }

    @Test func scheduledBackupsReportTimeSizeAndFailures() async throws {
        try await OperatorHarness.run { cluster in
            try await cluster.createTLSSecret("clinic-tls")
            _ = try await cluster.create(try cluster.example())
            #expect(try await cluster.waitUntilReady())
            #expect(try await cluster.condition("BackupReady")?.reason == "CredentialsMissing")
            try await cluster.createBackupCredentials()
            // The Secret is not the operator's: it looks again within a minute, or at the next change.
            try await cluster.updateEnvironment { _ = $0.set(["touched": "1"], at: "metadata.labels") }
            #expect(try await cluster.eventually { try await cluster.condition("BackupReady")?.reason == "NoBackupYet" })
            // A Job as the CronJob makes it: the template's labels, owned by the CronJob, not the environment.
            let cronJob = try #require(try await cluster.get(.cronJobs, "clinic-backup"))
            #expect(cronJob["spec"]?["schedule"] == "30 1 * * *")
            try await cluster.createJob("clinic-backup-29000001", labels: cronJob["spec"]?["jobTemplate"]?["metadata"]?["labels"] ?? [:])
            try await cluster.finishJob("clinic-backup-29000001", container: "upload", exitCode: 0, message: #"{"backup":"x","size":987654,"sha256":"ab","pruned":2}"#)
            #expect(try await cluster.eventually { try await cluster.condition("BackupReady")?.reason == "BackupRecent" })
            #expect(try await cluster.environment()?["status"]?["lastBackupSize"]?.intValue == 987_654)
            // The next one fails: BackupReady says so, with the log tail.
            try await cluster.createJob("clinic-backup-29000002", labels: cronJob["spec"]?["jobTemplate"]?["metadata"]?["labels"] ?? [:])
            try await cluster.finishJob("clinic-backup-29000002", container: "dump", exitCode: 1, message: "pg_dump: error: connection to server failed")
            #expect(try await cluster.eventually { try await cluster.condition("BackupReady")?.reason == "BackupFailed" })
            #expect(try await cluster.condition("BackupReady")?.message.contains("connection to server failed") == true)
        }
    }
}

extension OperatorHarness {
    /// The S3 credentials Secret the platform admin creates in each namespace.
    func createBackupCredentials() async throws {
        _ = try await api.create(.secrets, namespace: namespace, object: [
            "apiVersion": "v1", "kind": "Secret", "metadata": ["name": "backup-s3-credentials"],
            "stringData": ["AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"],
        ], options: WriteOptions())
    }

    /// A Job with `labels`, as a CronJob would create it.
    func createJob(_ name: String, labels: JSONValue) async throws {
        _ = try await api.create(.jobs, namespace: namespace, object: [
            "apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": .string(name), "labels": labels],
            "spec": ["template": ["spec": ["restartPolicy": "Never", "containers": [["name": "upload", "image": "busybox"]]]]],
        ], options: WriteOptions())
    }

}
