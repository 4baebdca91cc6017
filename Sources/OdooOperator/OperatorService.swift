import Foundation
import GuardRules
import Hummingbird
import KubeClient
import KubeModel
import KubeRuntime
import Logging
import NIOCore
import OdooPlan
import PolicyAudit
import ServiceLifecycle
import UnixSignals

/// `guard-operator` as a library: the OdooEnvironment controller (optionally leader-elected), the
/// Event recorder, and an HTTP server with `/healthz`, `/readyz` and `/metrics`.
public struct OperatorService: Sendable {
    /// The operator's settings.
    public struct Settings: Sendable {
        /// The environments' configuration (servers, tiers, Traefik).
        public var configuration: OperatorConfiguration
        /// The policy the pre-apply check uses; `nil` skips the check.
        public var policy: GuardPolicy?
        /// Watch one namespace only; `nil` for all.
        public var namespace: String?
        /// Reconcile only environments with these labels (sharding).
        public var labelSelector: String?
        /// Concurrent reconciles.
        public var workers = 4
        /// Leader election: the Lease's namespace and name, and this instance's identity; `nil` to run without.
        public var leaderElection: LeaderElector.Configuration?
        /// Host and port of the health and metrics server (port 0 picks a free one).
        public var host = "0.0.0.0"
        /// The port.
        public var port = 8080
        /// How often every environment is re-checked even without a change.
        public var resyncPeriod: Duration = .seconds(600)
        /// The background audit writing PolicyReports; `nil` runs none.
        public var audit: BackgroundAudit.Settings?
        /// Graceful shutdown limit.
        public var shutdownGracePeriod: Duration = .seconds(20)
        /// The clock releases judge verification windows and soaks by (tests move it ahead).
        public var releaseClock: @Sendable () -> Date = { Date() }
        /// The synthetic login check that ends every change's verification (`nil`: none; the rollout and restarts decide).
        public var loginChecker: (any LoginChecking)? = HTTPLoginChecker()

        /// Settings.
        public init(configuration: OperatorConfiguration, policy: GuardPolicy? = nil) {
            self.configuration = configuration
            self.policy = policy
        }
    }

    /// The settings.
    public let settings: Settings
    /// The reconciler (its caches and write count are what tests and benchmarks look at).
    public let reconciler: EnvironmentReconciler
    /// The controller running it.
    public let controller: Controller
    /// The OdooRelease reconciler and its controller; `nil` for an operator limited to one namespace or
    /// one shard (a label selector), since a release spans every namespace and shard and one instance
    /// must drive it.
    public let releases: (reconciler: ReleaseReconciler, controller: Controller)?
    /// The OdooRestore controller (reading the environment controller's cache).
    public let restores: (reconciler: RestoreReconciler, controller: Controller)
    /// The metrics.
    public let metrics: OperatorMetrics
    let elector: LeaderElector?
    let api: any KubernetesAPI
    let logger: Logger

    /// Wires the operator to an API.
    /// - Throws: ``OperatorError`` `invalidConfiguration` for unusable settings.
    public init(api: any KubernetesAPI, settings: Settings, images: any ImageResolving, identity: String, logger: Logger) throws(OperatorError) {
        self.settings = settings
        self.api = api
        self.logger = logger
        let metrics = OperatorMetrics()
        self.metrics = metrics
        let policy = settings.policy
        // The policy the plans are checked against owns the containers' defaults and maxima too.
        let configuration = policy.map { settings.configuration.withTiers(of: $0) } ?? settings.configuration
        reconciler = EnvironmentReconciler(dependencies: EnvironmentReconciler.Dependencies(
            api: api, configuration: configuration, policy: { policy }, images: images,
            events: EventRecorder(api: api, controller: "odooguard.io/guard-operator", instance: identity, logger: logger),
            metrics: metrics,
            provisioner: ClusterTenantProvisioner(api: api, configuration: settings.configuration, logger: logger),
            loginChecker: settings.loginChecker, logger: logger))
        do {
            elector = try settings.leaderElection.map { configuration throws(KubeRuntimeError) in
                try LeaderElector(api: api, configuration: configuration, logger: logger)
            }
            var configuration = Controller.Configuration(name: "odooenvironment", resource: .odooEnvironments)
            configuration.namespace = settings.namespace
            configuration.labelSelector = settings.labelSelector
            configuration.owned = EnvironmentReconciler.watchedResources(settings.configuration)
            configuration.ownedWatches = EnvironmentReconciler.watchScopes(settings.configuration)
            configuration.errorPolicy = EnvironmentReconciler.errorPolicy
            // Backup Jobs made by CronJobs are not owned by the environment; its label names it.
            configuration.ownerLabel = GuardLabels.environment
            configuration.workers = settings.workers
            configuration.resyncPeriod = settings.resyncPeriod
            let reconciler = self.reconciler
            controller = try Controller(api: api, configuration: configuration, leaderElector: elector, stores: reconciler.controllerStores,
                                        logger: logger) { key in
                let start = ContinuousClock.now
                do {
                    let action = try await reconciler.reconcile(key)
                    metrics.recordReconcile(duration: ContinuousClock.now - start, failed: false)
                    if reconciler.primary.get(key) == nil { metrics.forget(key) }
                    return action
                } catch {
                    metrics.recordReconcile(duration: ContinuousClock.now - start, failed: true)
                    throw error
                }
            }
        } catch {
            throw OperatorError.invalidConfiguration(error.description)
        }
        releases = try Self.releaseController(api: api, settings: settings, environments: reconciler.primary, elector: elector, identity: identity,
                                              logger: logger)
        restores = try Self.restoreController(api: api, settings: settings, configuration: configuration, environments: reconciler.primary,
                                              jobs: reconciler.stores[.jobs], elector: elector, identity: identity, logger: logger)
    }

    /// The release controller, unless the operator is limited to a namespace or a shard. It reads
    /// the environment controller's cache (which then holds every environment) and is woken by its
    /// changes. Releases are few: one worker. Only the leader switches environments; a standby looks
    /// again later.
    static func releaseController(api: any KubernetesAPI, settings: Settings, environments: ObjectStore, elector: LeaderElector?, identity: String,
                                  logger: Logger) throws(OperatorError) -> (reconciler: ReleaseReconciler, controller: Controller)? {
        guard settings.labelSelector == nil, settings.namespace == nil else { return nil }
        let reconciler = ReleaseReconciler(api: api, environments: environments,
                                           events: EventRecorder(api: api, controller: "odooguard.io/guard-operator", instance: identity, logger: logger),
                                           now: settings.releaseClock, logger: logger)
        let configuration = ReleaseReconciler.controllerConfiguration(resyncPeriod: settings.resyncPeriod)
        do {
            let controller = try Controller(api: api, configuration: configuration, stores: reconciler.controllerStores, logger: logger) { key in
                if let elector, !elector.isLeader { return .requeue(after: .seconds(15)) }
                return try await reconciler.reconcile(key)
            }
            reconciler.wake(controller, on: environments)
            return (reconciler, controller)
        } catch {
            throw OperatorError.invalidConfiguration(error.description)
        }
    }

    /// Whether every cache has synced (what `/readyz` reports).
    public var isSynced: Bool {
        reconciler.primary.isReady && reconciler.stores.values.allSatisfy(\.isReady)
            && (releases.map { $0.reconciler.primary.isReady } ?? true) && restores.reconciler.primary.isReady
    }

    /// The services to run: the controller, the HTTP server (health, metrics) and, when set, the background audit.
    public func services(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) -> [any Service] {
        let router = Router(context: BasicRequestContext.self)
        let reconciler = self.reconciler
        let metrics = self.metrics
        let controller = self.controller
        let elector = self.elector
        let releases = self.releases
        router.get("/healthz") { _, _ in OperatorService.text(.ok, "ok\n") }
        router.get("/readyz") { _, _ in
            OperatorService.readiness(reconciler: reconciler, releases: releases?.reconciler, elector: elector, now: Date())
        }
        router.get("/metrics") { _, _ in
            OperatorService.sample(reconciler: reconciler, controller: controller, elector: elector, metrics: metrics)
            var buffer: [UInt8] = []
            metrics.emit(into: &buffer)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: buffer)))
        }
        let logger = self.logger
        let port = settings.port
        let application = Application(
            router: router, configuration: ApplicationConfiguration(address: .hostname(settings.host, port: port)),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? port
                logger.notice("guard-operator serving health and metrics", metadata: ["port": .stringConvertible(bound)])
                await onListening(bound)
            },
            logger: logger)
        let running = [controller, restores.controller] + (releases.map { [$0.controller] } ?? [])
        // After a restart every environment is reconciled at once; the burst's memory goes back once it is over.
        let trimmer = BurstTrimmer(
            interval: .seconds(5),
            activity: { running.reduce(0) { total, each in let counters = each.counters; return total + counters.succeeded + counters.failed + counters.terminal } },
            idle: { running.allSatisfy { $0.queue.depth == 0 && $0.queue.processingCount == 0 } },
            logger: logger)
        let controllers: [any Service] = running + [trimmer]
        guard let audit = settings.audit else { return controllers + [application] }
        // Only the leader writes reports; a standby's pass would race it.
        let background = BackgroundAudit(api: api, settings: audit, isLeader: { elector?.isLeader ?? true },
                                         onPass: { pass, time in metrics.recordAuditPass(pass, at: time) }, logger: logger)
        return controllers + [application, background]
    }

    /// Refreshes the gauges from the caches and the queue.
    static func sample(reconciler: EnvironmentReconciler, controller: Controller, elector: LeaderElector?, metrics: OperatorMetrics) {
        metrics.queueDepth.set(Int64(controller.queue.depth))
        metrics.environments.set(Int64(reconciler.primary.count))
        let managed = reconciler.stores.values.reduce(0) { $0 + $1.count(label: GuardLabels.managedBy, value: GuardLabels.managerName) }
        metrics.managedObjects.set(Int64(managed))
        let leading = elector.map(\.isLeader) ?? true
        metrics.leader.set(Int64(leading ? 1 : 0))
        if !leading { metrics.forgetEnvironments() }
        metrics.refreshSleep()
        if case .failing(_, _, let attempts)? = elector?.standing {
            metrics.leaseFailures.set(Int64(attempts))
        } else {
            metrics.leaseFailures.set(Int64(0))
        }
    }

    /// `/readyz`: 503 naming what is missing while a cache has not synced, or while the leader Lease
    /// has failed for longer than a lease duration (the operator would otherwise look healthy while it
    /// reconciles nothing); 200 when ready, saying whether this instance leads or stands by.
    static func readiness(reconciler: EnvironmentReconciler, releases: ReleaseReconciler? = nil, elector: LeaderElector?, now: Date) -> Response {
        let release = releases.map { [("odooreleases", $0.primary)] } ?? []
        let pending = ([("odooenvironments", reconciler.primary)] + reconciler.stores.map { ($0.key.resource, $0.value) } + release)
            .filter { !$0.1.isReady }.map(\.0).sorted()
        if !pending.isEmpty {
            return text(.serviceUnavailable, "not ready: caches not synced yet: \(pending.joined(separator: ", "))\n")
        }
        guard let elector else { return text(.ok, "ready\n") }
        let lease = "\(elector.configuration.namespace)/\(elector.configuration.leaseName)"
        switch elector.standing {
        case .leading:
            return text(.ok, "ready: leading (Lease \(lease))\n")
        case .standby(let holder):
            return text(.ok, "ready: standing by, Lease \(lease) is held by \(holder)\n")
        case .campaigning:
            return text(.ok, "ready: campaigning for Lease \(lease)\n")
        case .failing(let reason, let since, let attempts):
            let seconds = now.timeIntervalSince(since)
            guard seconds >= Double(elector.configuration.leaseDuration.components.seconds) else {
                return text(.ok, "ready: retrying Lease \(lease) (\(attempts) failed attempts)\n")
            }
            return text(.serviceUnavailable, "not ready: not reconciling: Lease \(lease) has failed for \(Int(seconds)) s (\(attempts) attempts): \(reason)\n")
        }
    }

    static func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}
