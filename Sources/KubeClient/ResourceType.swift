import KubeModel

/// A resource the API serves: group, version, plural resource name, kind, and whether objects live
/// in a namespace. It turns into the REST path (`/api/v1/namespaces/NS/configmaps/NAME`,
/// `/apis/apps/v1/deployments`) the way the API server lays them out.
public struct ResourceType: Sendable, Hashable, CustomStringConvertible {
    /// The API group (`""` for the core group).
    public var group: String
    /// The version.
    public var version: String
    /// The plural, lower-case resource name (`configmaps`).
    public var resource: String
    /// The kind (`ConfigMap`).
    public var kind: String
    /// Whether objects belong to a namespace.
    public var namespaced: Bool

    /// A resource type.
    public init(group: String, version: String, resource: String, kind: String, namespaced: Bool) {
        self.group = group
        self.version = version
        self.resource = resource
        self.kind = kind
        self.namespaced = namespaced
    }

    /// `group/version`, or `version` for the core group.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    /// Group, version and resource.
    public var gvr: GroupVersionResource { GroupVersionResource(group: group, version: version, resource: resource) }
    /// `resource.group` (`configmaps`, `deployments.apps`), as kubectl names resources.
    public var description: String { group.isEmpty ? resource : "\(resource).\(group)" }

    /// The REST path of the collection, one object, or one object's subresource.
    /// `namespace` is ignored for cluster-scoped resources; `nil` on a namespaced resource means all namespaces.
    public func path(namespace: String? = nil, name: String? = nil, subresource: String? = nil) -> String {
        var path = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        if namespaced, let namespace { path += "/namespaces/\(Self.escape(namespace))" }
        path += "/\(resource)"
        if let name {
            path += "/\(Self.escape(name))"
            if let subresource { path += "/\(subresource)" }
        }
        return path
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters: path segments (names are
    /// DNS-like, but a bad name must not change the path) and query values (selectors, tokens).
    static func escape(_ segment: String) -> String {
        var out = ""
        for byte in segment.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + Hex.encode([byte]).uppercased()
            }
        }
        return out
    }
}

extension ResourceType {
    /// `v1 namespaces`.
    public static let namespaces = ResourceType(group: "", version: "v1", resource: "namespaces", kind: "Namespace", namespaced: false)
    /// `v1 configmaps`.
    public static let configMaps = ResourceType(group: "", version: "v1", resource: "configmaps", kind: "ConfigMap", namespaced: true)
    /// `v1 secrets`.
    public static let secrets = ResourceType(group: "", version: "v1", resource: "secrets", kind: "Secret", namespaced: true)
    /// `v1 services`.
    public static let services = ResourceType(group: "", version: "v1", resource: "services", kind: "Service", namespaced: true)
    /// `apps/v1 deployments`.
    public static let deployments = ResourceType(group: "apps", version: "v1", resource: "deployments", kind: "Deployment", namespaced: true)
    /// `policy/v1 poddisruptionbudgets`.
    public static let podDisruptionBudgets = ResourceType(group: "policy", version: "v1", resource: "poddisruptionbudgets",
                                                          kind: "PodDisruptionBudget", namespaced: true)
    /// `coordination.k8s.io/v1 leases`.
    public static let leases = ResourceType(group: "coordination.k8s.io", version: "v1", resource: "leases", kind: "Lease", namespaced: true)
    /// `events.k8s.io/v1 events`.
    public static let events = ResourceType(group: "events.k8s.io", version: "v1", resource: "events", kind: "Event", namespaced: true)
    /// `odooguard.io/v1alpha1 guardpolicies` (cluster-scoped).
    public static let guardPolicies = ResourceType(group: "odooguard.io", version: "v1alpha1", resource: "guardpolicies",
                                                   kind: "GuardPolicy", namespaced: false)
    /// `odooguard.io/v1alpha1 guardexceptions`.
    public static let guardExceptions = ResourceType(group: "odooguard.io", version: "v1alpha1", resource: "guardexceptions",
                                                     kind: "GuardException", namespaced: true)
    /// `odooguard.io/v1alpha1 odooenvironments`.
    public static let odooEnvironments = ResourceType(group: "odooguard.io", version: "v1alpha1", resource: "odooenvironments",
                                                      kind: "OdooEnvironment", namespaced: true)
    /// `v1 persistentvolumeclaims`.
    public static let persistentVolumeClaims = ResourceType(group: "", version: "v1", resource: "persistentvolumeclaims",
                                                            kind: "PersistentVolumeClaim", namespaced: true)
    /// `v1 resourcequotas`.
    public static let resourceQuotas = ResourceType(group: "", version: "v1", resource: "resourcequotas", kind: "ResourceQuota", namespaced: true)
    /// `v1 limitranges`.
    public static let limitRanges = ResourceType(group: "", version: "v1", resource: "limitranges", kind: "LimitRange", namespaced: true)
    /// `networking.k8s.io/v1 networkpolicies`.
    public static let networkPolicies = ResourceType(group: "networking.k8s.io", version: "v1", resource: "networkpolicies",
                                                     kind: "NetworkPolicy", namespaced: true)

    /// `v1 pods`.
    public static let pods = ResourceType(group: "", version: "v1", resource: "pods", kind: "Pod", namespaced: true)
    /// `apps/v1 statefulsets`.
    public static let statefulSets = ResourceType(group: "apps", version: "v1", resource: "statefulsets", kind: "StatefulSet", namespaced: true)
    /// `batch/v1 cronjobs`.
    public static let cronJobs = ResourceType(group: "batch", version: "v1", resource: "cronjobs", kind: "CronJob", namespaced: true)
    /// `batch/v1 jobs`.
    public static let jobs = ResourceType(group: "batch", version: "v1", resource: "jobs", kind: "Job", namespaced: true)

    /// Traefik's `IngressRoute`, `Middleware` and `TLSOption` in an API group (`traefik.io` for v3,
    /// `traefik.containo.us` for v2).
    public static func traefik(group: String) -> [ResourceType] {
        [("ingressroutes", "IngressRoute"), ("middlewares", "Middleware"), ("tlsoptions", "TLSOption")].map {
            ResourceType(group: group, version: "v1alpha1", resource: $0.0, kind: $0.1, namespaced: true)
        }
    }
}
