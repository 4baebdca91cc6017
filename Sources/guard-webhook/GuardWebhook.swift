import AdmissionServer
import ArgumentParser
import AuditTrail
import CommandLineSupport
import Foundation
import KubeClient
import Logging
import PostgresAccess

/// `guard-webhook`: the HTTPS admission server. Parses flags and runs ``WebhookServer``.
@main
struct GuardWebhook: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guard-webhook",
        abstract: "The odoo-guard admission webhook: POST /validate and /mutate (AdmissionReview v1) over HTTPS.",
        discussion: """
            Also serves GET /healthz, /readyz and /metrics. The certificate, key, policy and context files are \
            re-read when they change. SIGTERM stops accepting connections and lets in-flight requests finish.
            Exit status: 0 after a clean shutdown, 2 for bad flags or files at start, 1 when serving fails.
            """)

    @Option(name: .long, help: "PEM serving certificate (chain).") var tlsCert: String
    @Option(name: .long, help: "PEM private key of the serving certificate.") var tlsKey: String
    @Option(name: .long, help: "GuardPolicy file (YAML or JSON).") var policy: String
    @Option(name: .long, help: "Listen port.") var port: Int = 8443
    @Option(name: .long, help: "Listen address.") var host: String = "0.0.0.0"
    @Option(name: .long, help: "PostgreSQL DSN (postgres://user:password@host:port/db?sslmode=...) for the audit chain.")
    var auditDsn: String?
    @Option(name: .long, help: "File holding the audit DSN (a mounted Secret key): keeps the password out of the process's arguments.")
    var auditDsnFile: String?
    @Option(name: .long, help: "Audit table name.") var auditTable: String = AuditTable.defaultName
    @Option(name: .long, help: "File holding the audit chain's HMAC key (a mounted Secret key, at least 32 bytes).")
    var auditKeyFile: String?
    @Option(name: .long, help: "Audit records held while PostgreSQL is unavailable.") var auditQueue: Int = 10_000
    @Option(name: .long, help: "Manifest file of Namespaces, PDBs, GuardExceptions… decisions are made with (repeatable).")
    var context: [String] = []
    @Option(name: .long, help: "Stage of namespaces the context does not declare. Default: the policy's offlineDefaultStage.")
    var defaultStage: String?
    @Option(name: .long, help: "Largest request body in bytes.") var maxBodyBytes: Int = 7 * 1024 * 1024
    @Option(name: .long, help: "Most concurrent connections.") var maxConnections: Int = 1024
    @Option(name: .long, help: "Most concurrent connections from one client address.") var maxConnectionsPerSource: Int = 256
    @Option(name: .long, help: "Seconds a keep-alive connection may stay idle.") var idleTimeout: Int = 60
    @Option(name: .long, help: "Seconds after SIGTERM during which requests are still served and /readyz answers 503.")
    var shutdownDelay: Int = 5
    @Option(name: .long, help: "Seconds shutdown may take before in-flight requests are cut.") var gracePeriod: Int = 25
    @Option(name: .long, help: "PEM CA of the API server's client certificate (AdmissionConfiguration kubeConfigFile): /validate and /mutate then refuse callers without one.")
    var clientCaFile: String?
    @Option(name: .long, help: "PEM CA certificates trusted for registries besides the system's.") var registryCaFile: String?
    @Option(name: .long, help: "A .dockerconfigjson with registry credentials (a mounted pull Secret).") var registryAuthFile: String?
    @Option(name: .long, help: "Kubeconfig of the cluster whose Namespaces, PDBs, GuardExceptions and GuardPolicy decisions use. Default: KUBECONFIG, else in-cluster when running in a pod.")
    var kubeconfig: String?
    @Option(name: .long, help: "Use the cluster's context: auto (with --kubeconfig, KUBECONFIG or in a pod), off (files only).")
    var cluster: String = "auto"
    @Option(name: .long, help: "The cluster-scoped GuardPolicy that replaces --policy while it exists and is valid.")
    var clusterPolicy: String = "default"
    @Option(name: .long, help: "The container's memory limit (bytes or a quantity such as 256Mi); reviews in flight share a budget derived from it. Default: the cgroup's limit.")
    var memoryLimit: String?
    @Option(name: .long, help: "Milliseconds between returns of freed memory to the system after large reviews (glibc malloc_trim); 0: never.")
    var memoryReturnIntervalMs: Int = 200
    @Option(name: .long, help: "Plain-HTTP port serving only /healthz and /readyz for the kubelet, apart from the admission port's connection limits. Default: none.")
    var healthPort: Int?
    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel: String = "info"
    @Flag(name: .long, help: "Run request handling and decisions on Swift's global pool. By default they run on SwiftNIO's event-loop threads, with no thread switch per request; reviews over 64 KiB and background work run on threads of their own.")
    var tasksOnGlobalPool = false

    func run() async throws {
        // Before anything starts a thread: an arena created before the cap stays.
        WebhookServer.limitMallocArenas()
        // Before any task starts, too: jobs already queued on the global pool stay there.
        let onEventLoops = !tasksOnGlobalPool && WebhookServer.runTasksOnEventLoops()
        guard let level = Logger.Level(rawValue: logLevel) else { throw ValidationError("--log-level \(logLevel) is not a log level") }
        LoggingSystem.bootstrap { JSONLogHandler(label: $0, level: level) }
        let logger = Logger(label: "guard-webhook")
        logger.notice("guard-webhook starting", metadata: [
            "tasks": .string(onEventLoops ? "event loops" : "global pool"),
            "tasks.requested": .string(tasksOnGlobalPool ? "global pool" : "event loops"),
        ])
        let server: WebhookServer
        do {
            if auditDsn != nil && auditDsnFile != nil { throw ValidationError("give --audit-dsn or --audit-dsn-file, not both") }
            let auditDSN = try auditDsnFile.map { try PostgresDSN(contentsOfFile: $0) } ?? auditDsn.map { try PostgresDSN($0) }
            let configuration = WebhookConfiguration(
                certificateFile: tlsCert, privateKeyFile: tlsKey, policyFile: policy, contextFiles: context,
                defaultStage: defaultStage, host: host, port: port, maxBodyBytes: maxBodyBytes, maxConnections: maxConnections,
                maxConnectionsPerSource: maxConnectionsPerSource, idleTimeout: .seconds(idleTimeout),
                shutdownDelay: .seconds(shutdownDelay), shutdownGracePeriod: .seconds(gracePeriod), auditDSN: auditDSN,
                auditTable: try AuditTable(auditTable), auditQueueCapacity: auditQueue,
                registryCAFile: registryCaFile, registryAuthFile: registryAuthFile)
            var settings = configuration
            settings.auditKey = try auditKeyFile.map { try AuditKey(contentsOfFile: $0) }
            settings.clientCAFile = clientCaFile
            if settings.auditKey != nil && auditDSN == nil { throw ValidationError("--audit-key-file needs --audit-dsn or --audit-dsn-file") }
            settings.clusterPolicyName = clusterPolicy
            settings.memoryLimitBytes = try memoryLimit.map { try MemoryBudget.parseLimit($0) }
            settings.healthPort = healthPort
            if memoryReturnIntervalMs < 0 { throw ValidationError("--memory-return-interval-ms must be 0 (never) or a number of milliseconds") }
            settings.memoryReturnInterval = memoryReturnIntervalMs == 0 ? nil : .milliseconds(memoryReturnIntervalMs)
            switch cluster {
            case "off": settings.cluster = nil
            case "auto":
                let environment = ProcessInfo.processInfo.environment
                let wanted = kubeconfig != nil || !(environment["KUBECONFIG"] ?? "").isEmpty || environment["KUBERNETES_SERVICE_HOST"] != nil
                settings.cluster = wanted ? try KubeConfig.resolve(explicitPath: kubeconfig) : nil
            default:
                throw ValidationError("--cluster must be auto or off, not \(cluster)")
            }
            server = try WebhookServer(configuration: settings, logger: logger)
        } catch {
            logger.critical("guard-webhook cannot start", metadata: ["error": .string("\(error)")])
            throw ExitCode(2)
        }
        do {
            try await server.run()
        } catch {
            logger.critical("guard-webhook stopped on an error", metadata: ["error": .string("\(error)")])
            throw ExitCode(1)
        }
    }

    static func main() async { await mainWithGuardExitCodes() }
}
