import Foundation
import KubeModel

extension EnvironmentDecision {
    /// Backups and rehearsals: the recorded ones, updated from the newest finished Job of each kind
    /// (a newer successful backup's time and size, a newer rehearsal's time, the newest failure's reason).
    static func backups(_ observation: EnvironmentObservation) -> BackupObservation {
        var result = observation.backups
        for component in [Component.backup, .restoreCheck] {
            let finished = observation.backupJobs
                .filter { $0.labels[GuardLabels.component] == component.rawValue && $0.phase != .running }
                .sorted { ($0.completionTime ?? .distantPast) < ($1.completionTime ?? .distantPast) }
            guard let job = finished.last else { continue }
            let completed = job.completionTime ?? .distantPast
            let pod = observation.jobPods[job.name]
            switch (component, job.phase) {
            case (.backup, .succeeded):
                guard completed > (result.lastBackupTime ?? .distantPast) else { continue }
                result.lastBackupTime = completed
                let report = pod.flatMap { JobReport.message(of: $0, containers: [.upload]) }
                result.lastBackupSize = report.flatMap { try? JSONParser.parse($0) }?["size"]?.intValue
            case (.backup, _):
                result.backupFailure = JobReport.failure(of: job, pod: pod)
            case (_, .succeeded):
                if completed > (result.lastRestoreCheckTime ?? .distantPast) { result.lastRestoreCheckTime = completed }
            default:
                result.restoreFailure = JobReport.failure(of: job, pod: pod)
            }
        }
        return result
    }
}

extension EnvironmentDecision {
    /// `DatabaseReady` of an environment on CloudNativePG: its Cluster's conditions, or that the
    /// Cluster is being created.
    static func clusterCheck(_ environment: OdooEnvironment, _ observation: EnvironmentObservation) -> DatabaseCheck {
        let name = environment.clusterName
        guard let live = observation.live[ChildReference(.cnpgClusters, namespace: environment.namespace, name: name)],
              let health = ClusterHealth(cluster: live) else {
            return DatabaseCheck(ready: false, reason: "ClusterCreating",
                                 message: "CloudNativePG creates Cluster \(name) (\(environment.stage == .production ? "three instances" : "one instance")); web and cron start once it serves and the database is initialised")
        }
        return health.check
    }
}
