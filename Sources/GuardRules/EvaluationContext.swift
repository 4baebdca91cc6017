import Foundation
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

/// Everything besides the request that a decision may depend on. Building it is the caller's I/O
/// (the webhook reads the cluster; `guardctl check` reads the input files); evaluation only reads it.
public struct EvaluationContext: Sendable {
    /// The object's namespace; `nil` for cluster-scoped objects.
    public var namespace: NamespaceContext?
    /// Other objects of the same namespace the rules consult: PodDisruptionBudgets, workloads,
    /// Secrets, OdooEnvironments and GuardExceptions.
    public var peers: [KubeObject] {
        didSet { peersByKind = Dictionary(grouping: peers, by: \.kind) }
    }
    private var peersByKind: [String: [KubeObject]]
    /// The time the decision is made at (exceptions expire relative to it).
    public var now: Date

    /// A context.
    public init(namespace: NamespaceContext?, peers: [KubeObject] = [], now: Date) {
        self.namespace = namespace
        self.peers = peers
        self.peersByKind = Dictionary(grouping: peers, by: \.kind)
        self.now = now
    }

    /// Peers of one kind.
    func peers(ofKind kind: String) -> [KubeObject] { peersByKind[kind] ?? [] }

    /// Peers that have a replica count (Deployments, StatefulSets, ReplicaSets, ReplicationControllers).
    var scalablePeers: [KubeObject] {
        ["Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"].flatMap { peers(ofKind: $0) }
    }
}
