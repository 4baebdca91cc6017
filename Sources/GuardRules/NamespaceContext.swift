import KubeModel

/// The namespace an object is admitted into, as far as the policy cares: its name and labels.
public struct NamespaceContext: Sendable, Equatable {
    /// The namespace name.
    public var name: String
    /// The namespace's labels (`odooguard.io/stage`, `odooguard.io/tier`).
    public var labels: [String: String]

    /// A namespace context.
    public init(name: String, labels: [String: String] = [:]) {
        self.name = name
        self.labels = labels
    }

    /// The stage label, when set: a namespace with a stage is governed.
    public var stage: String? { labels[GuardLabels.stage] }
    /// The tier label, when set.
    public var tier: String? { labels[GuardLabels.tier] }
}
