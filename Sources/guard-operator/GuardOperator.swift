import ArgumentParser
import CommandLineSupport
import Foundation
import GuardRules
import ImageProvenance
import KubeClient
import KubeRuntime
import Logging
import OdooOperator
import OdooPlan
import PolicyAudit
import ServiceLifecycle

/// `guard-operator`: reconciles OdooEnvironments. Parses arguments and starts the library's services.
@main
struct GuardOperator: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guard-operator",
        abstract: "The odoo-guard operator: turns OdooEnvironments into governed, routed Odoo environments.",
        discussion: """
            Serves GET /healthz, /readyz (caches synced) and /metrics on --port. With leader election (the default) \
            only the instance holding the Lease reconciles. SIGTERM finishes the reconciles in progress and releases the Lease.
            Exit status: 0 after a clean shutdown, 2 for bad flags or files at start, 1 when running fails.
            """)

    @Option(name: .long, help: "Kubeconfig. Default: KUBECONFIG, else in-cluster, else ~/.kube/config.") var kubeconfig: String?
    @Option(name: .long, help: "Operator configuration file (YAML). Default: the embedded one (see guardctl render).") var config: String?
    @Option(name: .long, help: "GuardPolicy file the plan is checked against before applying; 'none' skips the check. Default: the embedded policy.")
    var policy: String?
    @Option(name: .long, help: "Watch this namespace only. Default: all namespaces.") var namespace: String?
    @Option(name: .long, help: "Reconcile only OdooEnvironments with these labels (sharding), e.g. shard=a.") var labelSelector: String?
    @Option(name: .long, help: "Concurrent reconciles.") var workers: Int = 4
    @Option(name: .long, help: "Leader election: on or off.") var leaderElect: String = "on"
    @Option(name: .long, help: "Namespace of the leader Lease. Default: the pod's namespace, else odoo-guard.") var leaderElectionNamespace: String?
    @Option(name: .long, help: "Name of the leader Lease (one per shard).") var leaseName: String = "guard-operator"
    @Option(name: .long, help: "Resolve image tags to digests in the registry: on, or off (only digest-pinned images are accepted).")
    var resolveImages: String = "on"
    @Option(name: .long, help: "Health and metrics port.") var port: Int = 8080
    @Option(name: .long, help: "Health and metrics address.") var host: String = "0.0.0.0"
    @Option(name: .long, help: "Seconds between full re-checks of every environment.") var resyncSeconds: Int = 600
    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel: String = "info"
    @Option(name: .long, help: "Seconds between background audit passes writing PolicyReports (wgpolicyk8s.io); 0 turns the audit off.")
    var auditInterval: Int = 3600
    @Option(name: .long, help: "The cluster GuardPolicy the background audit judges by (read every 30 s; a change starts a pass).")
    var policyName: String = "default"

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else { throw ValidationError("--log-level \(logLevel) is not a log level") }
        guard ["on", "off"].contains(leaderElect) else { throw ValidationError("--leader-elect must be on or off") }
        guard ["on", "off"].contains(resolveImages) else { throw ValidationError("--resolve-images must be on or off") }
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
        guard auditInterval >= 0 else { throw ValidationError("--audit-interval must be 0 (off) or a number of seconds") }
        LoggingSystem.bootstrap { JSONLogHandler(label: $0, level: level) }
        let logger = Logger(label: "guard-operator")
        let kube: KubeConfig
        var settings: OperatorService.Settings
        do {
            kube = try KubeConfig.resolve(explicitPath: kubeconfig)
            let configuration = try config.map { path throws(OdooPlanError) in
                let text: String
                do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
                    throw OdooPlanError.invalidConfiguration("\(path): cannot be read: \(error.localizedDescription)", cause: error)
                }
                return try OperatorConfiguration.decode(yaml: text, source: path)
            } ?? OperatorConfiguration.builtIn()
            let guardPolicy: GuardPolicy? = try {
                switch policy {
                case "none"?: return nil
                case let path?: return try GuardPolicy(text: try String(contentsOfFile: path, encoding: .utf8))
                case nil: return try GuardPolicy.builtIn()
                }
            }()
            settings = OperatorService.Settings(configuration: configuration, policy: guardPolicy)
        } catch {
            logger.critical("guard-operator cannot start", metadata: ["error": .string("\(error)")])
            throw ExitCode(2)
        }
        settings.namespace = namespace
        if auditInterval > 0 {
            var audit = BackgroundAudit.Settings()
            audit.interval = .seconds(auditInterval)
            audit.policyName = policyName
            audit.fallbackPolicy = settings.policy
            settings.audit = audit
        }
        settings.labelSelector = labelSelector
        settings.workers = workers
        settings.host = host
        settings.port = port
        settings.resyncPeriod = .seconds(max(10, resyncSeconds))
        let identity = ProcessInfo.processInfo.environment["POD_NAME"] ?? ProcessInfo.processInfo.hostName + "-" + String(ProcessInfo.processInfo.processIdentifier)
        if leaderElect == "on" {
            let leaseNamespace = leaderElectionNamespace ?? (kube.namespace == "default" ? "odoo-guard" : kube.namespace)
            settings.leaderElection = LeaderElector.Configuration(leaseName: leaseName, namespace: leaseNamespace, identity: identity)
        }
        let client: KubeHTTPClient
        do { client = try KubeHTTPClient(config: kube, logger: logger) } catch {
            logger.critical("guard-operator cannot start", metadata: ["error": .string("\(error)")])
            throw ExitCode(2)
        }
        let provenance = resolveImages == "on" ? ImageProvenanceService(logger: logger) : nil
        let images: any ImageResolving = provenance.map { RegistryImageResolver(service: $0) } ?? PinnedOnlyImageResolver()
        let service: OperatorService
        do {
            service = try OperatorService(api: client, settings: settings, images: images, identity: identity, logger: logger)
        } catch {
            try? await client.shutdown()
            logger.critical("guard-operator cannot start", metadata: ["error": .string("\(error)")])
            throw ExitCode(2)
        }
        do {
            var services: [any Service] = service.services()
            if let provenance { services.insert(provenance, at: 0) }
            var group = ServiceGroupConfiguration(services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            group.maximumGracefulShutdownDuration = settings.shutdownGracePeriod
            group.maximumCancellationDuration = .seconds(1)
            try await ServiceGroup(configuration: group).run()
            try? await client.shutdown()
        } catch {
            try? await client.shutdown()
            logger.critical("guard-operator stopped on an error", metadata: ["error": .string("\(error)")])
            throw ExitCode(1)
        }
    }

    static func main() async { await mainWithGuardExitCodes() }
}
