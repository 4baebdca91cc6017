import KubeModel
import TraefikGen

/// How the operator builds environments on this cluster: the image repository, where Traefik, DNS,
/// the shared database and Redis servers and SMTP are, and what each tier may use.
/// Decoded from a YAML file (`guard-operator --config`, `guardctl render --config`) by
/// ``OperatorConfiguration/decode(_:)``; ``OperatorConfiguration/builtIn`` when none is given.
public struct OperatorConfiguration: Sendable, Equatable {
    /// A shared PostgreSQL server.
    public struct DatabaseServer: Sendable, Equatable {
        /// The name environments use in `spec.database.sharedServer`.
        public var name: String
        /// Host name Odoo connects to.
        public var host: String
        /// Port.
        public var port: Int
        /// The namespace the server runs in (NetworkPolicy egress), or `nil` when outside the cluster.
        public var namespace: String?
        /// Networks the server is in when outside the cluster (NetworkPolicy egress).
        public var cidrs: [String]
    }

    /// The shared Redis server.
    public struct RedisServer: Sendable, Equatable {
        /// Host name.
        public var host: String
        /// Port.
        public var port: Int
        /// Its namespace (NetworkPolicy egress).
        public var namespace: String?
        /// Its networks when outside the cluster.
        public var cidrs: [String]
    }

    /// What one tier may use.
    public struct TierLimits: Sendable, Equatable {
        /// ResourceQuota `hard` for the environment's namespace.
        public var quota: [String: Quantity]
        /// LimitRange container `defaultRequest` (also the Odoo containers' requests when the spec sets none).
        public var defaultRequests: [String: Quantity]
        /// LimitRange container `default` limits (also the Odoo containers' limits when the spec sets none).
        public var defaultLimits: [String: Quantity]
        /// LimitRange container `max`.
        public var maximum: [String: Quantity]
    }

    /// The image repository used when `spec.image` is absent (tagged with the version).
    public var imageRepository: String
    /// The namespace Traefik runs in (the only ingress source).
    public var traefikNamespace: String
    /// The Traefik generation to generate for.
    public var traefikTarget: TraefikTarget
    /// Traefik's HTTP entry point.
    public var webEntryPoint: String
    /// Traefik's HTTPS entry point.
    public var secureEntryPoint: String
    /// The namespace of the cluster DNS.
    public var dnsNamespace: String
    /// Shared PostgreSQL servers, the first the default.
    public var databaseServers: [DatabaseServer]
    /// The shared Redis server, when there is one.
    public var redis: RedisServer?
    /// Networks SMTP relays are in.
    public var smtpCIDRs: [String]
    /// SMTP ports.
    public var smtpPorts: [Int]
    /// The default StorageClass of filestores (`nil`: the cluster's default).
    public var filestoreStorageClass: String?
    /// Per tier.
    public var tiers: [OdooEnvironment.Tier: TierLimits]
    /// The uid Odoo runs as (the official image's `odoo` user).
    public var odooUID: Int

    /// The configuration a fresh install uses: `docker.io/library/odoo`, Traefik v3 in `traefik`, one
    /// shared server `postgres` in namespace `databases`, a shared Redis in `redis`, SMTP on 25/465/587.
    public static let builtInText = """
        apiVersion: odooguard.io/v1alpha1
        kind: OperatorConfiguration
        image: {repository: docker.io/library/odoo}
        traefik: {namespace: traefik, target: v3, webEntryPoint: web, secureEntryPoint: websecure}
        dns: {namespace: kube-system}
        databases:
          - {name: main, host: postgres.databases.svc.cluster.local, port: 5432, namespace: databases}
        redis: {host: redis.redis.svc.cluster.local, port: 6379, namespace: redis}
        smtp: {cidrs: [0.0.0.0/0], ports: [25, 465, 587]}
        filestore: {}
        odooUID: 101
        tiers:
          shared:
            quota: {requests.cpu: "8", requests.memory: 16Gi, limits.memory: 32Gi, pods: "30", persistentvolumeclaims: "4", requests.storage: 200Gi}
            defaultRequests: {cpu: 250m, memory: 512Mi}
            defaultLimits: {memory: 2Gi}
            maximum: {cpu: "4", memory: 8Gi}
          dedicated:
            quota: {requests.cpu: "32", requests.memory: 128Gi, limits.memory: 256Gi, pods: "100", persistentvolumeclaims: "10", requests.storage: 2Ti}
            defaultRequests: {cpu: 500m, memory: 1Gi}
            defaultLimits: {memory: 4Gi}
            maximum: {cpu: "16", memory: 64Gi}

        """

    private static let builtInResult = Result { () throws(OdooPlanError) -> OperatorConfiguration in try decode(yaml: builtInText, source: "the built-in configuration") }

    /// ``builtInText``, decoded (a test keeps it valid).
    public static func builtIn() throws(OdooPlanError) -> OperatorConfiguration { try builtInResult.get() }

    /// The shared server an environment uses, `nil` when it names none that exists.
    public func databaseServer(named name: String?) -> DatabaseServer? {
        guard let name else { return databaseServers.first }
        return databaseServers.first { $0.name == name }
    }
}
