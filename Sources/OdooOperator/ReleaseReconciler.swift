import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import Logging
import OdooPlan

/// Reconciles one OdooRelease: observe (the release and every OdooEnvironment from the caches, read
/// once into a ``ReleaseObservation``), decide (``ReleaseDecision``, pure), act (switch the environments
/// the decision names by patching their spec, record Events, write the status when it changed).
/// Level-based and idempotent: it reads where each environment stands from the environment itself,
/// so an operator restarted mid-cohort resumes without switching anything twice.
public final class ReleaseReconciler: Sendable {
    /// The field manager of the environment patches.
    public static let fieldManager = "odoo-guard-release"

    let api: any KubernetesAPI
    let events: EventRecorder?
    let logger: Logger
    let now: @Sendable () -> Date
    /// The OdooRelease cache.
    public let primary: ObjectStore
    /// The OdooEnvironment cache: the environment controller's own (every namespace, every label),
    /// shared rather than watched twice; see ``wake(_:on:)``.
    public let environments: ObjectStore

    /// A reconciler reading environments from `environments`; each environment verifies its own
    /// changes (``OdooPlan/ChangeVerification``), the release reads the verdicts from their status.
    public init(api: any KubernetesAPI, environments: ObjectStore, events: EventRecorder?, now: @escaping @Sendable () -> Date = { Date() }, logger: Logger) {
        self.api = api
        self.environments = environments
        self.events = events
        self.now = now
        self.logger = logger
        primary = ObjectStore()
    }

    /// The caches, for the controller to fill (the environments are filled by their own controller).
    public var controllerStores: (primary: ObjectStore, owned: [ResourceType: ObjectStore]) { (primary, [:]) }

    /// The controller configuration: releases, cluster-scoped, few (one worker).
    public static func controllerConfiguration(workers: Int = 1, resyncPeriod: Duration = .seconds(600)) -> Controller.Configuration {
        var configuration = Controller.Configuration(name: "odoorelease", resource: .odooReleases)
        configuration.workers = workers
        configuration.resyncPeriod = resyncPeriod
        return configuration
    }

    /// Queues every release of `controller` whenever an environment changes: a release's cohorts
    /// select on labels and its progress is read from the environments' status.
    public func wake(_ controller: Controller, on environments: ObjectStore) {
        environments.onChange { [primary, queue = controller.queue] in
            for key in primary.keys { queue.add(key) }
        }
    }

    /// Reconciles the release `key`.
    public func reconcile(_ key: ObjectKey) async throws -> ReconcileAction {
        guard let stored = primary.get(key) else { return .awaitChange }
        let object = KubeObject(stored)
        let observation = observe(object)
        let result = ReleaseDecision.decide(observation)
        var failedSwitches: [String] = []
        var switched: [String] = []
        for change in result.switches {
            do {
                try await write(change)
                switched.append("\(change.namespace)/\(change.name) → \(change.image) (\(change.changeReference))")
            } catch {
                // A webhook or the API refused the switch (the environment's own gates: a production
                // change needs its approval). Said on the release; the environment stays pending and
                // the switch is tried again with the next look.
                failedSwitches.append("\(change.namespace)/\(change.name): \(error.message)")
            }
        }
        for event in result.events {
            _ = await events?.record(event.warning ? .warning : .normal, reason: event.reason, action: "Release", note: event.note, regarding: object)
        }
        for note in switched {
            _ = await events?.record(.normal, reason: "Switched", action: "Release", note: note, regarding: object)
        }
        for failure in failedSwitches {
            _ = await events?.record(.warning, reason: "SwitchRefused", action: "Release", note: failure, regarding: object)
        }
        // Only when it changed, and with `null` for what the new status lacks (the active cohort of a
        // finished train), which a plain merge patch would keep.
        let status = result.status.json
        let recorded = stored["status"] ?? .object([:])
        if status != recorded {
            _ = try await api.patch(.odooReleases, namespace: nil, name: object.name, patch: .merge(["status": JSONValue.mergePatch(from: recorded, to: status)]),
                                    subresource: "status", options: WriteOptions(fieldManager: Self.fieldManager))
        }
        let retry: Duration? = failedSwitches.isEmpty ? result.requeue : ReleaseDecision.inFlightRecheck
        return retry.map { .requeue(after: $0) } ?? .awaitChange
    }

    /// The release, every environment with its progress, and the other releases.
    func observe(_ object: KubeObject) -> ReleaseObservation {
        let release = Result { () throws(OdooPlanError) -> OdooRelease in try OdooRelease.decode(object.raw) }
        let now = now()
        let members: [ReleaseObservation.Member] = switch release {
        case .success(let decoded):
            // Only the environments a cohort selects: the status of the others is never read.
            environments.list().compactMap { environment in
                let view = KubeObject(environment)
                guard decoded.cohort(of: view.labels) != nil else { return nil }
                return ReleaseObservation.Member(namespace: view.namespace ?? "", name: view.name, labels: view.labels,
                                                 progress: ReleaseProgress(environment: environment, release: decoded, now: now))
            }
        case .failure: []
        }
        let others = primary.list().compactMap { other -> ReleaseObservation.OtherRelease? in
            guard KubeObject(other).name != object.name, let decoded = try? OdooRelease.decode(other) else { return nil }
            return .init(decoded, active: ReleaseStatus(json: other["status"]).phase.holdsEnvironments)
        }
        return ReleaseObservation(release: release, recorded: ReleaseStatus(json: object.raw["status"]), environments: members, others: others, now: now)
    }

    /// Writes the target into one environment: its image, its addons when the release names them,
    /// and the change reference. A merge patch: the rest of the spec and every other annotation stay.
    func write(_ change: ReleaseReconciliation.Switch) async throws(KubeClientError) {
        var spec: JSONObject = ["image": .string(change.image)]
        if let addons = change.addons {
            spec["addons"] = .array(addons.map { ["image": .string($0.image), "path": .string($0.path)] })
        }
        let patch: JSONValue = ["metadata": ["annotations": [GuardLabels.changeReference: .string(change.changeReference)]], "spec": .object(spec)]
        _ = try await api.patch(.odooEnvironments, namespace: change.namespace, name: change.name, patch: .merge(patch), subresource: nil,
                                options: WriteOptions(fieldManager: Self.fieldManager))
        logger.notice("release switched an environment", metadata: ["k8s.namespace": "\(change.namespace)", "k8s.name": "\(change.name)",
                                                                   "image": "\(change.image)", "change": "\(change.changeReference)"])
    }
}
