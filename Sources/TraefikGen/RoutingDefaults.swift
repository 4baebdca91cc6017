import KubeModel

/// Settings that belong to the platform's Traefik installation rather than to a tenant's input: the
/// entry point names and, for the file provider, where Odoo listens. A compact routing spec may
/// override them; an OdooEnvironment cannot.
public struct RoutingDefaults: Sendable, Equatable {
    /// The namespace for inputs that do not name one (`nil`: such inputs are an error).
    public var namespace: String?
    /// The plain-HTTP entry point.
    public var webEntryPoint: String
    /// The HTTPS entry point.
    public var secureEntryPoint: String
    /// The backend host written into file-provider service URLs.
    public var upstreamHost: String

    /// Defaults matching Traefik's Helm chart (`web`, `websecure`) and Odoo on the same host.
    public init(namespace: String? = nil, webEntryPoint: String = "web", secureEntryPoint: String = "websecure", upstreamHost: String = "127.0.0.1") {
        self.namespace = namespace
        self.webEntryPoint = webEntryPoint
        self.secureEntryPoint = secureEntryPoint
        self.upstreamHost = upstreamHost
    }
}

extension RoutingDefaults {
    /// Every unusable setting, named by `names` (for example the command-line flag of each field:
    /// `namespace`, `webEntryPoint`, `secureEntryPoint`, `upstreamHost`).
    public func problems(names: [String: String] = [:]) -> [FieldError] {
        func path(_ field: String) -> FieldPath { FieldPath([.key(names[field] ?? field)]) }
        var reader = FieldReader()
        if let namespace { _ = reader.dnsLabel(.string(namespace), path("namespace"), required: true) }
        _ = reader.identifier(.string(webEntryPoint), path("webEntryPoint"))
        _ = reader.identifier(.string(secureEntryPoint), path("secureEntryPoint"))
        if webEntryPoint == secureEntryPoint {
            reader.errors.append(.invalid(path("secureEntryPoint"), "must differ from the HTTP entry point \"\(webEntryPoint)\""))
        }
        _ = reader.upstream(.string(upstreamHost), path("upstreamHost"))
        return reader.errors
    }
}
