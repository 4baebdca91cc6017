import KubeModel

extension RoutingSpec {
    /// Who the routes belong to: the values an OdooEnvironment's own decoder has already read and
    /// validated (`metadata`, `spec.version`, `spec.replicas`, `spec.redis.enabled`), handed to
    /// ``KubeModel/FieldReader/ingress(_:_:subject:defaults:)`` so that no field is read twice.
    public struct Subject: Sendable, Equatable {
        /// The environment's name.
        public var name: String
        /// The environment's namespace.
        public var namespace: String
        /// The OdooEnvironment's `metadata.uid`, when it has one: the routes are then owned by it.
        public var uid: String?
        /// Odoo's major version.
        public var odooMajorVersion: Int
        /// Web replicas.
        public var replicas: Int
        /// Whether sessions are kept in Redis.
        public var redisSessions: Bool

        /// A subject.
        public init(name: String, namespace: String, uid: String? = nil, odooMajorVersion: Int, replicas: Int, redisSessions: Bool) {
            self.name = name
            self.namespace = namespace
            self.uid = uid
            self.odooMajorVersion = odooMajorVersion
            self.replicas = replicas
            self.redisSessions = redisSessions
        }
    }

    /// Decodes and validates a compact routing spec (`kind: RoutingSpec`, or no kind at all). An
    /// OdooEnvironment is decoded by its own decoder (OdooPlan's `OdooEnvironment.decode`), which reads
    /// its `spec.ingress` through ``KubeModel/FieldReader/ingress(_:_:subject:defaults:)``.
    ///
    /// Fields: `name`, `namespace`, `hosts`, `tls` (`secretName` | `certResolver`), `odooVersion`,
    /// `adminAllowlist`, `clientIPDepth`, `loginRateLimit` (`average`, `period`, `burst`),
    /// `inFlightRequests`, `maxBodySize`, `replicas`, `redisSessions`, `hsts` (`maxAgeSeconds`,
    /// `preload`), `service`, `entryPoints` (`web`, `websecure`), `upstream`.
    ///
    /// - Throws: ``TraefikGenError`` `invalidSpec` listing every invalid field with its path, or
    ///   `unsupportedDocument` for a non-object or another kind.
    public static func decodeCompact(_ document: JSONValue, defaults: RoutingDefaults = RoutingDefaults()) throws(TraefikGenError) -> RoutingSpec {
        guard case .object(let root) = document else {
            throw TraefikGenError.unsupportedDocument("expected an OdooEnvironment or a routing spec object, found \(document.typeDescription)")
        }
        switch root["kind"] {
        case nil, .string("RoutingSpec")?: break
        case let other?:
            throw TraefikGenError.unsupportedDocument("kind \(other.serialized()) is not a RoutingSpec")
        }
        var reader = FieldReader()
        reader.unknownKeys(root, allowed: ["apiVersion", "kind", "name", "namespace", "hosts", "tls", "odooVersion", "adminAllowlist",
                                           "clientIPDepth", "loginRateLimit", "inFlightRequests", "maxBodySize", "replicas",
                                           "redisSessions", "hsts", "service", "entryPoints", "upstream"], .root)
        let subject = reader.compactSubject(root, defaults)
        var hosts: [RouteFields.Field] = []
        switch root["hosts"] {
        case .array(let items)?: hosts = items.enumerated().map { (Optional($0.element), FieldPath.root / "hosts" / $0.offset) }
        case nil, .null?: break
        case let other?: reader.errors.append(.invalid("hosts", "must be a list of host names, found \(other.typeDescription)"))
        }
        let hostsMalformed = !(root["hosts"]?.isNull ?? true) && root["hosts"]?.arrayValue == nil
        let hsts = reader.object(root["hsts"], "hsts")
        if let hsts { reader.unknownKeys(hsts, allowed: ["maxAgeSeconds", "preload"], "hsts") }
        let entryPoints = reader.object(root["entryPoints"], "entryPoints")
        if let entryPoints { reader.unknownKeys(entryPoints, allowed: ["web", "websecure"], "entryPoints") }
        let fields = RouteFields(
            hosts: hosts, hostsPath: hostsMalformed ? nil : "hosts", tls: (root["tls"], "tls"),
            allowlist: (root["adminAllowlist"], "adminAllowlist"), clientIPDepth: (root["clientIPDepth"], "clientIPDepth"),
            loginRateLimit: (root["loginRateLimit"], "loginRateLimit"), inFlightRequests: (root["inFlightRequests"], "inFlightRequests"),
            maxBodySize: (root["maxBodySize"], "maxBodySize"),
            hstsMaxAge: (hsts?["maxAgeSeconds"], "hsts.maxAgeSeconds"), hstsPreload: (hsts?["preload"], "hsts.preload"),
            service: (root["service"], "service"),
            webEntryPoint: (entryPoints?["web"], "entryPoints.web"), secureEntryPoint: (entryPoints?["websecure"], "entryPoints.websecure"),
            upstream: (root["upstream"], "upstream"))
        guard let spec = reader.routes(fields, subject: subject, defaults), reader.errors.isEmpty else {
            let subjectText = [root["namespace"]?.stringValue ?? defaults.namespace, root["name"]?.stringValue].compactMap { $0 }.joined(separator: "/")
            let count = reader.errors.count == 1 ? "1 invalid field" : "\(reader.errors.count) invalid fields"
            throw TraefikGenError.invalidSpec("routing spec\(subjectText.isEmpty ? "" : " " + subjectText): \(count)", fieldErrors: reader.errors)
        }
        return spec
    }

    /// Decodes many compact specs on all cores; results keep the input order.
    public static func decodeAllCompact(_ documents: [JSONValue], defaults: RoutingDefaults = RoutingDefaults()) -> [Result<RoutingSpec, TraefikGenError>] {
        Parallel.map(count: documents.count) { i in
            Result { () throws(TraefikGenError) -> RoutingSpec in try decodeCompact(documents[i], defaults: defaults) }
        }
    }
}

/// Where each routing value sits in an input document (a compact spec's top level or an
/// OdooEnvironment's `spec.ingress`).
struct RouteFields {
    typealias Field = (value: JSONValue?, path: FieldPath)
    var hosts: [Field]
    /// Where a missing host is reported; `nil` when the list itself was already reported as malformed.
    var hostsPath: FieldPath?
    var tls: Field
    var allowlist: Field
    var clientIPDepth: Field
    var loginRateLimit: Field
    var inFlightRequests: Field
    var maxBodySize: Field
    var hstsMaxAge: Field
    var hstsPreload: Field
    var service: Field
    var webEntryPoint: Field
    var secureEntryPoint: Field
    var upstream: Field
}

extension FieldReader {
    /// An OdooEnvironment's `spec.ingress` at `path`: hosts (`host` and `aliases`), `tls`,
    /// `adminAllowlist`, `clientIPDepth`, `loginRateLimit`, `inFlightRequests`, `maxBodySize` and
    /// `hstsPreload`, every problem appended to ``errors`` with its path. Entry points and the upstream
    /// come from `defaults`: a tenant cannot choose them.
    ///
    /// - Parameter subject: what the environment's decoder read elsewhere in the document; `nil` when
    ///   any of it was invalid (the ingress is still checked, so every error is reported at once).
    /// - Returns: the routing, or `nil` when the ingress or the subject is invalid.
    public mutating func ingress(_ value: JSONValue?, _ path: FieldPath = "spec.ingress", subject: RoutingSpec.Subject?,
                                 defaults: RoutingDefaults = RoutingDefaults()) -> RoutingSpec? {
        guard let value, !value.isNull else {
            errors.append(.required(path, "is required: host and tls (secretName or certResolver) of the environment"))
            return nil
        }
        guard let ingress = object(value, path) else { return nil }
        unknownKeys(ingress, allowed: ["host", "aliases", "tls", "adminAllowlist", "clientIPDepth", "loginRateLimit",
                                       "inFlightRequests", "maxBodySize", "hstsPreload"], path)
        var hosts: [RouteFields.Field] = [(ingress["host"], path / "host")]
        if let aliases = ingress["aliases"] {
            if case .array(let items) = aliases {
                hosts += items.enumerated().map { (Optional($0.element), path / "aliases" / $0.offset) }
            } else if !aliases.isNull {
                errors.append(.invalid(path / "aliases", "must be a list of host names, found \(aliases.typeDescription)"))
            }
        }
        let fields = RouteFields(
            hosts: hosts, hostsPath: path / "host", tls: (ingress["tls"], path / "tls"),
            allowlist: (ingress["adminAllowlist"], path / "adminAllowlist"), clientIPDepth: (ingress["clientIPDepth"], path / "clientIPDepth"),
            loginRateLimit: (ingress["loginRateLimit"], path / "loginRateLimit"),
            inFlightRequests: (ingress["inFlightRequests"], path / "inFlightRequests"),
            maxBodySize: (ingress["maxBodySize"], path / "maxBodySize"),
            hstsMaxAge: (nil, path / "hstsMaxAgeSeconds"), hstsPreload: (ingress["hstsPreload"], path / "hstsPreload"),
            service: (nil, "service"), webEntryPoint: (nil, "entryPoints.web"), secureEntryPoint: (nil, "entryPoints.websecure"),
            upstream: (nil, "upstream"))
        return routes(fields, subject: subject, defaults)
    }

    /// A compact spec's own subject fields: `name`, `namespace` (or the default), `odooVersion`,
    /// `replicas`, `redisSessions`; `nil` when any is invalid.
    mutating func compactSubject(_ root: JSONObject, _ defaults: RoutingDefaults) -> RoutingSpec.Subject? {
        let name = dnsSubdomain(root["name"], "name", required: true)
        var namespace = dnsLabel(root["namespace"], "namespace")
        if root["namespace"] == nil || root["namespace"]?.isNull == true {
            namespace = defaults.namespace
            if namespace == nil { errors.append(.required("namespace", "is required (or pass a default namespace)")) }
        }
        let major = odooMajorVersion(root["odooVersion"], "odooVersion")
        let replicas = int(root["replicas"], "replicas", minimum: 0) ?? 1
        let redis = bool(root["redisSessions"], "redisSessions") ?? false
        guard let name, let namespace, let major else { return nil }
        return RoutingSpec.Subject(name: name, namespace: namespace, odooMajorVersion: major, replicas: Int(replicas), redisSessions: redis)
    }

    /// The routing values every input shares, validated; `nil` when any is invalid or `subject` is `nil`.
    mutating func routes(_ fields: RouteFields, subject: RoutingSpec.Subject?, _ defaults: RoutingDefaults) -> RoutingSpec? {
        let before = errors.count
        var hosts: [HostName] = []
        if fields.hosts.isEmpty, let path = fields.hostsPath { errors.append(.required(path, "needs at least one host name")) }
        for field in fields.hosts {
            guard let host = host(field.value, field.path, required: true) else { continue }
            if hosts.contains(host) { errors.append(.invalid(field.path, "\"\(host)\" is listed twice")) } else { hosts.append(host) }
        }
        let tls = tlsSource(fields.tls.value, fields.tls.path)
        let allowlist = allowlist(fields.allowlist.value, fields.allowlist.path)
        let depth = int(fields.clientIPDepth.value, fields.clientIPDepth.path, minimum: 0) ?? 0
        if depth > 32 { errors.append(.invalid(fields.clientIPDepth.path, "must be at most 32 (the number of trusted proxies in front of Traefik)")) }
        let login = rateLimit(fields.loginRateLimit.value, fields.loginRateLimit.path, default: RoutingSpec.defaultLoginRateLimit)
        let inFlight = positive(fields.inFlightRequests.value, fields.inFlightRequests.path) ?? RoutingSpec.defaultInFlightRequests
        let body = byteSize(fields.maxBodySize.value, fields.maxBodySize.path) ?? RoutingSpec.defaultMaxBodyBytes
        let maxAge = int(fields.hstsMaxAge.value, fields.hstsMaxAge.path) ?? RoutingSpec.oneYear
        if maxAge < RoutingSpec.oneYear { errors.append(.invalid(fields.hstsMaxAge.path, "must be at least \(RoutingSpec.oneYear) (one year)")) }
        let preload = bool(fields.hstsPreload.value, fields.hstsPreload.path) ?? false
        let service = dnsLabel(fields.service.value, fields.service.path)
        if let service, service.first?.isLetter != true {
            errors.append(.invalid(fields.service.path, "\"\(service)\" must start with a letter (a Service name is a DNS-1035 label)"))
        }
        let web = identifier(fields.webEntryPoint.value, fields.webEntryPoint.path) ?? defaults.webEntryPoint
        let secure = identifier(fields.secureEntryPoint.value, fields.secureEntryPoint.path) ?? defaults.secureEntryPoint
        if web == secure { errors.append(.invalid(fields.secureEntryPoint.path, "must differ from the HTTP entry point \"\(web)\"")) }
        let upstream = upstream(fields.upstream.value ?? .string(defaults.upstreamHost), fields.upstream.path) ?? defaults.upstreamHost
        guard errors.count == before, let subject, let tls else { return nil }
        return RoutingSpec(
            name: subject.name, namespace: subject.namespace, hosts: hosts, tls: tls, odooMajorVersion: subject.odooMajorVersion,
            adminAllowlist: allowlist, clientIPDepth: Int(depth), loginRateLimit: login, inFlightRequests: inFlight, maxBodyBytes: body,
            replicas: subject.replicas, redisSessions: subject.redisSessions, hsts: RoutingSpec.HSTS(maxAgeSeconds: maxAge, preload: preload),
            serviceName: service ?? RoutingSpec.defaultServiceName(for: subject.name), webEntryPoint: web, secureEntryPoint: secure,
            upstreamHost: upstream, owner: subject.uid.flatMap { $0.isEmpty ? nil : RoutingSpec.Owner(uid: $0) })
    }
}
