import KubeModel
import TraefikGen

extension OperatorConfiguration {
    /// Decodes a configuration file's text.
    /// - Throws: ``OdooPlanError`` `invalidConfiguration` naming `source` and every invalid field.
    public static func decode(yaml text: String, source: String) throws(OdooPlanError) -> OperatorConfiguration {
        let document: JSONValue
        do { document = try ManifestReader.parseSingle(yaml: text) } catch {
            throw OdooPlanError(.invalidConfiguration, "\(source): \(error.message)")
        }
        do { return try decode(document) } catch {
            throw OdooPlanError(.invalidConfiguration, "\(source): \(error.message)", fieldErrors: error.fieldErrors)
        }
    }

    /// Decodes a configuration document; absent sections take the built-in values' shape with
    /// empty defaults (no shared Redis, no SMTP).
    /// - Throws: ``OdooPlanError`` `invalidConfiguration` listing every invalid field.
    public static func decode(_ document: JSONValue) throws(OdooPlanError) -> OperatorConfiguration {
        var reader = FieldReader()
        let root = reader.object(document, .root, required: true) ?? [:]
        reader.unknownKeys(root, allowed: ["apiVersion", "kind", "image", "traefik", "dns", "databases", "redis", "smtp", "filestore", "tiers", "odooUID"], .root)
        if let kind = root["kind"]?.stringValue, kind != "OperatorConfiguration" {
            reader.errors.append(.invalid("kind", "must be OperatorConfiguration, found \"\(kind)\""))
        }
        let image = reader.object(root["image"], "image") ?? [:]
        reader.unknownKeys(image, allowed: ["repository"], "image")
        let repository = reader.string(image["repository"], "image.repository") ?? "docker.io/library/odoo"
        let traefik = reader.object(root["traefik"], "traefik") ?? [:]
        reader.unknownKeys(traefik, allowed: ["namespace", "target", "webEntryPoint", "secureEntryPoint"], "traefik")
        let target = reader.enumeration(traefik["target"], "traefik.target", TraefikTarget.self) ?? .v3
        let dns = reader.object(root["dns"], "dns") ?? [:]
        reader.unknownKeys(dns, allowed: ["namespace"], "dns")

        var servers: [DatabaseServer] = []
        if let items = root["databases"], !items.isNull {
            if case .array(let list) = items {
                for (i, item) in list.enumerated() {
                    let path = FieldPath("databases") / i
                    guard let object = reader.object(item, path) else { continue }
                    reader.unknownKeys(object, allowed: ["name", "host", "port", "namespace", "cidrs"], path)
                    let server = DatabaseServer(
                        name: reader.string(object["name"], path / "name", required: true) ?? "",
                        host: reader.string(object["host"], path / "host", required: true) ?? "",
                        port: Int(reader.bounded(object["port"], path / "port", 1...65535, what: "port") ?? 5432),
                        namespace: reader.string(object["namespace"], path / "namespace"),
                        cidrs: reader.strings(object["cidrs"], path / "cidrs") ?? [])
                    if servers.contains(where: { $0.name == server.name }) { reader.errors.append(.invalid(path / "name", "\"\(server.name)\" is listed twice")) }
                    servers.append(server)
                }
            } else {
                reader.errors.append(.invalid("databases", "must be a list of servers, found \(items.typeDescription)"))
            }
        }
        var redis: RedisServer?
        if let object = reader.object(root["redis"], "redis") {
            reader.unknownKeys(object, allowed: ["host", "port", "namespace", "cidrs"], "redis")
            redis = RedisServer(host: reader.string(object["host"], "redis.host", required: true) ?? "",
                                port: Int(reader.bounded(object["port"], "redis.port", 1...65535, what: "port") ?? 6379),
                                namespace: reader.string(object["namespace"], "redis.namespace"),
                                cidrs: reader.strings(object["cidrs"], "redis.cidrs") ?? [])
        }
        let smtp = reader.object(root["smtp"], "smtp") ?? [:]
        reader.unknownKeys(smtp, allowed: ["cidrs", "ports"], "smtp")
        var smtpPorts: [Int] = []
        if let ports = smtp["ports"]?.arrayValue {
            for (i, port) in ports.enumerated() {
                if let value = reader.bounded(port, FieldPath("smtp.ports") / i, 1...65535, what: "port") { smtpPorts.append(Int(value)) }
            }
        } else if smtp["ports"] != nil {
            reader.errors.append(.invalid("smtp.ports", "must be a list of ports"))
        }
        let filestore = reader.object(root["filestore"], "filestore") ?? [:]
        reader.unknownKeys(filestore, allowed: ["storageClassName"], "filestore")

        var tiers: [OdooEnvironment.Tier: TierLimits] = [:]
        let tierObject = reader.object(root["tiers"], "tiers", required: true) ?? [:]
        reader.unknownKeys(tierObject, allowed: Set(OdooEnvironment.Tier.allCases.map(\.rawValue)), "tiers")
        for tier in OdooEnvironment.Tier.allCases {
            let path = FieldPath("tiers") / tier.rawValue
            guard let object = reader.object(tierObject[tier.rawValue], path, required: true) else { continue }
            reader.unknownKeys(object, allowed: ["quota", "defaultRequests", "defaultLimits", "maximum"], path)
            tiers[tier] = TierLimits(quota: reader.quantities(object["quota"], path / "quota"),
                                     defaultRequests: reader.quantities(object["defaultRequests"], path / "defaultRequests"),
                                     defaultLimits: reader.quantities(object["defaultLimits"], path / "defaultLimits"),
                                     maximum: reader.quantities(object["maximum"], path / "maximum"))
        }
        let uid = reader.bounded(root["odooUID"], "odooUID", 1...2_147_483_647, what: "uid") ?? 101
        guard reader.errors.isEmpty else {
            throw OdooPlanError(.invalidConfiguration, "operator configuration: \(reader.errors.count) invalid field\(reader.errors.count == 1 ? "" : "s")", fieldErrors: reader.errors)
        }
        return OperatorConfiguration(
            imageRepository: repository, traefikNamespace: reader.string(traefik["namespace"], "traefik.namespace") ?? "traefik",
            traefikTarget: target, webEntryPoint: traefik["webEntryPoint"]?.stringValue ?? "web",
            secureEntryPoint: traefik["secureEntryPoint"]?.stringValue ?? "websecure",
            dnsNamespace: dns["namespace"]?.stringValue ?? "kube-system", databaseServers: servers, redis: redis,
            smtpCIDRs: smtp["cidrs"]?.arrayValue?.compactMap(\.stringValue) ?? [], smtpPorts: smtpPorts,
            filestoreStorageClass: filestore["storageClassName"]?.stringValue, tiers: tiers, odooUID: Int(uid))
    }
}
