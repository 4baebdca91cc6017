import KubeModel

/// Everything the generator needs to route one Odoo environment, validated: every value here is safe
/// to write into Traefik objects and rule expressions. Built by ``RoutingSpec/decodeCompact(_:defaults:)``
/// from a compact routing spec, or by an OdooEnvironment's decoder through
/// ``KubeModel/FieldReader/ingress(_:_:subject:defaults:)``; both report every invalid field at once.
public struct RoutingSpec: Sendable, Equatable {
    /// Where the certificate comes from.
    public enum TLSSource: Sendable, Equatable {
        /// A `kubernetes.io/tls` Secret in the environment's namespace.
        case secret(String)
        /// A Traefik certificate resolver (ACME) by name.
        case certResolver(String)
    }

    /// A rate limit: `average` requests per `periodSeconds`, with bursts up to `burst`, per client IP.
    public struct RateLimit: Sendable, Equatable {
        /// Sustained requests per period.
        public var average: Int64
        /// The period, in seconds.
        public var periodSeconds: Int64
        /// The largest burst.
        public var burst: Int64
        /// A rate limit.
        public init(average: Int64, periodSeconds: Int64, burst: Int64) {
            self.average = average
            self.periodSeconds = periodSeconds
            self.burst = burst
        }
    }

    /// HTTP Strict Transport Security. `includeSubDomains` is always sent.
    public struct HSTS: Sendable, Equatable {
        /// `max-age` in seconds; at least one year.
        public var maxAgeSeconds: Int64
        /// Whether to send `preload` (only when the domain owner asks: it is hard to undo).
        public var preload: Bool
        /// HSTS settings.
        public init(maxAgeSeconds: Int64 = RoutingSpec.oneYear, preload: Bool = false) {
            self.maxAgeSeconds = maxAgeSeconds
            self.preload = preload
        }
    }

    /// The OwnerReference target when the routes belong to an OdooEnvironment object.
    public struct Owner: Sendable, Equatable {
        /// The OdooEnvironment's `metadata.uid`.
        public var uid: String
        /// An owner.
        public init(uid: String) { self.uid = uid }
    }

    /// The environment's name (`metadata.name` of the OdooEnvironment).
    public var name: String
    /// The environment's namespace; every generated object lives there.
    public var namespace: String
    /// The hosts, the first one primary (certificate main name).
    public var hosts: [HostName]
    /// The certificate source.
    public var tls: TLSSource
    /// Odoo's major version: 16 and later use `/websocket`, earlier ones `/longpolling`.
    public var odooMajorVersion: Int
    /// Networks allowed to reach the database manager; empty blocks it for everyone.
    public var adminAllowlist: [CIDR]
    /// `ipStrategy.depth`: 0 uses the TCP peer address; N uses the Nth address from the right of
    /// `X-Forwarded-For` (for Traefik behind N trusted load balancers).
    public var clientIPDepth: Int
    /// The limit on the login and password-reset pages.
    public var loginRateLimit: RateLimit
    /// Concurrent requests allowed per client IP.
    public var inFlightRequests: Int64
    /// The largest request body (uploads, attachments), in bytes.
    public var maxBodyBytes: Int64
    /// Web replicas.
    public var replicas: Int
    /// Whether sessions are shared through Redis (no sticky sessions needed).
    public var redisSessions: Bool
    /// HSTS settings.
    public var hsts: HSTS
    /// The Kubernetes Service in front of Odoo (ports 8069 and 8072).
    public var serviceName: String
    /// The plain-HTTP entry point (redirected to HTTPS).
    public var webEntryPoint: String
    /// The HTTPS entry point.
    public var secureEntryPoint: String
    /// The backend host for the file provider (no Kubernetes Service there).
    public var upstreamHost: String
    /// The owner, when generated from an OdooEnvironment object with a `uid`.
    public var owner: Owner?

    /// One year, the least HSTS `max-age` browsers' preload lists and this generator accept.
    public static let oneYear: Int64 = 31_536_000
    /// The default login limit: 20 requests a minute, bursts of 40, per client IP — room for an office
    /// behind one NAT address, too slow for password guessing.
    public static let defaultLoginRateLimit = RateLimit(average: 20, periodSeconds: 60, burst: 40)
    /// The default concurrent requests per client IP.
    public static let defaultInFlightRequests: Int64 = 100
    /// The default body limit: 128 MiB, Odoo's own default upload limit (`web.max_file_upload_size`).
    public static let defaultMaxBodyBytes: Int64 = 128 * 1024 * 1024

    /// The Service name the operator gives an environment's web pods.
    public static func defaultServiceName(for environment: String) -> String {
        ObjectNames(environment: environment).service
    }

    /// Whether Odoo serves real-time traffic on `/websocket` (16 and later) rather than `/longpolling`.
    public var usesWebsocket: Bool { odooMajorVersion >= 16 }

    /// Whether routes need sticky sessions: several replicas keeping sessions on local disk.
    public var needsStickySessions: Bool { replicas > 1 && !redisSessions }
}
