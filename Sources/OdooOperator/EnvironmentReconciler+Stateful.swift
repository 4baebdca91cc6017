import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import OdooPlan

/// The environment's stateful side: the database check, backups and rehearsals read back from
/// their Jobs, and the Jobs the change gate starts.
extension EnvironmentReconciler {
    /// What the status says beyond the plan.
    struct StatefulObservation {
        var database: DatabaseCheck?
        /// `nil` until observed (the status then keeps what it had).
        var backups: BackupObservation?
        var rpoHours: Int?
        var held: ChangeGate.Running?
        var gate: ChangeGate.Decision?
    }

    /// The database check: the provisioner's for shared servers, the StatefulSet's readiness for a
    /// dedicated one, `nil` (the credentials Secret decides) otherwise.
    func databaseCheck(_ environment: OdooEnvironment) async -> DatabaseCheck? {
        if environment.tier == .dedicated && environment.database.externalSecret == nil {
            let name = environment.childNames.postgres
            let statefulSet = stores[.statefulSets]?.get(ObjectKey(namespace: environment.namespace, name: name))
            let ready = statefulSet?["status"]?["readyReplicas"]?.intValue ?? 0
            return ready >= 1
                ? DatabaseCheck(ready: true, reason: "DedicatedServerReady", message: "PostgreSQL StatefulSet \(name) is ready; database \(environment.database.name)")
                : DatabaseCheck(ready: false, reason: "DedicatedServerStarting", message: "PostgreSQL StatefulSet \(name) has no ready pod yet")
        }
        return await dependencies.provisioner?.ensure(environment)
    }

    /// How long to wait before checking an unready database again: the time it has been unready,
    /// between 10 s and 5 minutes (a backoff that needs no memory beyond the condition).
    func databaseRetry(_ previous: [Condition], now: Date) -> Duration {
        guard let condition = previous.first(where: { $0.type == "DatabaseReady" }), condition.status == .false,
              let since = Timestamp.parse(condition.lastTransitionTime) else { return .seconds(10) }
        return .seconds(Int64(min(300, max(10, now.timeIntervalSince(since)))))
    }

    /// Backups and rehearsals: the previous status, updated from the newest finished Jobs.
    func observeBackups(_ environment: OdooEnvironment, _ object: KubeObject) async -> BackupObservation {
        var result = Self.recordedBackups(object)
        guard let backup = environment.backup else { return result }
        let credentials = backup.credentialsSecret ?? dependencies.configuration.backup.credentialsSecret
        result.credentialsPresent = stores[.secrets]?.get(ObjectKey(namespace: environment.namespace, name: credentials)) != nil
        let jobs = (stores[.jobs]?.list(namespace: environment.namespace) ?? []).filter {
            KubeObject($0).labels["app.kubernetes.io/instance"] == environment.name && KubeObject($0).labels["app.kubernetes.io/name"] == "odoo"
        }
        for component in ["backup", "restore-check"] {
            let finished = jobs.filter { KubeObject($0).labels["app.kubernetes.io/component"] == component }
                .compactMap { job -> (JSONValue, ChangeGate.JobState)? in
                    let state = Self.jobState(job)
                    return state.phase == .running ? nil : (job, state)
                }
                .sorted { ($0.1.completionTime ?? .distantPast) < ($1.1.completionTime ?? .distantPast) }
            guard let (job, state) = finished.last else { continue }
            let completed = state.completionTime ?? .distantPast
            switch (component, state.phase) {
            case ("backup", .succeeded):
                if completed > (result.lastBackupTime ?? .distantPast) {
                    result.lastBackupTime = completed
                    let report = await terminationMessage(of: job, containers: ["upload"])
                    result.lastBackupSize = report.flatMap { try? JSONParser.parse($0) }?["size"]?.intValue
                }
            case ("backup", _):
                result.backupFailure = await failureMessage(of: job, state)
            case (_, .succeeded):
                if completed > (result.lastRestoreCheckTime ?? .distantPast) { result.lastRestoreCheckTime = completed }
            default:
                result.restoreFailure = await failureMessage(of: job, state)
            }
        }
        return result
    }

    /// What the status recorded of backups and rehearsals.
    static func recordedBackups(_ object: KubeObject) -> BackupObservation {
        let status = object.raw["status"]
        return BackupObservation(
            lastBackupTime: status?["lastBackupTime"]?.stringValue.flatMap(Timestamp.parse),
            lastBackupSize: status?["lastBackupSize"]?.intValue,
            lastRestoreCheckTime: status?["lastRestoreCheckTime"]?.stringValue.flatMap(Timestamp.parse))
    }

    /// The gate's Jobs (an on-demand backup, an upgrade) for the change to `image`, by name.
    func gateJobs(_ environment: OdooEnvironment, image: String) async -> [String: ChangeGate.JobState] {
        var result: [String: ChangeGate.JobState] = [:]
        let names = environment.childNames
        for (name, container) in [(names.changeBackup(image: image), "upload"), (names.upgrade(image: image), "upgrade")] {
            guard let job = stores[.jobs]?.get(ObjectKey(namespace: environment.namespace, name: name)) else { continue }
            var state = Self.jobState(job)
            if state.phase == .failed { state.message = await terminationMessage(of: job, containers: [container]) ?? state.message }
            result[name] = state
        }
        return result
    }

    /// The configuration's tool images pinned through the image resolver (an hour's cache). One that
    /// cannot be pinned stays a tag: the policy gate then says which and why.
    func pinnedTools() async -> [String: String] {
        let now = dependencies.now()
        var result: [String: String] = [:]
        for image in planner.toolImages {
            if image.contains("@sha256:") { continue }
            if let cached = toolPins.withLockedValue({ $0[image] }), now.timeIntervalSince(cached.at) < 3600 {
                result[image] = cached.pinned
                continue
            }
            guard let pinned = try? await dependencies.images.pin(image) else { continue }
            toolPins.withLockedValue { $0[image] = (pinned, now) }
            result[image] = pinned
        }
        return result
    }

    /// Creates the Job the gate asked for (an existing one is left alone).
    func startJob(_ kind: ChangeGate.JobKind, name: String, environment: OdooEnvironment, image: String, object: KubeObject) async throws {
        let job = try planner.job(kind, name: name, environment: environment, image: image, toolImages: await pinnedTools())
        let created = try await write(tolerating: .alreadyExists) { () async throws(KubeClientError) in
            _ = try await dependencies.api.create(.jobs, namespace: environment.namespace, object: job, options: WriteOptions(fieldManager: Self.fieldManager))
        }
        if created {
            await event(.normal, kind == .backup ? "BackupStarted" : "UpgradeStarted", "Create",
                        "started Job \(name) before rolling out \(image)", object)
        }
    }

    /// A Job's phase from its status.
    static func jobState(_ job: JSONValue) -> ChangeGate.JobState {
        let status = job["status"]
        let conditions = status?["conditions"]?.arrayValue ?? []
        func condition(_ type: String) -> JSONValue? {
            conditions.first { $0["type"]?.stringValue == type && $0["status"]?.stringValue == "True" }
        }
        if (status?["succeeded"]?.intValue ?? 0) >= 1 || condition("Complete") != nil {
            return .init(phase: .succeeded, completionTime: (status?["completionTime"]?.stringValue ?? condition("Complete")?["lastTransitionTime"]?.stringValue).flatMap(Timestamp.parse))
        }
        if let failed = condition("Failed") {
            return .init(phase: .failed, completionTime: failed["lastTransitionTime"]?.stringValue.flatMap(Timestamp.parse),
                         message: [failed["reason"]?.stringValue, failed["message"]?.stringValue].compactMap { $0 }.joined(separator: ": "))
        }
        return .init(phase: .running)
    }

    func failureMessage(of job: JSONValue, _ state: ChangeGate.JobState) async -> String {
        let name = KubeObject(job).name
        if let message = await terminationMessage(of: job, containers: ["dump", "upload", "fetch", "check"], failedOnly: true) { return "Job \(name): \(message)" }
        return "Job \(name): \(state.message ?? "failed")"
    }

    /// The termination message (the JSON report, or the log tail of a failed container) of the first
    /// of `containers` that has one in the Job's newest pod; the pods are listed once.
    func terminationMessage(of job: JSONValue, containers: [String], failedOnly: Bool = false) async -> String? {
        let object = KubeObject(job)
        guard let namespace = object.namespace,
              let pods = try? await dependencies.api.list(.pods, namespace: namespace, options: ListOptions(labelSelector: "job-name=\(object.name)")) else { return nil }
        let newest = pods.items.max { ($0["metadata"]?["creationTimestamp"]?.stringValue ?? "") < ($1["metadata"]?["creationTimestamp"]?.stringValue ?? "") }
        let statuses = (newest?["status"]?["initContainerStatuses"]?.arrayValue ?? []) + (newest?["status"]?["containerStatuses"]?.arrayValue ?? [])
        for container in containers {
            guard let terminated = statuses.first(where: { $0["name"]?.stringValue == container })?["state"]?["terminated"] else { continue }
            if failedOnly && terminated["exitCode"]?.intValue == 0 { continue }
            let message = terminated["message"]?.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines)
            guard let message, !message.isEmpty else {
                if failedOnly { return "container \(container) exited \(terminated["exitCode"]?.intValue ?? -1)" }
                continue
            }
            // The status shows the end of the log, where the error is.
            return String(message.suffix(600))
        }
        return nil
    }
}
