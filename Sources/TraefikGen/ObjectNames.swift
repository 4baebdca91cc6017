import KubeModel

/// The names of everything generated for one environment: stable for a given environment name, and
/// valid DNS-1123 labels of at most 63 characters even for the longest (253-character) object names.
///
/// Names are `<base>-<suffix>`. The base is the environment name when it fits and has no dots;
/// otherwise a prefix of it (dots turned into `-`) plus a 10-hex-digit FNV-1a hash of the full name,
/// so two long names that share a prefix still get different objects.
public struct ObjectNames: Sendable, Equatable {
    /// The common stem of every name.
    public let base: String

    /// The longest suffix appended to the base (`-login-ratelimit`).
    static let longestSuffix = 16
    /// The longest base that keeps every name within 63 characters.
    static let maximumBase = 63 - longestSuffix

    /// Names for an environment.
    public init(environment: String) {
        if environment.utf8.count <= ObjectNames.maximumBase && !environment.contains(".") {
            base = environment
        } else {
            let hex = StableHash.hex(StableHash.fnv1a(environment.utf8))
            var prefix = String(String(environment.map { $0 == "." ? "-" : $0 }).prefix(ObjectNames.maximumBase - 11))
            while prefix.hasSuffix("-") { prefix.removeLast() }
            base = (prefix.isEmpty ? "env" : prefix) + "-" + hex.prefix(10)
        }
    }

    /// The IngressRoute on the HTTPS entry point.
    public var secureRoute: String { base }
    /// The IngressRoute on the HTTP entry point that redirects to HTTPS.
    public var httpRoute: String { base + "-http" }
    /// The TLSOption.
    public var tlsOption: String { base + "-tls" }
    /// The HTTP → HTTPS redirect middleware.
    public var redirect: String { base + "-https-redirect" }
    /// The security headers middleware.
    public var headers: String { base + "-headers" }
    /// The database manager allowlist middleware.
    public var adminAllowlist: String { base + "-admin-allowlist" }
    /// The login rate limit middleware.
    public var loginRateLimit: String { base + "-login-ratelimit" }
    /// The per-client concurrency limit middleware.
    public var inFlight: String { base + "-inflight" }
    /// The request body limit middleware.
    public var buffering: String { base + "-buffering" }
    /// The response compression middleware.
    public var compress: String { base + "-compress" }
    /// The chain of headers, concurrency limit, body limit and compression used by page routes.
    public var secureChain: String { base + "-secure" }
    /// The Service in front of the Odoo web pods: a DNS-1035 label (starts with a letter).
    public var service: String {
        guard let first = base.unicodeScalars.first, ("a"..."z").contains(first) else { return "odoo-" + base + "-web" }
        return base + "-web"
    }
    /// The sticky-session cookie of the page routes.
    public var stickyCookie: String { base + "-affinity" }
    /// The sticky-session cookie of the real-time route (a different backend port, so its own cookie).
    public var realtimeStickyCookie: String { base + "-rt-affinity" }
}
