import KubeModel

/// Traefik file-provider dynamic configuration being assembled from several environments. Every
/// name may be taken once: a second environment producing the same router, middleware, service or
/// TLS option name is an error naming both, never a silent overwrite.
struct FileConfiguration {
    /// The environment (`namespace/name`) the entries come from, or a summary for a merged configuration.
    let subject: String
    var routers: JSONObject = [:]
    var middlewares: JSONObject = [:]
    var services: JSONObject = [:]
    var tlsOptions: JSONObject = [:]
    var certificates: [JSONValue] = []
    private var certificateFiles: Set<String> = []
    private var owners: [String: String] = [:]

    /// An empty configuration whose entries come from `subject`.
    init(subject: String) { self.subject = subject }

    mutating func insert(_ value: JSONValue, named name: String, in section: WritableKeyPath<FileConfiguration, JSONObject>,
                         by subject: String) throws(TraefikGenError) {
        let kind = FileConfiguration.sectionName(section)
        let key = kind + "/" + name
        if let owner = owners[key] {
            throw TraefikGenError(.duplicateEnvironment,
                                  "\(owner) and \(subject) both produce the \(kind) \"\(name)\" in one file-provider configuration; rename one environment or write them to separate files")
        }
        owners[key] = subject
        self[keyPath: section][name] = value
    }

    /// Adds every entry of `other` (one environment's configuration), reporting a name already taken.
    mutating func merge(_ other: FileConfiguration) throws(TraefikGenError) {
        for (section, entries) in [(\FileConfiguration.routers, other.routers), (\.middlewares, other.middlewares),
                                   (\.services, other.services), (\.tlsOptions, other.tlsOptions)] {
            for (name, value) in entries { try insert(value, named: name, in: section, by: other.subject) }
        }
        for certificate in other.certificates {
            if let certFile = certificate["certFile"]?.stringValue, let keyFile = certificate["keyFile"]?.stringValue {
                addCertificate(certFile: certFile, keyFile: keyFile)
            }
        }
    }

    /// Adds a certificate once, however many environments share it.
    mutating func addCertificate(certFile: String, keyFile: String) {
        if certificateFiles.insert(certFile).inserted {
            certificates.append(["certFile": .string(certFile), "keyFile": .string(keyFile)])
        }
    }

    /// `{http: {routers, middlewares, services}, tls: {options, certificates}}`, empty sections left out.
    var json: JSONValue {
        var http: JSONObject = [:]
        if !routers.isEmpty { http["routers"] = .object(routers) }
        if !middlewares.isEmpty { http["middlewares"] = .object(middlewares) }
        if !services.isEmpty { http["services"] = .object(services) }
        var tls: JSONObject = [:]
        if !tlsOptions.isEmpty { tls["options"] = .object(tlsOptions) }
        if !certificates.isEmpty { tls["certificates"] = .array(certificates) }
        var root: JSONObject = [:]
        if !http.isEmpty { root["http"] = .object(http) }
        if !tls.isEmpty { root["tls"] = .object(tls) }
        return .object(root)
    }

    private static func sectionName(_ section: WritableKeyPath<FileConfiguration, JSONObject>) -> String {
        switch section {
        case \FileConfiguration.routers: return "router"
        case \FileConfiguration.middlewares: return "middleware"
        case \FileConfiguration.services: return "service"
        default: return "TLS option"
        }
    }
}
