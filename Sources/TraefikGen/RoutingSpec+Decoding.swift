import KubeModel

extension RoutingSpec {
    /// Decodes and validates an input document: an `odooguard.io/v1alpha1` OdooEnvironment, or a compact
    /// routing spec (`kind: RoutingSpec`, or no kind at all).
    ///
    /// Compact spec fields: `name`, `namespace`, `hosts`, `tls` (`secretName` | `certResolver`),
    /// `odooVersion`, `adminAllowlist`, `clientIPDepth`, `loginRateLimit` (`average`, `period`,
    /// `burst`), `inFlightRequests`, `maxBodySize`, `replicas`, `redisSessions`, `hsts`
    /// (`maxAgeSeconds`, `preload`), `service`, `entryPoints` (`web`, `websecure`), `upstream`.
    ///
    /// - Throws: ``TraefikGenError`` `invalidSpec` listing every invalid field with its path, or
    ///   `unsupportedDocument` for another kind.
    public static func decode(_ document: JSONValue, defaults: RoutingDefaults = RoutingDefaults()) throws(TraefikGenError) -> RoutingSpec {
        guard case .object(let root) = document else {
            throw TraefikGenError.unsupportedDocument("expected an OdooEnvironment or a routing spec object, found \(document.typeDescription)")
        }
        switch root["kind"] {
        case nil, .string("RoutingSpec")?: return try compact(root, defaults)
        case .string("OdooEnvironment")?: return try environment(root, defaults)
        case let other?:
            throw TraefikGenError.unsupportedDocument("kind \(other.serialized()) is neither OdooEnvironment nor RoutingSpec")
        }
    }

    /// Decodes many documents on all cores; results keep the input order.
    public static func decodeAll(_ documents: [JSONValue], defaults: RoutingDefaults = RoutingDefaults()) -> [Result<RoutingSpec, TraefikGenError>] {
        Parallel.map(count: documents.count) { i in
            Result { () throws(TraefikGenError) -> RoutingSpec in try decode(documents[i], defaults: defaults) }
        }
    }

    /// Where each routing value sits in an input document.
    private struct Fields {
        typealias Field = (value: JSONValue?, path: FieldPath)
        var name: Field
        var namespace: Field
        var hosts: [Field]
        /// Where a missing host is reported; `nil` when the list itself was already reported as malformed.
        var hostsPath: FieldPath?
        var tls: Field
        var version: Field
        var allowlist: Field
        var clientIPDepth: Field
        var loginRateLimit: Field
        var inFlightRequests: Field
        var maxBodySize: Field
        var replicas: Field
        var redisSessions: Field
        var hstsMaxAge: Field
        var hstsPreload: Field
        var service: Field
        var webEntryPoint: Field
        var secureEntryPoint: Field
        var upstream: Field
        var uid: Field
    }

    private static func compact(_ root: JSONObject, _ defaults: RoutingDefaults) throws(TraefikGenError) -> RoutingSpec {
        var reader = FieldReader()
        reader.unknownKeys(root, allowed: ["apiVersion", "kind", "name", "namespace", "hosts", "tls", "odooVersion", "adminAllowlist",
                                           "clientIPDepth", "loginRateLimit", "inFlightRequests", "maxBodySize", "replicas",
                                           "redisSessions", "hsts", "service", "entryPoints", "upstream"], .root)
        var hosts: [Fields.Field] = []
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
        let fields = Fields(
            name: (root["name"], "name"), namespace: (root["namespace"], "namespace"),
            hosts: hosts, hostsPath: hostsMalformed ? nil : "hosts", tls: (root["tls"], "tls"), version: (root["odooVersion"], "odooVersion"),
            allowlist: (root["adminAllowlist"], "adminAllowlist"), clientIPDepth: (root["clientIPDepth"], "clientIPDepth"),
            loginRateLimit: (root["loginRateLimit"], "loginRateLimit"), inFlightRequests: (root["inFlightRequests"], "inFlightRequests"),
            maxBodySize: (root["maxBodySize"], "maxBodySize"), replicas: (root["replicas"], "replicas"),
            redisSessions: (root["redisSessions"], "redisSessions"),
            hstsMaxAge: (hsts?["maxAgeSeconds"], "hsts.maxAgeSeconds"), hstsPreload: (hsts?["preload"], "hsts.preload"),
            service: (root["service"], "service"),
            webEntryPoint: (entryPoints?["web"], "entryPoints.web"), secureEntryPoint: (entryPoints?["websecure"], "entryPoints.websecure"),
            upstream: (root["upstream"], "upstream"), uid: (nil, "uid"))
        return try build(fields, defaults, reader: &reader, what: "routing spec")
    }

    private static func environment(_ root: JSONObject, _ defaults: RoutingDefaults) throws(TraefikGenError) -> RoutingSpec {
        var reader = FieldReader()
        if let apiVersion = root["apiVersion"]?.stringValue, apiVersion != "odooguard.io/v1alpha1" {
            reader.errors.append(.invalid("apiVersion", "must be odooguard.io/v1alpha1, found \"\(apiVersion)\""))
        }
        let metadata = reader.object(root["metadata"], "metadata", required: true)
        let spec = reader.object(root["spec"], "spec", required: true)
        let ingress = spec == nil ? nil : reader.object(spec?["ingress"], "spec.ingress", required: true)
        if let ingress {
            reader.unknownKeys(ingress, allowed: ["host", "aliases", "tls", "adminAllowlist", "clientIPDepth", "loginRateLimit",
                                                  "inFlightRequests", "maxBodySize", "hstsPreload"], "spec.ingress")
        }
        let redis = reader.object(spec?["redis"], "spec.redis")
        var hosts: [Fields.Field] = ingress == nil ? [] : [(ingress?["host"], FieldPath("spec.ingress.host"))]
        if let aliases = ingress?["aliases"] {
            if case .array(let items) = aliases {
                hosts += items.enumerated().map { (Optional($0.element), FieldPath("spec.ingress.aliases") / $0.offset) }
            } else if !aliases.isNull {
                reader.errors.append(.invalid("spec.ingress.aliases", "must be a list of host names, found \(aliases.typeDescription)"))
            }
        }
        let fields = Fields(
            name: (metadata?["name"], "metadata.name"), namespace: (metadata?["namespace"], "metadata.namespace"),
            hosts: hosts, hostsPath: "spec.ingress.host", tls: (ingress?["tls"], "spec.ingress.tls"), version: (spec?["version"], "spec.version"),
            allowlist: (ingress?["adminAllowlist"], "spec.ingress.adminAllowlist"),
            clientIPDepth: (ingress?["clientIPDepth"], "spec.ingress.clientIPDepth"),
            loginRateLimit: (ingress?["loginRateLimit"], "spec.ingress.loginRateLimit"),
            inFlightRequests: (ingress?["inFlightRequests"], "spec.ingress.inFlightRequests"),
            maxBodySize: (ingress?["maxBodySize"], "spec.ingress.maxBodySize"), replicas: (spec?["replicas"], "spec.replicas"),
            redisSessions: (redis?["enabled"], "spec.redis.enabled"),
            hstsMaxAge: (nil, "spec.ingress.hstsMaxAgeSeconds"), hstsPreload: (ingress?["hstsPreload"], "spec.ingress.hstsPreload"),
            service: (nil, "service"), webEntryPoint: (nil, "entryPoints.web"), secureEntryPoint: (nil, "entryPoints.websecure"),
            upstream: (nil, "upstream"), uid: (metadata?["uid"], "metadata.uid"))
        if spec == nil || ingress == nil {
            // The rest cannot be read; report what is missing without a cascade of follow-on errors.
            throw failure(reader.errors, name: metadata?["name"]?.stringValue, namespace: metadata?["namespace"]?.stringValue, what: "OdooEnvironment")
        }
        return try build(fields, defaults, reader: &reader, what: "OdooEnvironment")
    }

    private static func build(_ fields: Fields, _ defaults: RoutingDefaults, reader: inout FieldReader, what: String) throws(TraefikGenError) -> RoutingSpec {
        let name = reader.dnsSubdomain(fields.name.value, fields.name.path, required: true)
        var namespace = reader.dnsLabel(fields.namespace.value, fields.namespace.path)
        if fields.namespace.value == nil || fields.namespace.value?.isNull == true {
            namespace = defaults.namespace
            if namespace == nil { reader.errors.append(.required(fields.namespace.path, "is required (or pass a default namespace)")) }
        }
        var hosts: [HostName] = []
        if fields.hosts.isEmpty, let path = fields.hostsPath { reader.errors.append(.required(path, "needs at least one host name")) }
        for field in fields.hosts {
            guard let host = reader.host(field.value, field.path, required: true) else { continue }
            if hosts.contains(host) { reader.errors.append(.invalid(field.path, "\"\(host)\" is listed twice")) } else { hosts.append(host) }
        }
        let tls = reader.tlsSource(fields.tls.value, fields.tls.path)
        let major = reader.odooMajorVersion(fields.version.value, fields.version.path)
        let allowlist = reader.allowlist(fields.allowlist.value, fields.allowlist.path)
        let depth = reader.int(fields.clientIPDepth.value, fields.clientIPDepth.path, minimum: 0) ?? 0
        if depth > 32 { reader.errors.append(.invalid(fields.clientIPDepth.path, "must be at most 32 (the number of trusted proxies in front of Traefik)")) }
        let login = reader.rateLimit(fields.loginRateLimit.value, fields.loginRateLimit.path, default: defaultLoginRateLimit)
        let inFlight = reader.positive(fields.inFlightRequests.value, fields.inFlightRequests.path) ?? defaultInFlightRequests
        let body = reader.byteSize(fields.maxBodySize.value, fields.maxBodySize.path) ?? defaultMaxBodyBytes
        let replicas = reader.int(fields.replicas.value, fields.replicas.path, minimum: 0) ?? 1
        let redis = reader.bool(fields.redisSessions.value, fields.redisSessions.path) ?? false
        let maxAge = reader.int(fields.hstsMaxAge.value, fields.hstsMaxAge.path) ?? oneYear
        if maxAge < oneYear { reader.errors.append(.invalid(fields.hstsMaxAge.path, "must be at least \(oneYear) (one year)")) }
        let preload = reader.bool(fields.hstsPreload.value, fields.hstsPreload.path) ?? false
        let service = reader.dnsLabel(fields.service.value, fields.service.path)
        if let service, service.first?.isLetter != true {
            reader.errors.append(.invalid(fields.service.path, "\"\(service)\" must start with a letter (a Service name is a DNS-1035 label)"))
        }
        let web = reader.identifier(fields.webEntryPoint.value, fields.webEntryPoint.path) ?? defaults.webEntryPoint
        let secure = reader.identifier(fields.secureEntryPoint.value, fields.secureEntryPoint.path) ?? defaults.secureEntryPoint
        if web == secure { reader.errors.append(.invalid(fields.secureEntryPoint.path, "must differ from the HTTP entry point \"\(web)\"")) }
        let upstream = reader.upstream(fields.upstream.value ?? .string(defaults.upstreamHost), fields.upstream.path) ?? defaults.upstreamHost
        let uid = reader.string(fields.uid.value, fields.uid.path)

        guard reader.errors.isEmpty, let name, let namespace, let tls, let major else {
            throw failure(reader.errors, name: fields.name.value?.stringValue, namespace: fields.namespace.value?.stringValue ?? defaults.namespace, what: what)
        }
        return RoutingSpec(
            name: name, namespace: namespace, hosts: hosts, tls: tls, odooMajorVersion: major, adminAllowlist: allowlist,
            clientIPDepth: Int(depth), loginRateLimit: login, inFlightRequests: inFlight, maxBodyBytes: body, replicas: Int(replicas),
            redisSessions: redis, hsts: HSTS(maxAgeSeconds: maxAge, preload: preload),
            serviceName: service ?? defaultServiceName(for: name), webEntryPoint: web, secureEntryPoint: secure,
            upstreamHost: upstream, owner: uid.flatMap { $0.isEmpty ? nil : Owner(uid: $0) })
    }

    private static func failure(_ errors: [FieldError], name: String?, namespace: String?, what: String) -> TraefikGenError {
        let subject = [namespace, name].compactMap { $0 }.joined(separator: "/")
        let count = errors.count == 1 ? "1 invalid field" : "\(errors.count) invalid fields"
        return TraefikGenError.invalidSpec("\(what)\(subject.isEmpty ? "" : " " + subject): \(count)", fieldErrors: errors)
    }
}
