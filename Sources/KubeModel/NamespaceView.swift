/// A read view over a core/v1 Namespace, for its governance labels.
public struct NamespaceView: Sendable {
    /// The object.
    public let object: KubeObject
    /// A view when the object is a Namespace.
    public init?(_ object: KubeObject) {
        guard object.kind == "Namespace" else { return nil }
        self.object = object
    }
    /// The stage label, when set.
    public var stage: String? { object.labels[GuardLabels.stage] }
    /// The tier label, when set.
    public var tier: String? { object.labels[GuardLabels.tier] }
}
