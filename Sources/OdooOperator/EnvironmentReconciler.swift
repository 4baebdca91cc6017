import Foundation
import GuardRules
import KubeClient
import KubeModel
import KubeRuntime
import Logging
import NIOConcurrencyHelpers
import OdooPlan
import TraefikGen

/// Reconciles one OdooEnvironment: decode, pin the image, plan, check the plan against the policy,
/// create missing Secrets, server-side apply what differs, prune what is no longer planned, write
/// the status. Level-based and idempotent: an unchanged environment costs no write at all.
///
/// I/O happens here; every decision is a value from `OdooPlan` (the plan, the status) or from
/// ``AppliedConfiguration`` (whether an apply would change anything).
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
        /// The logger.
        public var logger: Logger

        /// Dependencies.
        public init(api: any KubernetesAPI, configuration: OperatorConfiguration, policy: @escaping @Sendable () -> GuardPolicy?,
                    images: any ImageResolving, events: EventRecorder? = nil, metrics: OperatorMetrics? = nil,
                    provisioner: (any TenantProvisioning)? = nil, now: @escaping @Sendable () -> Date = { Date() }, logger: Logger) {
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
    let planner: OdooPlanner
    /// The OdooEnvironment cache.
    public let primary: ObjectStore
    /// A cache per owned resource (and Namespaces and Secrets, which are read but not all owned).
    public let stores: [ResourceType: ObjectStore]
    let writeTally = NIOLockedValueBox(0)
    /// Tool images pinned so far (tag → pinned), with when; asked again after an hour.
    let toolPins = NIOLockedValueBox([String: (pinned: String, at: Date)]())

    /// The resources the operator watches besides OdooEnvironments.
    public static func watchedResources(_ configuration: OperatorConfiguration) -> [ResourceType] {
        [.namespaces, .resourceQuotas, .limitRanges, .networkPolicies, .configMaps, .secrets, .persistentVolumeClaims,
         .services, .deployments, .statefulSets, .podDisruptionBudgets, .cronJobs, .jobs] + ResourceType.traefik(group: configuration.traefikTarget.apiGroup)
    }

    /// A reconciler filling its caches from the controller that runs it (see ``controllerStores``).
    public init(dependencies: Dependencies) {
        self.dependencies = dependencies
        planner = OdooPlanner(configuration: dependencies.configuration)
        primary = ObjectStore(transform: ObjectStore.withoutManagedFields, compact: true)
        stores = Dictionary(uniqueKeysWithValues: EnvironmentReconciler.watchedResources(dependencies.configuration).map { resource in
            (resource, ObjectStore(transform: resource == .secrets ? EnvironmentReconciler.secretStub : ObjectStore.withoutManagedFields, compact: true))
        })
    }

    /// Secrets are cached as metadata only: the reconciler asks whether one exists, never what it holds,
    /// so no credential sits in the operator's memory longer than a create.
    @Sendable static func secretStub(_ secret: JSONValue) -> JSONValue {
        var metadata: JSONObject = [:]
        for key in ["name", "namespace", "uid", "resourceVersion", "labels", "ownerReferences", "deletionTimestamp"] {
            if let value = secret["metadata"]?[key] { metadata[key] = value }
        }
        return ["apiVersion": "v1", "kind": "Secret", "metadata": .object(metadata)]
    }

    /// The caches to hand to the `Controller` that runs this reconciler.
    public var controllerStores: (primary: ObjectStore, owned: [ResourceType: ObjectStore]) { (primary, stores) }

    /// API writes made so far (creates, applies, patches, deletes; Events excluded).
    public var writes: Int { writeTally.withLockedValue { $0 } }

    func wrote(_ count: Int = 1) {
        writeTally.withLockedValue { $0 += count }
        dependencies.metrics?.recordWrites(count)
    }

    /// Reconciles the environment at `key`.
    /// - Throws: ``KubeClientError`` from the API, for the controller to retry with backoff.
    public func reconcile(_ key: ObjectKey) async throws -> ReconcileAction {
        guard let raw = primary.get(key) else { return .awaitChange }
        var object = KubeObject(raw)
        var logger = dependencies.logger
        logger[metadataKey: "k8s.kind"] = "OdooEnvironment"
        logger[metadataKey: "k8s.namespace"] = "\(key.namespace ?? "")"
        logger[metadataKey: "k8s.name"] = "\(key.name)"
        switch Finalizers.decide(object, finalizer: Self.finalizer) {
        case .none: return .awaitChange
        case .cleanup: return try await cleanUp(object, logger: logger)
        case .addFinalizer:
            object = KubeObject(try await dependencies.api.patch(.odooEnvironments, namespace: object.namespace, name: object.name,
                                                                 patch: .json(Finalizers.addPatch(object, finalizer: Self.finalizer)),
                                                                 subresource: nil, options: WriteOptions()))
            wrote()
        case .apply: break
        }
        return try await apply(object, logger: logger)
    }

    /// What the status is written from, besides the plan.
    struct Outcome {
        var environment: OdooEnvironment?
        var desired: DesiredState?
        var imageSource: String?
        var problem: EnvironmentStatus.Problem?
        var stateful = StatefulObservation()
        /// The spec image's pin (also while a change is held and the old image runs).
        var pinnedImage: String?
    }

    func apply(_ object: KubeObject, logger: Logger) async throws -> ReconcileAction {
        var outcome = Outcome()
        let environment: OdooEnvironment
        do {
            environment = try OdooEnvironment.decode(object.raw)
        } catch {
            outcome.problem = EnvironmentStatus.Problem(reason: "InvalidSpec", message: Self.sentence(error.fieldErrors.map(\.description), or: error.message))
            return try await finish(object, outcome, logger: logger)
        }
        outcome.environment = environment
        let source = planner.imageSource(environment)
        outcome.imageSource = source
        let status = object.raw["status"]
        var pinned: String?
        if source.contains("@sha256:") {
            pinned = source
        } else if status?["imageSource"]?.stringValue == source, let image = status?["image"]?.stringValue, image.contains("@sha256:") {
            pinned = image
        } else {
            do {
                pinned = try await dependencies.images.pin(source)
                if let pinned { await event(.normal, "ImagePinned", "Pin", "\(source) is \(pinned)", object) }
            } catch {
                outcome.problem = EnvironmentStatus.Problem(reason: "ImageResolutionFailed", message: error.message)
                _ = try await finish(object, outcome, logger: logger)
                return .requeue(after: .seconds(60))
            }
        }
        var observed = observe(environment, object)
        observed.pinnedImage = pinned
        observed.toolImages = await pinnedTools()
        outcome.pinnedImage = pinned
        // The change gate: what runs keeps running until the change may roll out.
        var stateful = StatefulObservation()
        stateful.backups = await observeBackups(environment, object)
        stateful.rpoHours = dependencies.configuration.backup.rpoHours[environment.stage]
        let desiredImage = pinned ?? source
        // What runs: the web Deployment, or the cron one when web was deleted by hand.
        let running = ChangeGate.Running(deployment: observed.webDeployment, fallbackVersion: environment.version)
            ?? ChangeGate.Running(deployment: observed.cronDeployment, fallbackVersion: environment.version)
        let decision = ChangeGate(environment: environment, desiredImage: desiredImage, rpoHours: stateful.rpoHours ?? 24)
            .decide(running: running, lastBackup: stateful.backups?.lastBackupTime, jobs: await gateJobs(environment, image: desiredImage), now: dependencies.now())
        if decision != .proceed {
            stateful.held = running
            stateful.gate = decision
            observed.held = running
        }
        outcome.stateful = stateful
        let desired: DesiredState
        do {
            desired = try planner.plan(environment, observed: observed)
        } catch {
            outcome.problem = EnvironmentStatus.Problem(reason: "ExceedsTier", message: Self.sentence(error.fieldErrors.map(\.description), or: error.message))
            return try await finish(object, outcome, logger: logger)
        }
        outcome.desired = desired
        if let policy = dependencies.policy() {
            let labels = [GuardLabels.stage: environment.stage.rawValue, GuardLabels.tier: environment.tier.rawValue]
            let denials = PolicyGate(policy: policy).denials(of: desired.printable, namespace: environment.namespace, labels: labels, now: dependencies.now())
            if !denials.isEmpty {
                outcome.problem = EnvironmentStatus.Problem(reason: "PolicyDenied", message: "the GuardPolicy would deny " + Self.sentence(denials, or: ""))
                return try await finish(object, outcome, logger: logger)
            }
        }
        do {
            let created = try await createSecrets(desired.secrets)
            if !created.isEmpty { await event(.normal, "SecretsCreated", "Create", "generated \(created.joined(separator: ", ")) (values are never shown)", object) }
            let applied = try await applyObjects(desired.objects)
            if !applied.isEmpty { await event(.normal, "Applied", "Apply", "applied \(applied.count): \(applied.joined(separator: ", "))", object) }
            let pruned = try await prune(environment, keeping: desired)
            if !pruned.isEmpty { await event(.normal, "Pruned", "Delete", "deleted what is no longer planned: \(pruned.joined(separator: ", "))", object) }
            if !applied.isEmpty || !pruned.isEmpty {
                logger.info("applied the plan", metadata: ["applied": "\(applied.count)", "pruned": "\(pruned.count)"])
            }
            if case .startJob(let kind, let name, _, _) = decision {
                try await startJob(kind, name: name, environment: environment, image: desiredImage, object: object)
            }
        } catch let error as KubeClientError where error.code == .forbidden || error.code == .invalid || error.code == .badRequest {
            // An admission webhook (or the API's validation) refused an object: report, do not retry blindly.
            outcome.problem = EnvironmentStatus.Problem(reason: "ApplyRejected", message: error.message)
            _ = try await finish(object, outcome, logger: logger)
            return .requeue(after: .seconds(300))
        }
        outcome.stateful.database = await databaseCheck(environment)
        return try await finish(object, outcome, logger: logger)
    }

    /// Observations from the caches.
    func observe(_ environment: OdooEnvironment, _ object: KubeObject) -> ObservedState {
        let names = environment.childNames
        let deployments = stores[.deployments]
        let secrets = stores[.secrets]
        var tlsPresent: Bool?
        if case .secret(let name) = environment.routing.tls {
            tlsPresent = secrets?.get(ObjectKey(namespace: environment.namespace, name: name)) != nil
        }
        return ObservedState(
            webDeployment: deployments?.get(ObjectKey(namespace: environment.namespace, name: names.deployment("web"))),
            cronDeployment: deployments?.get(ObjectKey(namespace: environment.namespace, name: names.deployment("cron"))),
            tlsSecretPresent: tlsPresent,
            databaseSecretPresent: secrets?.get(ObjectKey(namespace: environment.namespace, name: environment.databaseSecretName)) != nil,
            previousConditions: (object.raw["status"]?["conditions"]?.arrayValue ?? []).compactMap(Condition.init(json:)),
            now: dependencies.now())
    }
}
