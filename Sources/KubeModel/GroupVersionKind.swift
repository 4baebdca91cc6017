/// A Kubernetes group, version and kind (`apps/v1 Deployment`); the core group is `""`.
public struct GroupVersionKind: Sendable, Hashable, CustomStringConvertible {
    /// The API group, `""` for the core group.
    public var group: String
    /// The version (`v1`, `v1alpha1`).
    public var version: String
    /// The kind (`Deployment`).
    public var kind: String

    /// A GVK.
    public init(group: String, version: String, kind: String) {
        self.group = group
        self.version = version
        self.kind = kind
    }

    /// A GVK from an `apiVersion` (`apps/v1` or `v1`) and a kind.
    public init(apiVersion: String, kind: String) {
        if let slash = apiVersion.firstIndex(of: "/") {
            group = String(apiVersion[..<slash])
            version = String(apiVersion[apiVersion.index(after: slash)...])
        } else {
            group = ""
            version = apiVersion
        }
        self.kind = kind
    }

    /// `group/version`, or `version` for the core group.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// `apiVersion Kind`.
    public var description: String { "\(apiVersion) \(kind)" }
}

/// A Kubernetes group, version and resource (`apps/v1 deployments`).
public struct GroupVersionResource: Sendable, Hashable, CustomStringConvertible {
    /// The API group, `""` for the core group.
    public var group: String
    /// The version.
    public var version: String
    /// The plural resource name.
    public var resource: String

    /// A GVR.
    public init(group: String, version: String, resource: String) {
        self.group = group
        self.version = version
        self.resource = resource
    }

    /// `group/version/resource`.
    public var description: String { group.isEmpty ? "\(version)/\(resource)" : "\(group)/\(version)/\(resource)" }
}
