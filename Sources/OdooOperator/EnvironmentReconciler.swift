import Foundation
import GuardRules
import KubeClient
import KubeModel
import KubeRuntime
import Logging
import NIOConcurrencyHelpers
import OdooPlan
import TraefikGen

/// Reconciles one OdooEnvironment in three steps: observe (`+Observe`: the caches, the registry, the
/// Jobs' pods, read once into an ``EnvironmentObservation``), decide (``EnvironmentDecision``, pure, in
/// `OdooPlan`), act (`+Execute`: the writes in order, then the status the ``Reconciliation`` settles
/// on). ``Finalizers/reconcile(_:finalizer:resource:api:apply:cleanup:)`` wraps it, as kube-rs's
/// `finalizer()` does. Level-based and idempotent: an unchanged environment costs no write at all.
public final class EnvironmentReconciler: Sendable {
    /// The field manager of every apply.
    public static let fieldManager = "odoo-guard"
    /// The finalizer that keeps an environment until its data has been retained or released.
    public static let finalizer = "odooguard.io/cleanup"

    /// Everything the reconciler reads and writes through.
    public struct Dependencies: Sendable {
        /// The API.
        public var api: any KubernetesAPI
        /// The operator configuration.
        public var configuration: OperatorConfiguration
        /// The policy the webhook enforces, `nil` to skip the pre-apply check.
        public var policy: @Sendable () -> GuardPolicy?
        /// Tag → digest resolution.
        public var images: any ImageResolving
        /// Where Events go, `nil` for none.
        public var events: EventRecorder?
        /// Metrics, `nil` for none.
        public var metrics: OperatorMetrics?
        /// Provisions shared databases and Redis users, `nil` to leave that to someone else.
        public var provisioner: (any TenantProvisioning)?
        /// The clock of status times and the policy check.
        public var now: @Sendable () -> Date
        /// The synthetic check of `/web/login` that ends a change's verification (`nil`: none).
        public var loginChecker: (any LoginChecking)?
        /// The logger.
        public var logger: Logger

        /// Dependencies.
        public init(api: any KubernetesAPI, configuration: OperatorConfiguration, policy: @escaping @Sendable () -> GuardPolicy?,
                    images: any ImageResolving, events: EventRecorder? = nil, metrics: OperatorMetrics? = nil,
                    provisioner: (any TenantProvisioning)? = nil, loginChecker: (any LoginChecking)? = nil,
                    now: @escaping @Sendable () -> Date = { Date() }, logger: Logger) {
            self.loginChecker = loginChecker
            self.api = api
            self.configuration = configuration
            self.policy = policy
            self.images = images
            self.events = events
            self.metrics = metrics
            self.provisioner = provisioner
            self.now = now
            self.logger = logger
        }
    }

    let dependencies: Dependencies
    let decision: EnvironmentDecision
    /// The API, counting every successful write (Events go through their own recorder and are not counted).
    let api: WriteCountingAPI
    /// The OdooEnvironment cache.
    public let primary: ObjectStore
    /// A cache per owned resource (and Namespaces and Secrets, which are read but not all owned).
    public let stores: [ResourceType: ObjectStore]
    /// Tool images pinned so far (tag → pinned), with when; asked again after an hour.
    let toolPins = NIOLockedValueBox([String: (pinned: String, at: Date)]())
    /// The plan the policy gate last passed, per environment (``Reconciliation/passedGate``): an
    /// unchanged plan is not evaluated again at every resync. Dropped with the environment.
    let passedGates = NIOLockedValueBox([ObjectKey: PolicyGate.Judgement]())

    /// The resources the operator watches besides OdooEnvironments.
    public static func watchedResources(_ configuration: OperatorConfiguration) -> [ResourceType] {
        [.namespaces, .resourceQuotas, .limitRanges, .networkPolicies, .configMaps, .secrets, .persistentVolumeClaims,
         .services, .deployments, .horizontalPodAutoscalers, .statefulSets, .podDisruptionBudgets, .cronJobs, .jobs] + ResourceType.traefik(group: configuration.traefikTarget.apiGroup)
            // CloudNativePG's kinds only where it is installed: a watch of an absent CRD never syncs.
            + (configuration.cloudNativePG == nil ? [] : ResourceType.cloudNativePG)
    }

    /// The label selector of the operator's own objects: every object it plans carries it.
    public static let ownedSelector = "\(GuardLabels.managedBy)=\(GuardLabels.managerName)"

    /// How each watched kind is watched: the least the reconciler reads. Its own objects only (the
    /// ``ownedSelector``), except Secrets and Namespaces, which are watched as metadata only (the server
    /// never sends a Secret's `data`) and unfiltered: an environment names Secrets the tenant or
    /// cert-manager makes (an external database login, backup credentials, a TLS certificate), and the
    /// reconciler asks only whether they exist; of a Namespace it reads the labels.
    public static func watchScopes(_ configuration: OperatorConfiguration) -> [ResourceType: OwnedWatch] {
        Dictionary(uniqueKeysWithValues: watchedResources(configuration).map { resource in
            switch resource {
            case .secrets, .namespaces: return (resource, OwnedWatch(metadataOnly: true))
            default: return (resource, OwnedWatch(labelSelector: ownedSelector))
            }
        })
    }

    /// A reconciler filling its caches from the controller that runs it (see ``controllerStores``).
    public init(dependencies: Dependencies) {
        self.dependencies = dependencies
        decision = EnvironmentDecision(configuration: dependencies.configuration)
        let metrics = dependencies.metrics
        api = WriteCountingAPI(dependencies.api) { metrics?.recordWrites($0) }
        primary = ObjectStore(transform: ObjectStore.withoutBookkeeping, compact: true, deflated: true)
        let scopes = EnvironmentReconciler.watchScopes(dependencies.configuration)
        stores = Dictionary(uniqueKeysWithValues: scopes.map { resource, scope in
            // Kinds watched as metadata (``watchScopes(_:)``) are trimmed again by the cache, whatever
            // the server sent, so no credential sits in the operator's memory.
            // Only the managed-by label is looked up by (the managed-objects gauge); owned objects are read
            // by namespace.
            (resource, ObjectStore(transform: scope.metadataOnly ? ObjectStore.metadataOnly : ObjectStore.withoutBookkeeping, compact: true, deflated: true,
                                   indexedLabels: [GuardLabels.managedBy]))
        })
    }

    /// The caches to hand to the `Controller` that runs this reconciler.
    public var controllerStores: (primary: ObjectStore, owned: [ResourceType: ObjectStore]) { (primary, stores) }

    /// API writes made so far (creates, applies, patches, deletes; Events excluded).
    public var writes: Int { api.writes }

    /// Reconciles the environment at `key`: its finalizer first, then observe, decide and act while it
    /// lives, or what `spec.deletionPolicy` says once it is being deleted.
    /// - Throws: ``KubeClientError`` from the API, for the controller to retry with backoff.
    public func reconcile(_ key: ObjectKey) async throws -> ReconcileAction {
        guard let raw = primary.get(key) else {
            passedGates.withLockedValue { $0[key] = nil }
            return .awaitChange
        }
        let object = KubeObject(raw)
        var logger = dependencies.logger
        logger[metadataKey: "k8s.kind"] = "OdooEnvironment"
        logger[metadataKey: "k8s.namespace"] = "\(key.namespace ?? "")"
        logger[metadataKey: "k8s.name"] = "\(key.name)"
        return try await Finalizers.reconcile(object, finalizer: Self.finalizer, resource: .odooEnvironments, api: api) { live in
            var observation = await observe(live)
            observation.passedGate = passedGates.withLockedValue { $0[key] }
            let reconciliation = decision.decide(observation)
            // A judgement is a pure function of the plan: kept whatever the writes do.
            passedGates.withLockedValue { $0[key] = reconciliation.passedGate }
            return try await execute(reconciliation, object: live, logger: logger)
        } cleanup: {
            try await cleanUp(object, logger: logger)
        }
    }
}
