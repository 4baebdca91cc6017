import Foundation
import GuardRules
import KubeClient
import KubeModel
import KubeRuntime
import Logging
import OdooPlan

/// Reconciles one OdooRestore: observe (the restore, its target and source environments from the
/// environment controller's cache, the target's web and cron Deployments, the restore's Jobs and
/// their pods' reports, a ChangeApproval for a production target), decide (``RestoreDecision``,
/// pure), act (the target's `odooguard.io/restoring` annotation, one Job, the status). Level-based:
/// the status and the Jobs say where it stands, so a restarted operator resumes at the same step.
public final class RestoreReconciler: Sendable {
    /// The field manager of its writes.
    public static let fieldManager = "odoo-guard-restore"

    let api: any KubernetesAPI
    let decision: RestoreDecision
    let policy: @Sendable () -> GuardPolicy?
    let events: EventRecorder?
    let logger: Logger
    let now: @Sendable () -> Date
    /// The OdooRestore cache.
    public let primary: ObjectStore
    /// The OdooEnvironment cache (the environment controller's).
    public let environments: ObjectStore

    /// A reconciler.
    public init(api: any KubernetesAPI, configuration: OperatorConfiguration, environments: ObjectStore, policy: @escaping @Sendable () -> GuardPolicy?,
                events: EventRecorder?, now: @escaping @Sendable () -> Date = { Date() }, logger: Logger) {
        self.api = api
        decision = RestoreDecision(configuration: configuration)
        self.environments = environments
        self.policy = policy
        self.events = events
        self.now = now
        self.logger = logger
        primary = ObjectStore(transform: ObjectStore.withoutBookkeeping)
    }

    /// The caches, for the controller to fill.
    public var controllerStores: (primary: ObjectStore, owned: [ResourceType: ObjectStore]) { (primary, [:]) }

    /// The controller configuration: restores are rare (one worker).
    public static func controllerConfiguration(resyncPeriod: Duration = .seconds(600)) -> Controller.Configuration {
        var configuration = Controller.Configuration(name: "odoorestore", resource: .odooRestores)
        configuration.workers = 1
        configuration.resyncPeriod = resyncPeriod
        return configuration
    }

    /// Reconciles the restore `key`.
    public func reconcile(_ key: ObjectKey) async throws -> ReconcileAction {
        guard let cached = primary.get(key) else { return .awaitChange }
        // A finished restore costs nothing more: it is woken with every environment and Job change.
        if RestoreStatus(json: cached["status"]).phase.isFinal { return try await settleFinished(KubeObject(cached)) }
        // Before the environment cache has its first list, a target would look deleted.
        guard environments.isReady else { return .requeue(after: .seconds(1)) }
        // Read fresh, not from the cache: restores are few, and a status decided from a cache a
        // moment behind would repeat a step (its write is refused then, by the resourceVersion).
        guard let stored = try await api.getIfExists(.odooRestores, namespace: key.namespace, name: key.name) else { return .awaitChange }
        let object = KubeObject(stored)
        let observation = try await observe(object)
        let result = decision.decide(observation)
        let namespace = object.namespace ?? ""
        if let annotation = result.annotation, case .success(let restore) = observation.restore {
            var annotations: JSONObject = [:]
            switch annotation {
            case .set(let name): annotations[GuardLabels.restoring] = .string(name)
            case .remove: annotations[GuardLabels.restoring] = .null
            case .recover(let cluster): annotations[GuardLabels.databaseCluster] = .string(cluster.annotation)
            case .finish(let record, let cluster):
                annotations[GuardLabels.restoring] = .null
                annotations[GuardLabels.lastRestore] = .string(record.annotation)
                // With a recovered Cluster, its record without the replaced one (which is pruned then).
                if let cluster { annotations[GuardLabels.databaseCluster] = .string(cluster.annotation) }
            }
            _ = try await api.patch(.odooEnvironments, namespace: namespace, name: restore.environment,
                                    patch: .merge(["metadata": ["annotations": .object(annotations)]]), subresource: nil,
                                    options: WriteOptions(fieldManager: Self.fieldManager))
        }
        if let job = result.job {
            do {
                _ = try await api.create(.jobs, namespace: namespace, object: job, options: WriteOptions(fieldManager: Self.fieldManager))
            } catch {
                // 409: created by an earlier reconcile whose status write did not land; the Job stands.
                guard error.status == 409 else { throw error }
            }
        }
        let status = result.status.json
        let recorded = stored["status"] ?? .object([:])
        if status != recorded {
            var patch: JSONObject = ["status": JSONValue.mergePatch(from: recorded, to: status)]
            // The observed version as precondition: a status decided from a stale cache is retried.
            if let version = object.resourceVersion { patch["metadata"] = ["resourceVersion": .string(version)] }
            do {
                _ = try await api.patch(.odooRestores, namespace: namespace, name: object.name, patch: .merge(.object(patch)), subresource: "status",
                                        options: WriteOptions(fieldManager: Self.fieldManager))
            } catch {
                // Changed since it was read (a spec edit, another writer): decide again on the new object.
                guard error.status == 409 else { throw error }
                return .requeue(after: .milliseconds(200))
            }
            if result.status.phase != observation.recorded.phase || result.status.step != observation.recorded.step {
                let warning = result.status.phase == .failed || result.status.phase == .refused
                _ = await events?.record(warning ? .warning : .normal, reason: result.status.phase.rawValue, action: "Restore",
                                         note: String(result.status.message.prefix(1000)), regarding: object)
                logger.notice("restore moved", metadata: ["k8s.namespace": "\(namespace)", "k8s.name": "\(object.name)",
                                                          "phase": "\(result.status.phase.rawValue)", "step": "\(result.status.step?.rawValue ?? "")"])
            }
        }
        return result.requeue.map { .requeue(after: $0) } ?? .awaitChange
    }

    /// A finished restore whose environment still carries its `restoring` annotation (a write that
    /// did not land) gets it removed; a failed one keeps it (the environment stays stopped on purpose).
    func settleFinished(_ object: KubeObject) async throws -> ReconcileAction {
        guard RestoreStatus(json: object.raw["status"]).phase != .failed, let namespace = object.namespace,
              let target = object.raw["spec"]?["environment"]?.stringValue,
              let environment = environments.get(ObjectKey(namespace: namespace, name: target)),
              environment["metadata"]?["annotations"]?[GuardLabels.restoring]?.stringValue == object.name else { return .awaitChange }
        _ = try await api.patch(.odooEnvironments, namespace: namespace, name: target,
                                patch: .merge(["metadata": ["annotations": [GuardLabels.restoring: .null]]]), subresource: nil,
                                options: WriteOptions(fieldManager: Self.fieldManager))
        return .awaitChange
    }

    /// Everything one decision reads.
    func observe(_ object: KubeObject) async throws -> RestoreObservation {
        let restore = Result { () throws(OdooPlanError) -> OdooRestore in try OdooRestore.decode(object.raw) }
        var observation = RestoreObservation(restore: restore, recorded: RestoreStatus(json: object.raw["status"]), now: now())
        let currentPolicy = policy()
        observation.masking = currentPolicy?.dataMasking ?? DataMaskingPolicy()
        observation.placement = currentPolicy?.placement ?? PlacementPolicy()
        guard case .success(let decoded) = restore else { return observation }
        // From the cache; one missing there is asked of the API before it counts as gone.
        func environment(_ namespace: String, _ name: String) async throws -> Result<OdooEnvironment, OdooPlanError>? {
            var raw = environments.get(ObjectKey(namespace: namespace, name: name))
            if raw == nil { raw = try await api.getIfExists(.odooEnvironments, namespace: namespace, name: name) }
            return raw.map { raw in Result { () throws(OdooPlanError) -> OdooEnvironment in try OdooEnvironment.decode(raw) } }
        }
        observation.target = try await environment(decoded.namespace, decoded.environment)
        observation.source = try await environment(decoded.source.namespace, decoded.source.environment)
        guard case .success(let target)? = observation.target else { return observation }
        observation.targetOnCloudNativePG = decision.planner.usesCloudNativePG(target, observation: .offline(target))
        // The background job worker too: a job writing while the data is replaced would outlive the restore.
        for component in [Component.web, .cron, .queue] {
            guard let raw = try await api.getIfExists(.deployments, namespace: target.namespace, name: target.childNames.deployment(component)) else { continue }
            observation.targetPods.desired += DeploymentView(raw).replicas ?? 1
            observation.targetPods.running += raw["status"]?["replicas"]?.intValue ?? 0
        }
        if case .stop? = observation.recorded.step, observation.targetPods.running == 0 {
            // A pod still terminating is not in the Deployment's count, and still holds connections.
            let selector = "\(GuardLabels.instance)=\(target.name),\(GuardLabels.name)=\(GuardLabels.odooName),\(GuardLabels.component) in (\([Component.web, .cron, .queue].map(\.rawValue).joined(separator: ",")))"
            observation.targetPods.running = Int64(try await api.listAll(.pods, namespace: target.namespace, options: ListOptions(labelSelector: selector)).items.count)
        }
        let selector = "\(GuardLabels.restore)=\(decoded.name)"
        let jobs = try await api.listAll(.jobs, namespace: target.namespace, options: ListOptions(labelSelector: selector)).items.map(JobView.init)
        for job in jobs {
            var report: String?
            if job.phase == .failed {
                // The Job controller labels its pods with the Job's name; the failed container's message is the report.
                let pods = try await api.listAll(.pods, namespace: target.namespace, options: ListOptions(labelSelector: "job-name=\(job.name)")).items
                report = pods.map(PodView.init).lazy.compactMap { JobReport.message(of: $0, containers: JobContainer.allCases, failedOnly: true) }.first
            }
            observation.jobs[job.name] = ChangeGate.JobState(job, report: report)
        }
        if observation.targetOnCloudNativePG, decoded.source.targetTime != nil {
            try await observeRecovery(decoded, target: target, into: &observation)
        }
        if target.stage == .production {
            let approvals = try await api.listAll(.changeApprovals, namespace: target.namespace).items
            observation.approved = approvals.contains { raw in
                guard case .success(let approval) = ChangeApproval.decode(KubeObject(raw), now: observation.now) else { return false }
                return approval.changeReference == decoded.changeReference && approval.environment == target.name && approval.expiresAt > observation.now
            }
        }
        return observation
    }

    /// A point-in-time restore's facts: the archive's recovery window for the Cluster in use, and the
    /// recovered Cluster as CloudNativePG reports it.
    func observeRecovery(_ restore: OdooRestore, target: OdooEnvironment, into observation: inout RestoreObservation) async throws {
        if let store = try await api.getIfExists(.barmanObjectStores, namespace: target.namespace, name: target.childNames.archive),
           let window = store["status"]?["serverRecoveryWindow"]?[target.clusterName],
           let first = window["firstRecoverabilityPoint"]?.stringValue.flatMap(Timestamp.parse) {
            observation.recoveryWindow = (first, window["lastSuccessfulBackupTime"]?.stringValue.flatMap(Timestamp.parse))
        }
        let name = RestoreDecision.recoveredClusterName(restore, target)
        if let cluster = try await api.getIfExists(.cnpgClusters, namespace: target.namespace, name: name) {
            observation.recoveredCluster = ClusterHealth(cluster: cluster)
        }
    }
}
