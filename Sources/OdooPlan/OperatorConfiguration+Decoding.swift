import GuardRules
import KubeModel
import TraefikGen

extension OperatorConfiguration {
    /// Decodes a configuration file's text.
    /// - Throws: ``OdooPlanError`` `invalidConfiguration` naming `source` and every invalid field.
    public static func decode(yaml text: String, source: String) throws(OdooPlanError) -> OperatorConfiguration {
        let document: JSONValue
        do { document = try ManifestReader.parseSingle(yaml: text) } catch {
            throw OdooPlanError.invalidConfiguration("\(source): \(error.message)", cause: error)
        }
        do { return try decode(document) } catch {
            throw OdooPlanError.invalidConfiguration("\(source): \(error.message)", fieldErrors: error.fieldErrors)
        }
    }

    /// Decodes a configuration document; absent sections take the built-in values' shape with
    /// empty defaults (no shared Redis, no SMTP).
    /// - Throws: ``OdooPlanError`` `invalidConfiguration` listing every invalid field.
    public static func decode(_ document: JSONValue) throws(OdooPlanError) -> OperatorConfiguration {
        // The configuration's fields in document order with one reader, so every field error is collected
        // in one pass; each list or nested section has its own function below.
        var reader = FieldReader()
        let root = reader.object(document, .root, required: true) ?? [:]
        reader.unknownKeys(root, allowed: ["apiVersion", "kind", "image", "traefik", "dns", "databases", "redis", "backup", "smtp", "filestore", "tiers", "odooUID", "verification", "cloudNativePG"], .root)
        if let kind = root["kind"]?.stringValue, kind != "OperatorConfiguration" {
            reader.errors.append(.invalid("kind", "must be OperatorConfiguration, found \"\(kind)\""))
        }
        let image = reader.object(root["image"], "image") ?? [:]
        reader.unknownKeys(image, allowed: ["repository", "postgres", "redis", "s3Client"], "image")
        let repository = reader.string(image["repository"], "image.repository") ?? "docker.io/library/odoo"
        let postgresImage = reader.imageName(image["postgres"], "image.postgres") ?? "docker.io/library/postgres:15"
        let redisImage = reader.imageName(image["redis"], "image.redis") ?? "docker.io/library/redis:7.4"
        let s3ClientImage = reader.imageName(image["s3Client"], "image.s3Client") ?? "docker.io/amazon/aws-cli:2.17.0"
        let traefik = reader.object(root["traefik"], "traefik") ?? [:]
        reader.unknownKeys(traefik, allowed: ["namespace", "target", "webEntryPoint", "secureEntryPoint"], "traefik")
        let target = reader.enumeration(traefik["target"], "traefik.target", TraefikTarget.self) ?? .v3
        let dns = reader.object(root["dns"], "dns") ?? [:]
        reader.unknownKeys(dns, allowed: ["namespace"], "dns")

        let servers = reader.databaseServers(root["databases"])
        let redis = reader.redisServer(root["redis"])
        let backup = reader.backupStorage(root["backup"])
        let smtp = reader.object(root["smtp"], "smtp") ?? [:]
        reader.unknownKeys(smtp, allowed: ["cidrs", "ports"], "smtp")
        let smtpPorts = reader.ports(smtp["ports"], "smtp.ports")
        let filestore = reader.object(root["filestore"], "filestore") ?? [:]
        reader.unknownKeys(filestore, allowed: ["storageClassName"], "filestore")

        let tiers = reader.tierLimits(root["tiers"])
        let uid = reader.bounded(root["odooUID"], "odooUID", 1...2_147_483_647, what: "uid") ?? 101
        var verification = OperatorConfiguration.Verification()
        if let section = reader.object(root["verification"], "verification") {
            reader.unknownKeys(section, allowed: ["windowSeconds", "rolloutDeadlineSeconds", "restartLimit"], "verification")
            if let seconds = reader.bounded(section["rolloutDeadlineSeconds"], "verification.rolloutDeadlineSeconds", 1...86_400, what: "seconds") {
                verification.rolloutDeadlineSeconds = Int(seconds)
            }
            if let seconds = reader.bounded(section["windowSeconds"], "verification.windowSeconds", 1...86_400, what: "seconds") { verification.windowSeconds = Int(seconds) }
            if let limit = reader.bounded(section["restartLimit"], "verification.restartLimit", 1...100, what: "restarts") { verification.restartLimit = Int(limit) }
        }
        let cloudNativePG = reader.cloudNativePG(root["cloudNativePG"])
        guard reader.errors.isEmpty else {
            throw OdooPlanError.invalidConfiguration("operator configuration: \(reader.errors.count) invalid field\(reader.errors.count == 1 ? "" : "s")", fieldErrors: reader.errors)
        }
        return OperatorConfiguration(
            imageRepository: repository, postgresImage: postgresImage, redisImage: redisImage, s3ClientImage: s3ClientImage, backup: backup,
            traefikNamespace: reader.string(traefik["namespace"], "traefik.namespace") ?? "traefik",
            traefikTarget: target, webEntryPoint: traefik["webEntryPoint"]?.stringValue ?? "web",
            secureEntryPoint: traefik["secureEntryPoint"]?.stringValue ?? "websecure",
            dnsNamespace: dns["namespace"]?.stringValue ?? "kube-system", databaseServers: servers, redis: redis,
            smtpCIDRs: smtp["cidrs"]?.arrayValue?.compactMap(\.stringValue) ?? [], smtpPorts: smtpPorts,
            filestoreStorageClass: filestore["storageClassName"]?.stringValue, tiers: tiers, odooUID: Int(uid), verification: verification, cloudNativePG: cloudNativePG)
    }
}

extension FieldReader {
    mutating func imageName(_ value: JSONValue?, _ path: FieldPath) -> String? {
        guard let text = string(value, path) else { return nil }
        do { _ = try ImageReference(parsing: text) } catch {
            errors.append(.invalid(path, "\"\(text)\": \(error.message)"))
        }
        return text
    }

    mutating func secretKey(_ value: JSONValue?, _ path: FieldPath) -> OperatorConfiguration.SecretKeyReference? {
        guard let object = object(value, path) else { return nil }
        unknownKeys(object, allowed: ["namespace", "name", "key"], path)
        let namespace = string(object["namespace"], path / "namespace", required: true)
        let name = string(object["name"], path / "name", required: true)
        let key = string(object["key"], path / "key", required: true)
        guard let namespace, let name, let key else { return nil }
        return OperatorConfiguration.SecretKeyReference(namespace: namespace, name: name, key: key)
    }

    mutating func backupStorage(_ value: JSONValue?) -> OperatorConfiguration.BackupStorage {
        let object = self.object(value, "backup") ?? [:]
        unknownKeys(object, allowed: ["endpoint", "bucket", "region", "credentialsSecret", "cidrs", "ports", "rpoHours", "encryption", "copy"], "backup")
        let bucket = string(object["bucket"], "backup.bucket") ?? "s3://odoo-backups"
        if !bucket.hasPrefix("s3://") || bucket.count <= 5 { errors.append(.invalid("backup.bucket", "\"\(bucket)\" must be an s3://bucket/prefix URL")) }
        let endpoint = string(object["endpoint"], "backup.endpoint")
        if let endpoint, !(endpoint.hasPrefix("https://") || endpoint.hasPrefix("http://")) {
            errors.append(.invalid("backup.endpoint", "\"\(endpoint)\" must be an http(s):// URL"))
        }
        var ports: [Int] = []
        for (i, port) in (object["ports"]?.arrayValue ?? [443]).enumerated() {
            if let value = bounded(port, FieldPath("backup.ports") / i, 1...65535, what: "port") { ports.append(Int(value)) }
        }
        let rpoObject = self.object(object["rpoHours"], "backup.rpoHours") ?? [:]
        unknownKeys(rpoObject, allowed: Set(OdooEnvironment.Stage.allCases.map(\.rawValue)), "backup.rpoHours")
        var rpo: [OdooEnvironment.Stage: Int] = [.production: 24, .staging: 72, .development: 168]
        for stage in OdooEnvironment.Stage.allCases {
            if let hours = bounded(rpoObject[stage.rawValue], FieldPath("backup.rpoHours") / stage.rawValue, 1...8760, what: "hours") { rpo[stage] = Int(hours) }
        }
        return OperatorConfiguration.BackupStorage(
            endpoint: endpoint, bucket: bucket, region: string(object["region"], "backup.region") ?? "us-east-1",
            credentialsSecret: string(object["credentialsSecret"], "backup.credentialsSecret") ?? "backup-s3-credentials",
            cidrs: strings(object["cidrs"], "backup.cidrs") ?? ["0.0.0.0/0"], ports: ports, rpoHours: rpo,
            encryption: backupEncryption(object["encryption"]), copy: backupCopy(object["copy"], primary: bucket))
    }

    /// `backup.copy`: a second `s3://` bucket, and optionally its region, endpoint and credentials Secret.
    mutating func backupCopy(_ value: JSONValue?, primary: String) -> OperatorConfiguration.BackupCopy? {
        guard let object = self.object(value, "backup.copy") else { return nil }
        unknownKeys(object, allowed: ["bucket", "region", "endpoint", "credentialsSecret"], "backup.copy")
        let bucket = string(object["bucket"], "backup.copy.bucket", required: true)
        if let bucket, !bucket.hasPrefix("s3://") || bucket.count <= 5 {
            errors.append(.invalid("backup.copy.bucket", "\"\(bucket)\" must be an s3://bucket/prefix URL"))
        } else if let bucket, bucket == primary, object["endpoint"] == nil {
            errors.append(.invalid("backup.copy.bucket", "is the primary bucket: a copy belongs in another bucket, region or provider"))
        }
        let endpoint = string(object["endpoint"], "backup.copy.endpoint")
        if let endpoint, !(endpoint.hasPrefix("https://") || endpoint.hasPrefix("http://")) {
            errors.append(.invalid("backup.copy.endpoint", "\"\(endpoint)\" must be an http(s):// URL"))
        }
        let secret = object["credentialsSecret"] == nil ? nil : dnsSubdomain(object["credentialsSecret"], "backup.copy.credentialsSecret", required: true)
        guard let bucket else { return nil }
        return OperatorConfiguration.BackupCopy(bucket: bucket, region: string(object["region"], "backup.copy.region"), endpoint: endpoint,
                                                credentialsSecret: secret)
    }

    /// `backup.encryption`: an armored OpenPGP public key and the name of the private key's Secret.
    mutating func backupEncryption(_ value: JSONValue?) -> OperatorConfiguration.BackupEncryption? {
        guard let object = self.object(value, "backup.encryption") else { return nil }
        unknownKeys(object, allowed: ["publicKey", "privateKeySecret"], "backup.encryption")
        let key = string(object["publicKey"], "backup.encryption.publicKey", required: true)
        if let key, !key.contains("-----BEGIN PGP PUBLIC KEY BLOCK-----") || !key.contains("-----END PGP PUBLIC KEY BLOCK-----") {
            errors.append(.invalid("backup.encryption.publicKey", key.contains("PRIVATE KEY")
                ? "is a private key: give the public key only (gpg --armor --export KEY); the private key never belongs in the backup path"
                : "must be an armored OpenPGP public key (-----BEGIN PGP PUBLIC KEY BLOCK----- …), as gpg --armor --export writes it"))
        }
        if let key, key.utf8.count > 65_536 { errors.append(.invalid("backup.encryption.publicKey", "must be at most 64 KiB")) }
        let secret = object["privateKeySecret"] == nil ? "backup-decryption-key" : dnsSubdomain(object["privateKeySecret"], "backup.encryption.privateKeySecret", required: true)
        guard let key, let secret else { return nil }
        return OperatorConfiguration.BackupEncryption(publicKey: key, privateKeySecret: secret)
    }
}

extension FieldReader {
    /// `databases`: the shared PostgreSQL servers, names unique.
    mutating func databaseServers(_ items: JSONValue?) -> [OperatorConfiguration.DatabaseServer] {
        var servers: [OperatorConfiguration.DatabaseServer] = []
        guard let items, !items.isNull else { return servers }
        guard case .array(let list) = items else {
            errors.append(.invalid("databases", "must be a list of servers, found \(items.typeDescription)"))
            return servers
        }
        for (i, item) in list.enumerated() {
            let path = FieldPath("databases") / i
            guard let object = object(item, path) else { continue }
            unknownKeys(object, allowed: ["name", "host", "port", "namespace", "cidrs", "adminSecret"], path)
            let server = OperatorConfiguration.DatabaseServer(
                name: string(object["name"], path / "name", required: true) ?? "",
                host: string(object["host"], path / "host", required: true) ?? "",
                port: Int(bounded(object["port"], path / "port", 1...65535, what: "port") ?? 5432),
                namespace: string(object["namespace"], path / "namespace"),
                cidrs: strings(object["cidrs"], path / "cidrs") ?? [],
                adminSecret: secretKey(object["adminSecret"], path / "adminSecret"))
            if servers.contains(where: { $0.name == server.name }) { errors.append(.invalid(path / "name", "\"\(server.name)\" is listed twice")) }
            servers.append(server)
        }
        return servers
    }

    /// `redis`: the shared Redis and how the operator's admin connection to it is protected.
    mutating func redisServer(_ value: JSONValue?) -> OperatorConfiguration.RedisServer? {
        guard let object = object(value, "redis") else { return nil }
        unknownKeys(object, allowed: ["host", "port", "namespace", "cidrs", "adminSecret", "adminUser", "tls"], "redis")
        var redis = OperatorConfiguration.RedisServer(
            host: string(object["host"], "redis.host", required: true) ?? "",
            port: Int(bounded(object["port"], "redis.port", 1...65535, what: "port") ?? 6379),
            namespace: string(object["namespace"], "redis.namespace"),
            cidrs: strings(object["cidrs"], "redis.cidrs") ?? [],
            adminSecret: secretKey(object["adminSecret"], "redis.adminSecret"),
            adminUser: string(object["adminUser"], "redis.adminUser") ?? "default")
        if let tls = self.object(object["tls"], "redis.tls") {
            unknownKeys(tls, allowed: ["mode", "caSecret"], "redis.tls")
            redis.tls = enumeration(tls["mode"], "redis.tls.mode", OperatorConfiguration.RedisTLSMode.self) ?? .prefer
            redis.caSecret = secretKey(tls["caSecret"], "redis.tls.caSecret")
        }
        return redis
    }

    /// A list of TCP ports at `path`.
    mutating func ports(_ value: JSONValue?, _ path: FieldPath) -> [Int] {
        guard let value else { return [] }
        guard let list = value.arrayValue else {
            errors.append(.invalid(path, "must be a list of ports"))
            return []
        }
        return list.enumerated().compactMap { i, port in bounded(port, path / i, 1...65535, what: "port").map { Int($0) } }
    }

    /// `tiers`: every tier's quota, defaults, maximum and connection limit (all tiers required).
    mutating func tierLimits(_ value: JSONValue?) -> [OdooEnvironment.Tier: OperatorConfiguration.TierLimits] {
        var tiers: [OdooEnvironment.Tier: OperatorConfiguration.TierLimits] = [:]
        let tierObject = object(value, "tiers", required: true) ?? [:]
        unknownKeys(tierObject, allowed: Set(OdooEnvironment.Tier.allCases.map(\.rawValue)), "tiers")
        let policy = try? GuardPolicy.builtIn()
        for tier in OdooEnvironment.Tier.allCases {
            let path = FieldPath("tiers") / tier.rawValue
            guard let object = object(tierObject[tier.rawValue], path, required: true) else { continue }
            for moved in ["defaultRequests", "defaultLimits", "maximum"] where object[moved] != nil {
                errors.append(.invalid(path / moved, "is the GuardPolicy's (spec.tiers.\(tier.rawValue).\(moved)), the one owner of container defaults and maxima; remove it here"))
            }
            unknownKeys(object, allowed: ["quota", "connectionLimit", "backupRetentionDays", "defaultRequests", "defaultLimits", "maximum"], path)
            var limits = OperatorConfiguration.TierLimits(
                quota: quantities(object["quota"], path / "quota"),
                container: policy?.tier(tier) ?? TierPolicy(),
                connectionLimit: Int(bounded(object["connectionLimit"], path / "connectionLimit", 1...10_000, what: "connections") ?? 20))
            if let retention = retentionBounds(object["backupRetentionDays"], path / "backupRetentionDays") { limits.backupRetention = retention }
            tiers[tier] = limits
        }
        return tiers
    }
}
