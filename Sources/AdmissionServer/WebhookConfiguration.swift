import AuditTrail
import KubeClient
import PostgresAccess

/// Everything `guard-webhook` is started with. Defaults are the production values; tests shorten the
/// timeouts and intervals.
public struct WebhookConfiguration: Sendable {
    /// PEM serving certificate (chain) file; re-read when it changes.
    public var certificateFile: String
    /// PEM private key file; re-read when it changes.
    public var privateKeyFile: String
    /// GuardPolicy file; re-read when it changes.
    public var policyFile: String
    /// Files of Namespace, PodDisruptionBudget, GuardException… manifests the decisions are made with,
    /// until the webhook reads them from the cluster.
    public var contextFiles: [String]
    /// Stage of namespaces the context does not describe; `nil` uses the policy's `offlineDefaultStage`.
    public var defaultStage: String?
    /// Listen address.
    public var host: String
    /// Listen port (0 picks a free one; the bound port is reported by ``WebhookServer/port``).
    public var port: Int
    /// Largest accepted request body (the API server sends at most about 3 MiB objects; default 7 MiB).
    public var maxBodyBytes: Int
    /// Most concurrent connections; at the bound the server stops accepting and further connections
    /// wait in the listen backlog. Accepting happens in rounds of up to 4, so the bound can be passed by 3.
    public var maxConnections: Int
    /// Most concurrent connections from one client address: one source cannot take the whole bound.
    public var maxConnectionsPerSource: Int
    /// A connection that has not completed its TLS handshake by then is closed.
    public var handshakeTimeout: Duration
    /// A request whose head and body have not fully arrived this long after its first byte (for a new
    /// connection: after the accept, TLS handshake included) has its connection closed.
    public var requestReadTimeout: Duration
    /// A keep-alive connection idle this long is closed; shorter than the API server's own idle
    /// timeout for webhook connections (90 s), so the server, not a half-closed socket, ends them.
    public var idleTimeout: Duration
    /// How often the certificate, key and policy files are checked for changes.
    public var reloadInterval: Duration
    /// After SIGTERM, how long the server keeps accepting and answering with `/readyz` at 503, while the
    /// cluster takes the pod out of the webhook's Service; then the grace period begins.
    public var shutdownDelay: Duration
    /// How long shutdown may take: in-flight requests finish within it, then the process exits.
    public var shutdownGracePeriod: Duration
    /// The audit table's database, when decisions are also written to PostgreSQL.
    public var auditDSN: PostgresDSN?
    /// The audit table.
    public var auditTable: AuditTable
    /// The key the audit chain's links are made with (`--audit-key-file`); `nil`: plain SHA-256 links.
    public var auditKey: AuditKey?
    /// Records held while PostgreSQL is unavailable before new ones are dropped.
    public var auditQueueCapacity: Int

    /// PEM CA certificates the API server's client certificate is verified against (`--client-ca-file`):
    /// `/validate` and `/mutate` then answer only callers that present one; `nil`: any caller.
    public var clientCAFile: String?
    /// PEM CA certificates trusted for registries besides the system's (`--registry-ca-file`).
    public var registryCAFile: String?
    /// A `.dockerconfigjson` with registry credentials (`--registry-auth-file`, a mounted pull Secret).
    public var registryAuthFile: String?

    /// The container's memory limit in bytes (`--memory-limit`, the chart passes its own); `nil`: read from
    /// the cgroup (``MemoryBudget/containerLimit(root:)``). Reviews in flight share the ``MemoryBudget``
    /// derived from it.
    public var memoryLimitBytes: Int?
    /// How long a review waits for memory held by others before it is answered 429.
    public var memoryWait: Duration = .seconds(2)
    /// How often freed memory is returned to the system after large reviews; `nil`: never (glibc then
    /// keeps the peak of a burst; `bench/REPORT.md` compares both).
    public var memoryReturnInterval: Duration? = .milliseconds(200)
    /// A plain-HTTP port serving only `/healthz` and `/readyz` for the kubelet (`--health-port`), apart
    /// from the admission port's connection limits; `nil`: none (the probes use the HTTPS port).
    public var healthPort: Int?

    /// The cluster whose Namespaces, PodDisruptionBudgets, GuardExceptions and GuardPolicy decisions
    /// use (`--kubeconfig`, or in-cluster); `nil`: the policy and context files only.
    public var cluster: KubeConfig?
    /// The cluster-scoped GuardPolicy that replaces the policy file while it exists and is valid.
    public var clusterPolicyName = "default"

    /// A configuration with production defaults.
    public init(certificateFile: String, privateKeyFile: String, policyFile: String, contextFiles: [String] = [],
                defaultStage: String? = nil, host: String = "0.0.0.0", port: Int = 8443, maxBodyBytes: Int = 7 * 1024 * 1024,
                maxConnections: Int = 1024, maxConnectionsPerSource: Int = 256, handshakeTimeout: Duration = .seconds(10),
                requestReadTimeout: Duration = .seconds(10), idleTimeout: Duration = .seconds(60), reloadInterval: Duration = .seconds(2),
                shutdownDelay: Duration = .seconds(5), shutdownGracePeriod: Duration = .seconds(25), auditDSN: PostgresDSN? = nil,
                auditTable: AuditTable, auditQueueCapacity: Int = 10_000, registryCAFile: String? = nil, registryAuthFile: String? = nil) {
        self.registryCAFile = registryCAFile
        self.registryAuthFile = registryAuthFile
        self.certificateFile = certificateFile
        self.privateKeyFile = privateKeyFile
        self.policyFile = policyFile
        self.contextFiles = contextFiles
        self.defaultStage = defaultStage
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.maxConnections = maxConnections
        self.maxConnectionsPerSource = maxConnectionsPerSource
        self.handshakeTimeout = handshakeTimeout
        self.requestReadTimeout = requestReadTimeout
        self.idleTimeout = idleTimeout
        self.reloadInterval = reloadInterval
        self.shutdownDelay = shutdownDelay
        self.shutdownGracePeriod = shutdownGracePeriod
        self.auditDSN = auditDSN
        self.auditTable = auditTable
        self.auditQueueCapacity = auditQueueCapacity
    }

    /// Every problem of the settings, one line each, naming the setting.
    public var problems: [String] {
        var problems: [String] = []
        if !(0...65_535).contains(port) { problems.append("port must be 0…65535, got \(port)") }
        if maxBodyBytes < 1_024 { problems.append("max body size must be at least 1024 bytes, got \(maxBodyBytes)") }
        if maxConnections < 1 { problems.append("max connections must be at least 1, got \(maxConnections)") }
        if maxConnectionsPerSource < 1 { problems.append("max connections per source must be at least 1, got \(maxConnectionsPerSource)") }
        for (name, value) in [("handshake timeout", handshakeTimeout), ("request read timeout", requestReadTimeout),
                              ("idle timeout", idleTimeout), ("reload interval", reloadInterval)] where value <= .zero {
            problems.append("\(name) must be positive")
        }
        if shutdownGracePeriod < .zero { problems.append("shutdown grace period must not be negative") }
        if shutdownDelay < .zero { problems.append("shutdown delay must not be negative") }
        if let memoryLimitBytes, memoryLimitBytes < 32 * 1_024 * 1_024 {
            problems.append("memory limit must be at least 32Mi, got \(memoryLimitBytes) bytes")
        }
        if memoryWait < .zero { problems.append("memory wait must not be negative") }
        if let memoryReturnInterval, memoryReturnInterval <= .zero { problems.append("memory return interval must be positive") }
        if let healthPort {
            if !(0...65_535).contains(healthPort) { problems.append("health port must be 0…65535, got \(healthPort)") }
            if healthPort == port && port != 0 { problems.append("health port must differ from the admission port \(port)") }
        }
        if auditQueueCapacity < 1 { problems.append("audit queue capacity must be at least 1, got \(auditQueueCapacity)") }
        return problems
    }
}
