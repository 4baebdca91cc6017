import ArgumentParser
import CommandLineSupport
import Logging
import OdooOperator

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
        var options = OperatorLaunch.Options(identity: OperatorLaunch.Options.defaultIdentity)
        options.kubeconfig = kubeconfig
        options.configFile = config
        options.policyFile = policy
        options.namespace = namespace
        options.labelSelector = labelSelector
        options.workers = workers
        options.leaderElection = leaderElect == "on"
        options.leaseNamespace = leaderElectionNamespace
        options.leaseName = leaseName
        options.resolveImages = resolveImages == "on"
        options.host = host
        options.port = port
        options.resyncSeconds = resyncSeconds
        options.auditInterval = auditInterval
        options.policyName = policyName
        let launch: OperatorLaunch
        do { launch = try await OperatorLaunch.build(options, logger: logger) } catch {
            logger.critical("guard-operator cannot start", metadata: ["error": .string("\(error)")])
            throw ExitCode(2)
        }
        do { try await launch.run(logger: logger) } catch {
            logger.critical("guard-operator stopped on an error", metadata: ["error": .string("\(error)")])
            throw ExitCode(1)
        }
    }

    static func main() async { await mainWithGuardExitCodes() }
}
