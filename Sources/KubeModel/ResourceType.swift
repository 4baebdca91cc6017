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
    public static func escape(_ segment: String) -> String {
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
