import KubeModel

/// Traefik file-provider dynamic configuration being assembled from several environments. Every
/// name may be taken once: a second environment producing the same router, middleware, service or
/// TLS option name is an error naming both, never a silent overwrite.
struct FileConfiguration {
    /// A named section of the configuration.
    enum Section: Int, CaseIterable {
        case routers, middlewares, services, tlsOptions

        var noun: String {
            switch self {
            case .routers: return "router"
            case .middlewares: return "middleware"
            case .services: return "service"
            case .tlsOptions: return "TLS option"
            }
        }
    }

    /// The environment (`namespace/name`) the entries come from, or a summary for a merged configuration.
    let subject: String
    /// The entries of each section, indexed by `Section.rawValue`.
    private(set) var sections: [JSONObject] = Array(repeating: [:], count: Section.allCases.count)
    /// Which environment put each entry there, parallel to `sections` (for the duplicate message).
    private var owners: [[String]] = Array(repeating: [], count: Section.allCases.count)
    private(set) var certificates: [JSONValue] = []
    private var certificateFiles: Set<String> = []

    /// An empty configuration whose entries come from `subject`.
    init(subject: String) { self.subject = subject }

    mutating func insert(_ value: JSONValue, named name: String, in section: Section, by subject: String) throws(TraefikGenError) {
        let (inserted, index) = sections[section.rawValue].updateValue(value, forKey: name, insertingAt: sections[section.rawValue].count)
        guard inserted == nil else {
            sections[section.rawValue][name] = inserted
            throw TraefikGenError.duplicateEnvironment("\(owners[section.rawValue][index]) and \(subject) both produce the \(section.noun) \"\(name)\" in one file-provider configuration; rename one environment or write them to separate files")
        }
        owners[section.rawValue].append(subject)
    }

    /// Adds every entry of `other` (one environment's configuration), reporting a name already taken.
    mutating func merge(_ other: FileConfiguration) throws(TraefikGenError) {
        for section in Section.allCases {
            for (name, value) in other.sections[section.rawValue] { try insert(value, named: name, in: section, by: other.subject) }
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
        for (key, section) in [("middlewares", Section.middlewares), ("routers", .routers), ("services", .services)]
        where !sections[section.rawValue].isEmpty {
            http[key] = .object(sections[section.rawValue])
        }
        var tls: JSONObject = [:]
        if !certificates.isEmpty { tls["certificates"] = .array(certificates) }
        if !sections[Section.tlsOptions.rawValue].isEmpty { tls["options"] = .object(sections[Section.tlsOptions.rawValue]) }
        var root: JSONObject = [:]
        if !http.isEmpty { root["http"] = .object(http) }
        if !tls.isEmpty { root["tls"] = .object(tls) }
        return .object(root)
    }
}
