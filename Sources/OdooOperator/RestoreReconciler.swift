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
        primary = ObjectStore(transform: ObjectStore.withoutManagedFields)
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
        guard let stored = primary.get(key) else { return .awaitChange }
        let object = KubeObject(stored)
        let observation = try await observe(object)
        let result = decision.decide(observation)
        let namespace = object.namespace ?? ""
        if let annotation = result.annotation, case .success(let restore) = observation.restore {
            let value: JSONValue = switch annotation {
            case .set(let name): .string(name)
            case .remove: .null
            }
            _ = try await api.patch(.odooEnvironments, namespace: namespace, name: restore.environment,
                                    patch: .merge(["metadata": ["annotations": [GuardLabels.restoring: value]]]), subresource: nil,
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
            _ = try await api.patch(.odooRestores, namespace: namespace, name: object.name, patch: .merge(.object(patch)), subresource: "status",
                                    options: WriteOptions(fieldManager: Self.fieldManager))
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

    /// Everything one decision reads.
    func observe(_ object: KubeObject) async throws -> RestoreObservation {
        let restore = Result { () throws(OdooPlanError) -> OdooRestore in try OdooRestore.decode(object.raw) }
        var observation = RestoreObservation(restore: restore, recorded: RestoreStatus(json: object.raw["status"]), now: now())
        let currentPolicy = policy()
        observation.masking = currentPolicy?.dataMasking ?? DataMaskingPolicy()
        guard case .success(let decoded) = restore else { return observation }
        func environment(_ namespace: String, _ name: String) -> Result<OdooEnvironment, OdooPlanError>? {
            environments.get(ObjectKey(namespace: namespace, name: name)).map { raw in
                Result { () throws(OdooPlanError) -> OdooEnvironment in try OdooEnvironment.decode(raw) }
            }
        }
        observation.target = environment(decoded.namespace, decoded.environment)
        observation.source = environment(decoded.source.namespace, decoded.source.environment)
        guard case .success(let target)? = observation.target else { return observation }
        let configuration = decision.planner.configuration
        observation.targetOnCloudNativePG = configuration.cloudNativePG != nil && target.tier == .dedicated && target.database.externalSecret == nil
        for component in [Component.web, .cron] {
            guard let raw = try await api.getIfExists(.deployments, namespace: target.namespace, name: target.childNames.deployment(component)) else { continue }
            observation.targetPods.desired += DeploymentView(raw).replicas ?? 1
            observation.targetPods.running += raw["status"]?["replicas"]?.intValue ?? 0
        }
        let selector = "\(GuardLabels.restore)=\(decoded.name)"
        let jobs = try await api.listAll(.jobs, namespace: target.namespace, options: ListOptions(labelSelector: selector)).items.map(JobView.init)
        var pods: [String: PodView] = [:]
        if jobs.contains(where: { $0.phase == .failed }) {
            for pod in try await api.listAll(.pods, namespace: target.namespace, options: ListOptions(labelSelector: selector)).items.map(PodView.init) {
                if let job = pod.labels["job-name"] { pods[job] = pod }
            }
        }
        for job in jobs {
            let report = pods[job.name].flatMap { JobReport.message(of: $0, containers: JobContainer.allCases, failedOnly: true) }
            observation.jobs[job.name] = ChangeGate.JobState(job, report: report)
        }
        if target.stage == .production {
            let approvals = try await api.listAll(.changeApprovals, namespace: target.namespace).items
            observation.approved = approvals.contains { raw in
                guard case .success(let approval) = ChangeApproval.decode(KubeObject(raw)) else { return false }
                return approval.changeReference == decoded.changeReference && approval.environment == target.name && approval.expiresAt > observation.now
            }
        }
        return observation
    }
}
