/// The Traefik generation whose CRDs and configuration names the output uses.
public enum TraefikTarget: String, Sendable, CaseIterable {
    /// Traefik v3: group `traefik.io`, `ipAllowList`, regular-expression `HostRegexp`.
    case v3
    /// Traefik v2: group `traefik.containo.us`, `ipWhiteList`, template `HostRegexp`.
    case v2

    /// The API group of the CRD objects (`traefik.io`, `traefik.containo.us`).
    public var apiGroup: String {
        switch self {
        case .v3: return "traefik.io"
        case .v2: return "traefik.containo.us"
        }
    }

    /// The `apiVersion` of the CRD objects.
    public var apiVersion: String {
        switch self {
        case .v3: return "traefik.io/v1alpha1"
        case .v2: return "traefik.containo.us/v1alpha1"
        }
    }

    /// The name of the IP allowlist middleware in this generation.
    public var allowlistKey: String {
        switch self {
        case .v3: return "ipAllowList"
        case .v2: return "ipWhiteList"
        }
    }
}
