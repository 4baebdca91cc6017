import KubeModel

/// The identity of an object in a cache or a work queue: namespace (nil when cluster-scoped) and name.
public struct ObjectKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The namespace, `nil` for cluster-scoped objects.
    public var namespace: String?
    /// The name.
    public var name: String

    /// A key.
    public init(namespace: String?, name: String) {
        self.namespace = namespace
        self.name = name
    }

    /// The key of an object.
    public init(_ object: KubeObject) {
        self.init(namespace: object.namespace, name: object.name)
    }

    /// `namespace/name`, or `name` when cluster-scoped.
    public var description: String { namespace.map { "\($0)/\(name)" } ?? name }

    /// Namespace, then name.
    public static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool { lhs.description < rhs.description }
}
