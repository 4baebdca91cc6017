import AuditTrail
import Foundation
import Hummingbird
import ImageProvenance
import NIOSSL
import HummingbirdCore
import KubeRuntime
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import UnixSignals

/// `guard-webhook` as a library: loads the certificate and policy (failing fast with a clear error),
/// then serves HTTPS until SIGTERM/SIGINT, reloading files as they change and writing audit evidence.
///
/// The executable only parses flags into a ``WebhookConfiguration`` and calls ``run(onListening:)``;
/// the tests do the same with port 0.
public final class WebhookServer: Sendable {
    /// The settings.
    public let configuration: WebhookConfiguration
    /// The serving certificate in use.
    public let certificates: CertificateStore
    /// The policy and context in use.
    public let policies: PolicyStore
    /// The metrics `/metrics` renders.
    public let metrics: WebhookMetrics
    /// Registry look-ups for digest resolution and signature verification.
    public let provenance: ImageProvenanceService
    /// Credentials from `--registry-auth-file`.
    public let registryCredentials: CredentialStore
    /// The cluster watch, when a cluster is configured.
    public let clusterWatch: ClusterWatch?
    /// The PostgreSQL audit writer, with `--audit-dsn`.
    public let auditWriter: PostgresAuditWriter?
    /// The memory admission reviews in flight share, from `--memory-limit` or the cgroup's limit.
    public let memory: MemoryBudget
    private let logger: Logger

    /// Loads everything the server needs before it listens.
    /// - Throws: ``AdmissionServerError`` naming the file or setting at fault.
    public init(configuration: WebhookConfiguration, logger: Logger) throws(AdmissionServerError) {
        let problems = configuration.problems
        guard problems.isEmpty else { throw AdmissionServerError.invalidConfiguration(problems.joined(separator: "; ")) }
        self.configuration = configuration
        self.logger = logger
        certificates = try CertificateStore(certificateFile: configuration.certificateFile, privateKeyFile: configuration.privateKeyFile,
                                            clientCAFile: configuration.clientCAFile)
        policies = try PolicyStore(policyFile: configuration.policyFile, contextFiles: configuration.contextFiles,
                                   defaultStage: configuration.defaultStage)
        metrics = WebhookMetrics()
        let caText = try configuration.registryCAFile.map { file throws(AdmissionServerError) in try TextFile.read(file, what: "registry CA file") }
        var roots: [NIOSSLCertificate] = []
        if let caText, let file = configuration.registryCAFile {
            do { roots = try NIOSSLCertificate.fromPEMBytes(Array(caText.utf8)) } catch {
                throw AdmissionServerError.invalidConfiguration("registry CA file \(file) holds no readable PEM certificate")
            }
            if roots.isEmpty { throw AdmissionServerError.invalidConfiguration("registry CA file \(file) holds no PEM certificate") }
        }
        provenance = ImageProvenanceService(configuration: .init(additionalTrustRoots: roots, cacheSize: policies.state.evaluator.policy.provenance.cacheSize),
                                            logger: logger)
        if let file = configuration.registryAuthFile {
            let text = try TextFile.read(file, what: "registry auth file")
            do { registryCredentials = try CredentialStore(dockerConfig: Array(text.utf8), source: "registry auth file \(file)") } catch {
                throw AdmissionServerError.invalidConfiguration(error.message, cause: error)
            }
        } else {
            registryCredentials = CredentialStore()
        }
        let policies = self.policies
        let metrics = self.metrics
        clusterWatch = configuration.cluster.map { cluster in
            ClusterWatch(config: cluster, policyName: configuration.clusterPolicyName, policies: policies, metrics: metrics,
                         defaultStage: configuration.defaultStage ?? policies.state.evaluator.policy.offlineDefaultStage.rawValue, logger: logger)
        }
        memory = MemoryBudget(limitBytes: configuration.memoryLimitBytes ?? MemoryBudget.containerLimit())
        auditWriter = configuration.auditDSN.map { dsn in
            PostgresAuditWriter(configuration: .init(dsn: dsn, table: configuration.auditTable, capacity: configuration.auditQueueCapacity,
                                                     key: configuration.auditKey),
                                logger: logger)
        }
    }

    /// Caps glibc's malloc arenas at one for the whole process, unless `MALLOC_ARENA_MAX` already sets
    /// them (the chart does; glibc reads it before any thread exists, which makes it the surer way).
    /// An arena keeps the peak of the reviews that ran on it, so with glibc's default of 8 per core a
    /// burst of large reviews one after another left several peaks resident (`bench/REPORT.md`, issue
    /// #33). Call it first thing, before any thread starts; a no-op off glibc.
    public static func limitMallocArenas() {
        guard ProcessInfo.processInfo.environment["MALLOC_ARENA_MAX"] == nil else { return }
        MallocControl.limitArenas(to: 1)
    }

    /// Makes SwiftNIO's event loops Swift's global executor for this process, so an HTTP request, its
    /// decision and its response run on the thread that reads and writes its connection, with no switch
    /// to Swift's own pool and back (a fifth to a third of the webhook's CPU per request:
    /// `bench/REPORT.md`, issue #37, tenth part). Reviews over 64 KiB and the background services run
    /// on ``OffLoopExecutor`` instead. Call it first thing, before any task starts, and only once (a
    /// second call traps: SwiftNIO's rule); `false` when the runtime offers no hook (tasks then stay on
    /// the global pool).
    public static func runTasksOnEventLoops() -> Bool {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }

    /// The services, in start order: the audit writer (stopped last, after a final flush), the registry
    /// look-ups, the return of freed memory, the cluster watch (when connected), the file watcher, the
    /// probe listener (with `--health-port`), the HTTPS server (it stops
    /// accepting and finishes in-flight requests) and the shutdown drain (stopped first: readiness
    /// turns 503 and requests keep being served for the shutdown delay).
    public func services(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) -> [any Service] {
        let handler = AdmissionHandler(policies: policies, provenance: provenance, registryCredentials: registryCredentials,
                                       audit: auditWriter ?? DiscardingAuditSink(), metrics: metrics, logger: logger)
        let writer = auditWriter
        let drain = ShutdownDrain.State()
        let routes = WebhookRoutes(handler: handler, certificates: certificates, policies: policies, metrics: metrics,
                                   auditStatistics: { writer.map { let s = $0.statistics; return (s.queued, s.dropped, s.written, s.failedFlushes) } },
                                   maxBodyBytes: configuration.maxBodyBytes, memory: memory, memoryWait: configuration.memoryWait,
                                   cluster: clusterWatch, drain: drain, requireClientCertificate: configuration.clientCAFile != nil)
        let certificates = self.certificates
        let metrics = self.metrics
        let configuration = self.configuration
        let limiter = SourceConnectionLimiter(perSource: configuration.maxConnectionsPerSource)
        let server = HTTPServerBuilder { responder in
            let http = HTTP1Channel(responder: responder, configuration: .init(
                additionalChannelHandlers: [RequestCompletionSignal(), BodyReadGate()] + (configuration.clientCAFile == nil ? [] : [ClientCertificateMarker()]),
                idleTimeout: .init(configuration.idleTimeout)))
            var channel = ReloadingTLSChannel(baseChannel: http, certificates: certificates, handshakeTimeout: .init(configuration.handshakeTimeout))
            channel.connectionHandlers = { [limiter.handler(onRefused: { metrics.recordRejection("source_connection_limit") })] }
            channel.plaintextHandlers = {
                [RequestDeadlineHandler(timeout: .init(configuration.requestReadTimeout), onTimeout: { metrics.recordRejection("read_timeout") })]
            }
            return channel
        }
        let logger = self.logger
        let application = Application(
            router: routes.router(), server: server,
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port),
                                                    availableConnectionsDelegate: MaximumAvailableConnections(configuration.maxConnections)),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                logger.notice("guard-webhook listening", metadata: [
                    "port": .stringConvertible(port), "policy.version": .string(self.policies.state.policyVersion),
                ])
                await onListening(port)
            },
            logger: logger)
        let watcher = ReloadWatcher(certificates: certificates, policies: policies, metrics: metrics,
                                    interval: configuration.reloadInterval, logger: logger)
        let cluster: [any Service] = clusterWatch.map { [$0] } ?? []
        let draining = ShutdownDrain(state: drain, delay: configuration.shutdownDelay, logger: logger)
        let returning: [any Service] = configuration.memoryReturnInterval.map { [MemoryReturn(budget: memory, interval: $0, logger: logger)] } ?? []
        let health: [any Service] = configuration.healthPort.map { [healthApplication(routes: routes, port: $0)] } ?? []
        let background = (returning + cluster + [watcher]).map { OffLoopService(base: $0) as any Service }
        return (writer.map { [$0] } ?? []) + [provenance] + background + health + [application, draining]
    }

    /// The kubelet's own listener (`--health-port`): plain HTTP, `/healthz` and `/readyz` only, a few
    /// short-lived connections. The admission port's per-source limits never reach it, and the chart's
    /// NetworkPolicy admits no pod to it (the kubelet probes from the node).
    func healthApplication(routes: WebhookRoutes, port: Int) -> any Service {
        let logger = self.logger
        return Application(
            router: routes.healthRouter(),
            server: .http1(configuration: .init(idleTimeout: .seconds(5))),
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: port),
                                                    availableConnectionsDelegate: MaximumAvailableConnections(32)),
            onServerRunning: { channel in
                logger.notice("guard-webhook health probes listening", metadata: ["port": .stringConvertible(channel.localAddress?.port ?? port)])
            },
            logger: logger)
    }

    /// Serves until SIGTERM or SIGINT, or until the calling task is cancelled; shutdown lets in-flight
    /// requests finish within the grace period.
    public func run(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try await ServiceGroup(configuration: groupConfiguration(signals: [.sigterm, .sigint], onListening: onListening)).run()
    }

    /// The service group ``run(onListening:)`` runs: graceful shutdown on `signals` (none when the
    /// caller triggers it), bounded by the grace period, then cancellation.
    public func groupConfiguration(signals: [UnixSignal], onListening: @escaping @Sendable (Int) async -> Void = { _ in })
        -> ServiceGroupConfiguration {
        var group = ServiceGroupConfiguration(services: services(onListening: onListening).map {
            ServiceGroupConfiguration.ServiceConfiguration(service: $0)
        }, gracefulShutdownSignals: signals, logger: logger)
        group.maximumGracefulShutdownDuration = configuration.shutdownGracePeriod
        group.maximumCancellationDuration = .seconds(1)
        return group
    }
}
