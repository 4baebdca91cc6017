import KubeModel

/// The routers and middlewares of one environment, independent of the output format: the CRD and
/// file-provider renderers both write this plan, so the two outputs cannot disagree.
///
/// | router   | paths                                                   | priority | middlewares                     | port |
/// |----------|---------------------------------------------------------|----------|---------------------------------|------|
/// | admin    | `/web/database`, `/xmlrpc/db`, `/xmlrpc/2/db`, `/queue_job/` | 400 | admin allowlist, secure chain | 8069 |
/// | login    | `/web/login`, `/web/reset_password`, `/web/signup`      | 300      | login rate limit, secure chain  | 8069 |
/// | realtime | `/websocket` (Odoo ≥ 16) or `/longpolling`              | 200      | headers                         | 8072 |
/// | web      | every path                                              | 100      | secure chain                    | 8069 |
/// | http     | every path, on the HTTP entry point                     | 100      | redirect to HTTPS               | 8069 |
///
/// The secure chain is headers → in-flight limit → body buffering → compression. The real-time route
/// gets only the headers: buffering would break WebSocket upgrades and long polls, and a per-IP
/// in-flight limit would count every open socket of an office behind one address.
public struct RoutePlan: Sendable, Equatable {
    /// Which entry point a router listens on.
    public enum EntryPoint: Sendable, Equatable {
        /// Plain HTTP (redirected).
        case web
        /// HTTPS.
        case websecure
    }

    /// A middleware's configuration.
    public enum MiddlewareKind: Sendable, Equatable {
        /// `redirectScheme` to https, permanent.
        case redirectToHTTPS
        /// Security headers: HSTS, frame protection, `nosniff`, referrer policy.
        case headers(RoutingSpec.HSTS)
        /// Source addresses allowed; `depth` > 0 reads the client from `X-Forwarded-For`.
        case allowlist(sourceRange: [String], depth: Int)
        /// A per-client rate limit.
        case rateLimit(RoutingSpec.RateLimit, depth: Int)
        /// A per-client concurrency limit.
        case inFlight(amount: Int64, depth: Int)
        /// A request body limit.
        case buffering(maxRequestBodyBytes: Int64)
        /// Response compression.
        case compress
        /// Other middlewares of the plan, by name, applied in order.
        case chain([String])
    }

    /// A named middleware.
    public struct Middleware: Sendable, Equatable {
        /// The object name (unique within the environment's namespace).
        public var name: String
        /// The configuration.
        public var kind: MiddlewareKind
    }

    /// A router.
    public struct Router: Sendable, Equatable {
        /// A stable name (used by the file provider; IngressRoute routes are unnamed).
        public var name: String
        /// The entry point.
        public var entryPoint: EntryPoint
        /// What it matches.
        public var match: RouteMatch
        /// Its priority: higher wins.
        public var priority: Int
        /// Middlewares by name, in order.
        public var middlewares: [String]
        /// The Odoo port it forwards to (8069 HTTP workers, 8072 gevent).
        public var port: Int
        /// The sticky-session cookie, when sessions need stickiness.
        public var stickyCookie: String?
        /// Whether the router terminates TLS.
        public var tls: Bool
    }

    /// The address that no TCP peer can have (limited broadcast): the only source range of the
    /// database manager allowlist when no admin network is listed. Traefik refuses to build an
    /// allowlist with an empty `sourceRange` and drops the router that uses it — the database manager
    /// would then fall through to the catch-all route and be open — so "nobody" must be spelt out.
    public static let nobody = "255.255.255.255/32"

    /// Odoo's HTTP port.
    public static let httpPort = 8069
    /// Odoo's gevent (WebSocket / long-polling) port.
    public static let realtimePort = 8072

    /// The names of the objects.
    public var names: ObjectNames
    /// Middlewares, sorted by name.
    public var middlewares: [Middleware]
    /// Routers, highest priority first.
    public var routers: [Router]

    /// The plan for a routing spec.
    public init(_ spec: RoutingSpec) {
        let names = ObjectNames(environment: spec.name)
        self.names = names
        let depth = spec.clientIPDepth
        let sourceRange = spec.adminAllowlist.isEmpty ? [RoutePlan.nobody] : spec.adminAllowlist.map(\.description)
        middlewares = [
            Middleware(name: names.redirect, kind: .redirectToHTTPS),
            Middleware(name: names.headers, kind: .headers(spec.hsts)),
            Middleware(name: names.adminAllowlist, kind: .allowlist(sourceRange: sourceRange, depth: spec.adminAllowlist.isEmpty ? 0 : depth)),
            Middleware(name: names.loginRateLimit, kind: .rateLimit(spec.loginRateLimit, depth: depth)),
            Middleware(name: names.inFlight, kind: .inFlight(amount: spec.inFlightRequests, depth: depth)),
            Middleware(name: names.buffering, kind: .buffering(maxRequestBodyBytes: spec.maxBodyBytes)),
            Middleware(name: names.compress, kind: .compress),
            Middleware(name: names.secureChain, kind: .chain([names.headers, names.inFlight, names.buffering, names.compress])),
        ].sorted { JSONValue.byteOrder($0.name, $1.name) }

        let sticky = spec.needsStickySessions ? names.stickyCookie : nil
        let realtimeSticky = spec.needsStickySessions ? names.realtimeStickyCookie : nil
        let hosts = spec.hosts
        routers = [
            Router(name: names.base + "-admin", entryPoint: .websecure,
                   // `/queue_job/` (OCA queue_job's `runjob`, anonymous by design): jobs run in the worker pod, which its
                   // runner reaches directly; nobody outside starts one in a web process.
                   match: RouteMatch(hosts: hosts, pathPrefixes: ["/web/database", "/xmlrpc/db", "/xmlrpc/2/db", "/queue_job/"]),
                   priority: 400, middlewares: [names.adminAllowlist, names.secureChain], port: RoutePlan.httpPort, stickyCookie: sticky, tls: true),
            Router(name: names.base + "-login", entryPoint: .websecure,
                   match: RouteMatch(hosts: hosts, pathPrefixes: ["/web/login", "/web/reset_password", "/web/signup"]),
                   priority: 300, middlewares: [names.loginRateLimit, names.secureChain], port: RoutePlan.httpPort, stickyCookie: sticky, tls: true),
            Router(name: names.base + "-realtime", entryPoint: .websecure,
                   match: RouteMatch(hosts: hosts, pathPrefixes: [spec.usesWebsocket ? "/websocket" : "/longpolling"]),
                   priority: 200, middlewares: [names.headers], port: RoutePlan.realtimePort, stickyCookie: realtimeSticky, tls: true),
            Router(name: names.base + "-web", entryPoint: .websecure, match: RouteMatch(hosts: hosts),
                   priority: 100, middlewares: [names.secureChain], port: RoutePlan.httpPort, stickyCookie: sticky, tls: true),
            Router(name: names.base + "-http", entryPoint: .web, match: RouteMatch(hosts: hosts),
                   priority: 100, middlewares: [names.redirect], port: RoutePlan.httpPort, stickyCookie: sticky, tls: false),
        ]
    }
}
