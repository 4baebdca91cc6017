import KubeModel

/// Generates Traefik configuration for Odoo environments: Kubernetes CRD objects (Middleware,
/// IngressRoute, TLSOption) for Traefik v3 or v2, or file-provider dynamic configuration.
///
/// Pure and deterministic: the same specs give byte-identical YAML (keys sorted, names derived
/// from the environment name only), so GitOps diffs show real changes only.
public struct TraefikGenerator: Sendable {
    /// The output form.
    public enum Format: String, Sendable, CaseIterable {
        /// Kubernetes CRD objects.
        case crd
        /// Traefik's file-provider dynamic configuration.
        case file
    }

    /// A file of a directory output.
    public struct GeneratedFile: Sendable, Equatable {
        /// The file name: `<namespace>_<name>.yaml` (`_` occurs in neither, so names never collide).
        public var name: String
        /// The YAML.
        public var contents: [UInt8]
    }

    /// The Traefik generation.
    public var target: TraefikTarget
    /// Where the file provider finds certificates from Secrets: `<dir>/<namespace>/<secret>/tls.crt`
    /// and `tls.key`.
    public var certificateDirectory: String

    /// A generator.
    public init(target: TraefikTarget = .v3, certificateDirectory: String = "/etc/traefik/certs") {
        self.target = target
        self.certificateDirectory = certificateDirectory
    }

    /// The CRD objects of one environment: Middlewares (sorted by name), the TLSOption, the HTTPS
    /// IngressRoute and the HTTP redirect IngressRoute.
    public func objects(for spec: RoutingSpec) -> [JSONValue] {
        CRDRenderer(target: target).objects(spec, RoutePlan(spec))
    }

    /// One file-provider configuration for all the environments.
    /// - Throws: ``TraefikGenError`` `duplicateEnvironment` when two environments produce the same name.
    public func fileConfiguration(for specs: [RoutingSpec]) throws(TraefikGenError) -> JSONValue {
        try merged(try fileConfigurationParts(specs)).json
    }

    /// Each environment's own file-provider configuration, rendered on all cores.
    func fileConfigurationParts(_ specs: [RoutingSpec]) throws(TraefikGenError) -> [FileConfiguration] {
        let renderer = FileProviderRenderer(target: target, certificateDirectory: certificateDirectory)
        let parts = Parallel.map(count: specs.count) { i -> Result<FileConfiguration, TraefikGenError> in
            Result { () throws(TraefikGenError) -> FileConfiguration in try renderer.configuration(specs[i], RoutePlan(specs[i])) }
        }
        return try parts.map { result throws(TraefikGenError) in try result.get() }
    }

    /// The parts merged in input order, every name checked against the earlier ones.
    func merged(_ parts: [FileConfiguration]) throws(TraefikGenError) -> FileConfiguration {
        var configuration = FileConfiguration(subject: "\(parts.count) environments")
        for part in parts { try configuration.merge(part) }
        return configuration
    }

    /// The whole output as one YAML stream: every environment's objects (CRD), or one merged
    /// configuration document (file).
    /// - Throws: ``TraefikGenError`` `duplicateEnvironment` when two specs name the same environment.
    public func yaml(for specs: [RoutingSpec], format: Format) throws(TraefikGenError) -> [UInt8] {
        try TraefikGenerator.checkUnique(specs)
        switch format {
        case .crd:
            let perSpec = Parallel.map(count: specs.count) { YAMLEmitter.stream(objects(for: specs[$0])) }
            var output: [UInt8] = []
            output.reserveCapacity(perSpec.reduce(0) { $0 + $1.count })
            for part in perSpec { output.append(contentsOf: part) }
            return output
        case .file:
            return YAMLEmitter.document(try fileConfiguration(for: specs))
        }
    }

    /// One file per environment, for writing into a directory (Traefik's file provider merges a
    /// directory's files). The whole set is checked for colliding names first.
    /// - Throws: ``TraefikGenError`` `duplicateEnvironment`.
    public func files(for specs: [RoutingSpec], format: Format) throws(TraefikGenError) -> [GeneratedFile] {
        try TraefikGenerator.checkUnique(specs)
        switch format {
        case .crd:
            return Parallel.map(count: specs.count) { i in
                GeneratedFile(name: TraefikGenerator.fileName(specs[i]), contents: YAMLEmitter.stream(objects(for: specs[i])))
            }
        case .file:
            let parts = try fileConfigurationParts(specs)
            // Names must not collide across files either: Traefik merges the directory.
            _ = try merged(parts)
            return Parallel.map(count: specs.count) { i in
                GeneratedFile(name: TraefikGenerator.fileName(specs[i]), contents: YAMLEmitter.document(parts[i].json))
            }
        }
    }

    /// `<namespace>_<name>.yaml`.
    static func fileName(_ spec: RoutingSpec) -> String { "\(spec.namespace)_\(spec.name).yaml" }

    /// Two specs for the same namespace and name would overwrite each other's objects.
    static func checkUnique(_ specs: [RoutingSpec]) throws(TraefikGenError) {
        var seen: Set<String> = []
        for spec in specs where !seen.insert(spec.namespace + "/" + spec.name).inserted {
            throw TraefikGenError.duplicateEnvironment("environment \(spec.namespace)/\(spec.name) is given more than once")
        }
    }

    /// `sticky.cookie` settings: Secure, HttpOnly, SameSite=Lax.
    static func stickyCookie(_ name: String) -> JSONValue {
        ["cookie": ["httpOnly": true, "name": .string(name), "sameSite": "lax", "secure": true]]
    }

    /// ACME domains: the first host as the main name, the others as SANs.
    static func domains(_ hosts: [HostName]) -> JSONValue {
        var domain: JSONObject = ["main": .string(hosts.first?.name ?? "")]
        if hosts.count > 1 { domain["sans"] = .array(hosts.dropFirst().map { .string($0.name) }) }
        return [.object(domain)]
    }

    /// The `app.kubernetes.io/instance` value: the environment name, or the shortened base when the
    /// name is longer than a label value may be (63).
    static func instanceLabel(_ environment: String, plan names: ObjectNames) -> String {
        environment.utf8.count <= 63 ? environment : names.base
    }
}
