import KubeModel
import TraefikGen

extension OdooEnvironment {
    /// Decodes and validates an OdooEnvironment object, applying the CRD's defaults.
    ///
    /// This is the one decoder of the OdooEnvironment: the planner, the Traefik generator (through
    /// ``TraefikGen/RoutingSpec/decode(_:defaults:)``), the operator and the CLI all use it.
    ///
    /// - Parameters:
    ///   - defaultNamespace: used when `metadata.namespace` is absent (a file rendered offline).
    ///   - routingDefaults: the platform's Traefik entry points and upstream, which a tenant cannot set
    ///     (its `namespace` is ignored: `defaultNamespace` is the one that counts).
    /// - Throws: ``OdooPlanError`` `invalidEnvironment` listing every invalid field with its path.
    public static func decode(_ document: JSONValue, defaultNamespace: String? = nil,
                              routingDefaults: RoutingDefaults = RoutingDefaults()) throws(OdooPlanError) -> OdooEnvironment {
        // The spec's fields in document order with one reader, so every field error is collected in one
        // pass and the order matches the CRD; the nested sections have their own functions.
        var reader = FieldReader()
        guard case .object(let root) = document else {
            throw OdooPlanError.invalidEnvironment("expected an OdooEnvironment object, found \(document.typeDescription)")
        }
        if root["apiVersion"]?.stringValue != "odooguard.io/v1alpha1" || root["kind"]?.stringValue != "OdooEnvironment" {
            reader.errors.append(.invalid("kind", "must be an odooguard.io/v1alpha1 OdooEnvironment, found \(root["apiVersion"]?.serialized() ?? "no apiVersion") \(root["kind"]?.serialized() ?? "no kind")"))
        }
        let metadata = reader.object(root["metadata"], "metadata", required: true)
        let name = reader.string(metadata?["name"], "metadata.name", required: true) ?? ""
        if !name.isEmpty && !isEnvironmentName(name) {
            reader.errors.append(.invalid("metadata.name", "\"\(name)\" must be a DNS label of at most \(maximumNameLength) characters starting with a letter (it names the environment's objects and labels)"))
        }
        var namespace = reader.string(metadata?["namespace"], "metadata.namespace")
        if namespace == nil { namespace = defaultNamespace }
        if namespace == nil { reader.errors.append(.required("metadata.namespace", "is required (or pass a default namespace)")) }
        let uid = reader.string(metadata?["uid"], "metadata.uid")
        let generation = reader.int(metadata?["generation"], "metadata.generation")
        let changeReference = metadata?["annotations"]?[GuardLabels.changeReference]?.stringValue

        let spec = reader.object(root["spec"], "spec", required: true) ?? [:]
        reader.unknownKeys(spec, allowed: ["version", "image", "tier", "stage", "replicas", "workers", "resources", "database", "deletionPolicy",
                                           "filestore", "redis", "ingress", "backup", "maintenanceWindow", "config", "addons", "schedule", "scaling", "jobs"], "spec")
        let version = reader.string(spec["version"], "spec.version", required: true) ?? ""
        let major = version.isEmpty ? nil : reader.odooMajorVersion(.string(version), "spec.version")
        let image = reader.string(spec["image"], "spec.image")
        if let image {
            do { _ = try ImageReference(parsing: image) } catch { reader.errors.append(.invalid("spec.image", "\"\(image)\": \(error.message)")) }
        }
        let tier = reader.enumeration(spec["tier"], "spec.tier", Tier.self, required: true)
        let stage = reader.enumeration(spec["stage"], "spec.stage", Stage.self, required: true)
        let replicas = reader.bounded(spec["replicas"], "spec.replicas", 0...50, what: "web replicas") ?? 1
        let workers = reader.bounded(spec["workers"], "spec.workers", 0...64, what: "Odoo HTTP workers")
        let (requests, limits) = reader.resources(spec["resources"])
        let database = reader.database(spec["database"], environment: name)
        let deletionPolicy = reader.enumeration(spec["deletionPolicy"], "spec.deletionPolicy", DeletionPolicy.self) ?? .retain
        let filestore = reader.filestore(spec["filestore"])
        let redis = reader.redis(spec["redis"])
        let backup = reader.backup(spec["backup"])
        let maintenanceWindow = reader.cronWindow(spec["maintenanceWindow"], "spec.maintenanceWindow", durations: 1...1440, duration: .default(120))
        let sleepSchedule = reader.sleepSchedule(spec["schedule"], stage: stage)
        let scaling = reader.scaling(spec["scaling"], stage: stage, sleepZone: sleepSchedule?.timeZone)
        let jobs = reader.queueJobs(spec["jobs"])
        let wakeUntil = reader.wakeUntil(metadata?["annotations"]?[GuardLabels.wakeUntil])
        let contact = reader.contact(metadata?["annotations"]?[GuardLabels.contact])
        let config = reader.config(spec["config"])
        let addons = reader.addons(spec["addons"])
        if let database { reader.checkOverrides(config, database: database.name) }

        let subject = namespace.flatMap { namespace in
            major.map { RoutingSpec.Subject(name: name, namespace: namespace, uid: uid, odooMajorVersion: $0, replicas: scaling?.maxReplicas ?? Int(replicas),
                                redisSessions: redis.enabled) }
        }
        let routing = reader.ingress(spec["ingress"], subject: subject, defaults: routingDefaults)
        guard reader.errors.isEmpty, let namespace, let tier, let stage, let routing, let major, let database, let filestore else {
            let subject = [namespace, name.isEmpty ? nil : name].compactMap { $0 }.joined(separator: "/")
            let count = reader.errors.count == 1 ? "1 invalid field" : "\(reader.errors.count) invalid fields"
            throw OdooPlanError.invalidEnvironment("OdooEnvironment \(subject.isEmpty ? "(unnamed)" : subject): \(count)", fieldErrors: reader.errors)
        }
        var environment = OdooEnvironment(
            name: name, namespace: namespace, uid: uid, generation: generation, version: version, majorVersion: major, image: image,
            tier: tier, stage: stage, replicas: Int(replicas), workers: workers.map(Int.init), requests: requests, limits: limits,
            database: database, deletionPolicy: deletionPolicy, filestore: filestore, redis: redis, routing: routing, backup: backup,
            maintenanceWindow: maintenanceWindow, config: config, changeReference: changeReference, addons: addons)
        environment.sleepSchedule = sleepSchedule
        environment.scaling = scaling
        environment.jobs = jobs
        environment.wakeUntil = wakeUntil
        environment.contact = contact
        environment.restoring = metadata?["annotations"]?[GuardLabels.restoring]?.stringValue
        environment.lastRestore = RestoreRecord(annotation: metadata?["annotations"]?[GuardLabels.lastRestore]?.stringValue)
        environment.recoveredCluster = RecoveredCluster(annotation: metadata?["annotations"]?[GuardLabels.databaseCluster]?.stringValue)
        return environment
    }

    /// Whether `name` can name an environment: a DNS label of at most 47 characters starting with a letter.
    public static func isEnvironmentName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...maximumNameLength).contains(bytes.count), let first = bytes.first, let last = bytes.last,
              (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first), last != UInt8(ascii: "-") else { return false }
        return bytes.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "-") }
    }

    /// Whether `name` is an Odoo module's technical name: `[a-z][a-z0-9_]{0,63}`.
    public static func isModuleName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...64).contains(bytes.count), let first = bytes.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first) else { return false }
        return bytes.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "_") }
    }

    /// Whether `path` is an absolute directory a shell command may name unquoted: `/` then letters,
    /// digits, `_`, `-`, `.` and `/`, without `..`.
    public static func isPlainPath(_ path: String) -> Bool {
        path.hasPrefix("/") && path.utf8.count <= 200 && !path.split(separator: "/").contains("..")
            && path.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_-./".contains($0)) }
    }

    /// Whether `name` is a PostgreSQL identifier odoo-guard accepts unquoted: `[a-z_][a-z0-9_]{0,62}`.
    public static func isDatabaseName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...63).contains(bytes.count), let first = bytes.first,
              (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first) || first == UInt8(ascii: "_") else { return false }
        return bytes.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "_") }
    }
}

extension FieldReader {
    mutating func enumeration<E: RawRepresentable & CaseIterable>(_ value: JSONValue?, _ path: FieldPath, _ type: E.Type, required: Bool = false) -> E? where E.RawValue == String {
        guard let text = string(value, path, required: required), !text.isEmpty else { return nil }
        guard let result = E(rawValue: text) else {
            errors.append(.invalid(path, "\"\(text)\" is not one of \(E.allCases.map { $0.rawValue }.joined(separator: ", "))"))
            return nil
        }
        return result
    }

    mutating func database(_ value: JSONValue?, environment: String) -> OdooEnvironment.Database? {
        let object = self.object(value, "spec.database") ?? [:]
        unknownKeys(object, allowed: ["name", "sharedServer", "dedicated", "externalSecret", "initModules"], "spec.database")
        let name = string(object["name"], "spec.database.name") ?? String(environment.map { $0 == "-" ? "_" : $0 })
        if !name.isEmpty && !OdooEnvironment.isDatabaseName(name) {
            errors.append(.invalid("spec.database.name", "\"\(name)\" must be 1 to 63 of a-z, 0-9 and _, not starting with a digit"))
        }
        let shared = string(object["sharedServer"], "spec.database.sharedServer")
        let external = string(object["externalSecret"], "spec.database.externalSecret")
        if shared != nil && external != nil {
            errors.append(.invalid("spec.database", "set at most one of sharedServer and externalSecret"))
        }
        let dedicated = self.object(object["dedicated"], "spec.database.dedicated") ?? [:]
        unknownKeys(dedicated, allowed: ["storage"], "spec.database.dedicated")
        var storage = "20Gi"
        if let text = string(dedicated["storage"], "spec.database.dedicated.storage") {
            if (try? Quantity(parsing: text)) == nil { errors.append(.invalid("spec.database.dedicated.storage", "\"\(text)\" is not a quantity such as 20Gi")) }
            storage = text
        }
        var modules = ["base"]
        if let list = object["initModules"], !list.isNull {
            guard case .array(let items) = list, !items.isEmpty, items.count <= 100 else {
                errors.append(.invalid("spec.database.initModules", "must be a list of 1 to 100 Odoo module names, such as [base, sale]"))
                return OdooEnvironment.Database(name: name, sharedServer: shared, dedicatedStorage: storage, externalSecret: external)
            }
            modules = []
            for (index, item) in items.enumerated() {
                let path = FieldPath("spec.database.initModules") / index
                guard let module = string(item, path, required: true) else { continue }
                if OdooEnvironment.isModuleName(module) {
                    if !modules.contains(module) { modules.append(module) }
                } else {
                    errors.append(.invalid(path, "\"\(module)\" is not an Odoo module name (a-z, 0-9 and _, starting with a letter)"))
                }
            }
        }
        return OdooEnvironment.Database(name: name, sharedServer: shared, dedicatedStorage: storage, externalSecret: external, initModules: modules)
    }

    /// `spec.addons`: at most 20 images, each parsed, with a plain absolute path.
    mutating func addons(_ value: JSONValue?) -> [OdooEnvironment.Addon] {
        guard let value, !value.isNull else { return [] }
        guard case .array(let items) = value, items.count <= 20 else {
            errors.append(.invalid("spec.addons", "must be a list of at most 20 addon images ({image, path})"))
            return []
        }
        var result: [OdooEnvironment.Addon] = []
        for (index, item) in items.enumerated() {
            let path = FieldPath("spec.addons") / index
            guard let object = self.object(item, path, required: true) else { continue }
            unknownKeys(object, allowed: ["image", "path"], path)
            guard let image = string(object["image"], path / "image", required: true) else { continue }
            do { _ = try ImageReference(parsing: image) } catch {
                errors.append(.invalid(path / "image", "\"\(image)\": \(error.message)"))
                continue
            }
            let directory = string(object["path"], path / "path") ?? OdooEnvironment.Addon.defaultPath
            guard OdooEnvironment.isPlainPath(directory) else {
                errors.append(.invalid(path / "path", "\"\(directory)\" must be an absolute directory of letters, digits, _, -, . and / (no ..)"))
                continue
            }
            result.append(OdooEnvironment.Addon(image: image, path: directory))
        }
        return result
    }

    mutating func filestore(_ value: JSONValue?) -> OdooEnvironment.Filestore? {
        let object = self.object(value, "spec.filestore") ?? [:]
        unknownKeys(object, allowed: ["size", "storageClassName"], "spec.filestore")
        let text = string(object["size"], "spec.filestore.size") ?? "10Gi"
        let storageClass = string(object["storageClassName"], "spec.filestore.storageClassName")
        guard let size = try? Quantity(parsing: text), !size.isNegative, size.nanoValue > 0 else {
            errors.append(.invalid("spec.filestore.size", "\"\(text)\" is not a positive quantity such as 10Gi"))
            return nil
        }
        return OdooEnvironment.Filestore(size: size, storageClassName: storageClass)
    }

    mutating func redis(_ value: JSONValue?) -> OdooEnvironment.Redis {
        let object = self.object(value, "spec.redis") ?? [:]
        unknownKeys(object, allowed: ["enabled", "mode"], "spec.redis")
        let enabled = bool(object["enabled"], "spec.redis.enabled") ?? false
        let mode = enumeration(object["mode"], "spec.redis.mode", OdooEnvironment.Redis.Mode.self) ?? .shared
        return OdooEnvironment.Redis(enabled: enabled, mode: mode)
    }

    mutating func backup(_ value: JSONValue?) -> OdooEnvironment.Backup? {
        guard let object = self.object(value, "spec.backup") else { return nil }
        unknownKeys(object, allowed: ["schedule", "retentionDays", "bucket", "credentialsSecret"], "spec.backup")
        let schedule = string(object["schedule"], "spec.backup.schedule", required: true) ?? ""
        if !schedule.isEmpty, case .failure(let problem) = CronSchedule.parse(schedule) {
            errors.append(.invalid("spec.backup.schedule", problem.message + ", such as \"30 1 * * *\""))
        }
        let retention = bounded(object["retentionDays"], "spec.backup.retentionDays", 1...3650, what: "days")
        let bucket = string(object["bucket"], "spec.backup.bucket")
        if let bucket, !bucket.hasPrefix("s3://") { errors.append(.invalid("spec.backup.bucket", "\"\(bucket)\" must be an s3://bucket/prefix URL")) }
        let credentials = string(object["credentialsSecret"], "spec.backup.credentialsSecret")
        return OdooEnvironment.Backup(schedule: schedule, retentionDays: retention.map { Int($0) }, bucket: bucket, credentialsSecret: credentials)
    }

    /// The options the operator sets itself; an override could point Odoo at another tenant's data or
    /// open what the platform keeps closed (`addons_path` would replace the addon images' directories).
    static let reservedOptions: Set<String> = [
        "addons_path", "admin_passwd", "db_host", "db_port", "db_user", "db_password", "db_name", "db_sslmode", "data_dir",
        "http_port", "http_interface", "gevent_port", "longpolling_port", "max_cron_threads", "workers",
    ]

    mutating func checkOverrides(_ config: [String: String], database: String) {
        for key in config.keys.sorted() {
            let path = FieldPath("spec.config") / key
            let value = config[key] ?? ""
            if FieldReader.reservedOptions.contains(key) {
                let hint = switch key {
                case "workers": "; use spec.workers"
                case "admin_passwd": "; the operator generates it into the environment's admin Secret (the value is not shown here)"
                case "addons_path": "; list addon images in spec.addons and the operator mounts them on addons_path in that order"
                default: ""
                }
                errors.append(.invalid(path, "is set by the operator and cannot be overridden\(hint)"))
            } else if key == "list_db", OdooOption.bool(value) != false {
                errors.append(.invalid(path, "may only be False: the database manager stays closed"))
            } else if key == "proxy_mode", OdooOption.bool(value) != true {
                errors.append(.invalid(path, "may only be True: Odoo runs behind Traefik"))
            } else if key == "dbfilter", value != "^\(database)$" {
                errors.append(.invalid(path, "may only be ^\(database)$, the environment's own database"))
            } else if ["db_maxconn", "db_maxconn_gevent"].contains(key), !(Int(value).map { (1...64).contains($0) } ?? false) {
                errors.append(.invalid(path, "\"\(value)\" must be a whole number of connections from 1 to 64"))
            } else if ["limit_time_cpu", "limit_time_real"].contains(key), !(Int(value).map { (1...604_800).contains($0) } ?? false) {
                errors.append(.invalid(path, "\"\(value)\" must be a whole number of seconds from 1 to 604800 (a week)"))
            }
        }
        if let cpu = config["limit_time_cpu"].flatMap({ Int($0) }), let real = config["limit_time_real"].flatMap({ Int($0) }), cpu > real {
            errors.append(.invalid(FieldPath("spec.config") / "limit_time_cpu", "\(cpu) s is more than limit_time_real (\(real) s): a request is killed at the wall-clock limit first"))
        }
    }

    mutating func config(_ value: JSONValue?) -> [String: String] {
        guard let object = self.object(value, "spec.config") else { return [:] }
        var result: [String: String] = [:]
        for (key, raw) in object {
            let path = FieldPath("spec.config") / key
            guard key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }), !key.isEmpty else {
                errors.append(.invalid(path, "odoo.conf option names are letters, digits and _"))
                continue
            }
            switch raw {
            case .string(let s) where !s.contains("\n") && !s.contains("\r"): result[key] = s
            case .string: errors.append(.invalid(path, "must be a single line"))
            case .bool(let b): result[key] = b ? "True" : "False"
            case .int(let i): result[key] = String(i)
            default: errors.append(.invalid(path, "must be a string, found \(raw.typeDescription)"))
            }
        }
        return result
    }
}
