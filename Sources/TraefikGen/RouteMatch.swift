/// A router's match: any of the hosts, and (when paths are given) any of the path prefixes. Rendered
/// into Traefik's rule language per target. Hosts are validated ``HostName``s and paths are constants
/// of this module, so no input text can change the rule's structure.
public struct RouteMatch: Sendable, Equatable {
    /// The hosts.
    public var hosts: [HostName]
    /// Path prefixes; empty matches every path.
    public var pathPrefixes: [String]

    /// A match.
    public init(hosts: [HostName], pathPrefixes: [String] = []) {
        self.hosts = hosts
        self.pathPrefixes = pathPrefixes
    }

    /// The rule text, e.g. ``(Host(`a.example`) || Host(`b.example`)) && PathPrefix(`/web/login`)``.
    public func rule(for target: TraefikTarget) -> String {
        var hostPart = hosts.map { host(for: $0, target) }.joined(separator: " || ")
        guard !pathPrefixes.isEmpty else { return hostPart }
        if hosts.count > 1 { hostPart = "(" + hostPart + ")" }
        var pathPart = pathPrefixes.map { "PathPrefix(`\($0)`)" }.joined(separator: " || ")
        if pathPrefixes.count > 1 { pathPart = "(" + pathPart + ")" }
        return hostPart + " && " + pathPart
    }

    private func host(for name: HostName, _ target: TraefikTarget) -> String {
        guard name.isWildcard else { return "Host(`\(name.name)`)" }
        switch target {
        case .v3:
            // v3 HostRegexp takes a Go regular expression matched against the whole host.
            let escaped = name.domain.split(separator: ".").joined(separator: "\\.")
            return "HostRegexp(`^[a-z0-9-]+\\.\(escaped)$`)"
        case .v2:
            // v2 HostRegexp takes a template with named variables.
            return "HostRegexp(`{subdomain:[a-z0-9-]+}.\(name.domain)`)"
        }
    }
}
