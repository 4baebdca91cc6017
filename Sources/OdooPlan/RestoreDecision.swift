import Foundation
import GuardRules
import KubeModel

/// What one reconcile of an OdooRestore knows, read once: the restore, its status, the target and
/// source environments, the target's workloads, the restore's Jobs, an approval, the masking policy.
public struct RestoreObservation: Sendable {
    /// The restore decoded, or why it cannot be.
    public var restore: Result<OdooRestore, OdooPlanError>
    /// Its status as stored.
    public var recorded: RestoreStatus
    /// The target environment (`nil`: it does not exist), decoded, or why it cannot be.
    public var target: Result<OdooEnvironment, OdooPlanError>?
    /// The source environment (`nil`: it does not exist).
    public var source: Result<OdooEnvironment, OdooPlanError>?
    /// Ready and desired pods of the target's web and cron Deployments together.
    public var targetPods: (desired: Int64, running: Int64) = (0, 0)
    /// The restore's Jobs, by name.
    public var jobs: [String: ChangeGate.JobState] = [:]
    /// Whether a live ChangeApproval names ``OdooRestore/changeReference`` and the target (production only).
    public var approved = false
    /// The policy's masking of refreshed data.
    public var masking = DataMaskingPolicy()
    /// The policy's node pools (the restore's Jobs go to the jobs pool).
    public var placement = PlacementPolicy()
    /// Whether the target's database is a CloudNativePG Cluster.
    public var targetOnCloudNativePG = false
    /// What the target's WAL archive can recover to: its first recoverability point and last base
    /// backup (the Barman Cloud ObjectStore's `serverRecoveryWindow`), `nil` when it reports none.
    public var recoveryWindow: (first: Date, lastBackup: Date?)?
    /// The Cluster a point-in-time restore recovers, as CloudNativePG reports it (`nil`: not yet there).
    public var recoveredCluster: ClusterHealth?
    /// The time of this reconcile.
    public var now: Date

    /// An observation.
    public init(restore: Result<OdooRestore, OdooPlanError>, recorded: RestoreStatus, now: Date) {
        self.restore = restore
        self.recorded = recorded
        self.now = now
    }
}

/// What the executor does for one OdooRestore reconcile: the status to write, the target's
/// `odooguard.io/restoring` annotation to set or remove, a Job to create, when to look again.
public struct RestoreReconciliation: Sendable {
    /// The annotation change on the target environment.
    public enum Annotation: Sendable, Equatable {
        /// Set it to the restore's name (web and cron stop).
        case set(String)
        /// Remove it (web and cron start).
        case remove
        /// Point the database at a Cluster recovered to a point in time (`odooguard.io/database-cluster`).
        case recover(RecoveredCluster)
        /// Remove it and leave the restore's record in `odooguard.io/last-restore`; with a Cluster,
        /// write it as the database's (its replaced Cluster released).
        case finish(RestoreRecord, cluster: RecoveredCluster?)
    }

    /// The status to write.
    public var status: RestoreStatus
    /// The target's annotation change, `nil` for none.
    public var annotation: Annotation?
    /// A Job to create (idempotent: its name is fixed per restore and step).
    public var job: JSONValue?
    /// When to look again although nothing changes.
    public var requeue: Duration?
}

/// Decides an OdooRestore's next step from one ``RestoreObservation``, without I/O.
public struct RestoreDecision: Sendable {
    /// The planner of the restore's Jobs.
    public var planner: OdooPlanner

    /// A decision with the operator's configuration.
    public init(configuration: OperatorConfiguration) { planner = OdooPlanner(configuration: configuration) }

    /// The next step of `observation`.
    public func decide(_ observation: RestoreObservation) -> RestoreReconciliation {
        var status = observation.recorded
        let now = observation.now
        guard case .success(let restore) = observation.restore else {
            if case .failure(let error) = observation.restore { status = refused(status, error.fieldErrors.isEmpty ? error.message
                : error.fieldErrors.map(\.description).joined(separator: "; ")) }
            return RestoreReconciliation(status: status)
        }
        status.observedGeneration = restore.generation
        status.source = status.source ?? "\(restore.source.namespace)/\(restore.source.environment)@"
            + (restore.source.targetTime.map { Timestamp.format($0) } ?? restore.source.backup ?? "latest")
        if status.phase.isFinal {
            // A finished restore leaves the environment started, whatever an earlier write missed
            // (a failed one leaves it stopped, as its message says).
            let stillStopped = (try? observation.target?.get())?.restoring == restore.name
            return RestoreReconciliation(status: status, annotation: stillStopped && status.phase != .failed ? .remove : nil)
        }
        guard case .success(let target)? = observation.target else {
            let reason = observation.target == nil
                ? "OdooEnvironment \(restore.environment) does not exist in namespace \(restore.namespace); name an existing environment in spec.environment"
                : "OdooEnvironment \(restore.environment) cannot be read; fix it first"
            return RestoreReconciliation(status: status.stopped ? failed(status, reason, now: now) : refused(status, reason))
        }
        if !status.stopped, let reason = refusal(restore, target: target, observation: observation) {
            return RestoreReconciliation(status: refused(status, reason))
        }
        if target.stage == .production && !observation.approved && !status.stopped {
            status.phase = .awaitingApproval
            status.message = "a production restore needs the approval a production change needs: a ChangeApproval for change reference \(restore.changeReference) and environment \(target.name), by someone other than its requester; nothing has stopped"
            return RestoreReconciliation(status: status, requeue: .seconds(60))
        }
        return advance(restore, target: target, observation: observation, status: status)
    }

    /// Why `restore` cannot run at all, in words that say what would work; `nil` when it can.
    func refusal(_ restore: OdooRestore, target: OdooEnvironment, observation: RestoreObservation) -> String? {
        guard case .success(let source)? = observation.source else {
            return "the source OdooEnvironment \(restore.source.namespace)/\(restore.source.environment) does not exist or cannot be read; name an existing environment in spec.source"
        }
        if restore.mode == .refresh && target.stage == .production {
            return "a Refresh copies another environment's data into this one; production is never refreshed. Restore production from its own backups (mode Restore, no spec.source.environment)"
        }
        if restore.mode == .restore && restore.fromElsewhere && target.stage == .production {
            return "production is restored only from its own backups; to copy data between environments use mode Refresh into a non-production environment"
        }
        if restore.mode == .refresh && !observation.masking.enabled {
            return "the GuardPolicy's spec.dataMasking is off, so refreshed data would keep its patients' names; turn masking on (or a GuardException for rule \(RuleID.restoreMaskedRefresh) must allow this refresh)"
        }
        if restore.mode == .restore && restore.fromElsewhere && source.stage == .production && target.stage != .production {
            return "production data goes into another environment only masked: use mode Refresh"
        }
        if source.backup == nil {
            return "the source OdooEnvironment \(source.namespace)/\(source.name) has no spec.backup, so there is no backup to restore"
        }
        if let time = restore.source.targetTime { return pointInTimeRefusal(time, restore, target: target, observation: observation) }
        return nil
    }

    /// Why a recovery to `time` cannot run, `nil` when the archive holds it.
    func pointInTimeRefusal(_ time: Date, _ restore: OdooRestore, target: OdooEnvironment, observation: RestoreObservation) -> String? {
        guard observation.targetOnCloudNativePG else {
            return "a point in time needs CloudNativePG's WAL archive, and \(target.name) runs on the \(target.tier.rawValue) tier without it; restore a backup by its stamp (spec.source.backup) or leave both out for the newest"
        }
        if restore.fromElsewhere {
            return "a point in time is recovered from the environment's own WAL archive; to copy another environment's data, restore one of its backups by stamp (spec.source.backup)"
        }
        guard let window = observation.recoveryWindow else {
            return "the WAL archive of Cluster \(target.clusterName) reports no recovery window yet (no base backup has completed); try again after its first ScheduledBackup, or restore a backup by stamp"
        }
        if time < window.first {
            return "spec.source.targetTime \(Timestamp.format(time)) is before the archive's first recoverability point \(Timestamp.format(window.first)); choose a time from then to now"
        }
        if time > observation.now {
            return "spec.source.targetTime \(Timestamp.format(time)) is in the future; the WAL archive ends now (\(Timestamp.format(observation.now))); choose a time from \(Timestamp.format(window.first)) to now"
        }
        return nil
    }

    /// The Cluster a point-in-time restore creates: the environment's base name and a hash of the restore.
    public static func recoveredClusterName(_ restore: OdooRestore, _ target: OdooEnvironment) -> String {
        target.childNames.cluster + "-" + String(StableHash.hex(StableHash.fnv1a(restore.name.utf8)).prefix(6))
    }

    /// The steps this restore runs, in order.
    func steps(_ restore: OdooRestore, target: OdooEnvironment, source: OdooEnvironment?) -> [RestoreStatus.Step] {
        if restore.source.targetTime != nil { return [.verify, .stop, .restore, .start] }
        var steps: [RestoreStatus.Step] = [.verify, .stop, .restore]
        if let source, source.version != target.version { steps.append(.upgrade) }
        if restore.mode == .refresh { steps += [.neutralize, .mask] }
        return steps + [.start]
    }
}
