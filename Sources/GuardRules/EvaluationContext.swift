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
        didSet { index = PeerIndex(peers) }
    }
    /// Peers by kind, PDB selectors and workload pod labels, computed once per context and shared
    /// by every evaluation that uses it.
    private(set) var index: PeerIndex
    /// The time the decision is made at (exceptions expire relative to it).
    public var now: Date

    /// A context.
    public init(namespace: NamespaceContext?, peers: [KubeObject] = [], now: Date) {
        self.namespace = namespace
        self.peers = peers
        self.index = PeerIndex(peers)
        self.now = now
    }

    /// Peers of one kind.
    func peers(ofKind kind: String) -> [KubeObject] { index.byKind[kind] ?? [] }
}

/// Precomputed views of a namespace's peers.
struct PeerIndex: Sendable {
    /// A PodDisruptionBudget with its parsed selector (`nil` when absent or invalid).
    struct Budget: Sendable {
        let view: PodDisruptionBudgetView
        let selector: LabelSelector?
    }

    /// A workload with a replica count and the labels its pods carry.
    struct Workload: Sendable {
        let object: KubeObject
        let replicas: Int64
        let podLabels: [String: String]
    }

    let byKind: [String: [KubeObject]]
    let budgets: [Budget]
    let workloads: [Workload]
    /// Names of the OdooEnvironments present.
    let environments: Set<String>
    /// Owners of Secrets labelled with `odooguard.io/environment`, by Secret name.
    let labelledSecretOwners: [String: String]

    init(_ peers: [KubeObject]) {
        let byKind = Dictionary(grouping: peers, by: \.kind)
        self.byKind = byKind
        budgets = (byKind["PodDisruptionBudget"] ?? []).compactMap(PodDisruptionBudgetView.init).map { Budget(view: $0, selector: $0.selector) }
        environments = Set((byKind["OdooEnvironment"] ?? []).map(\.name).filter { !$0.isEmpty })
        var owners: [String: String] = [:]
        for secret in byKind["Secret"] ?? [] {
            if let owner = secret.labels[GuardLabels.environment] { owners[secret.name] = owner }
        }
        labelledSecretOwners = owners
        workloads = ["Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"].flatMap { byKind[$0] ?? [] }.compactMap { object in
            guard let replicas = object.replicas, let template = object.podTemplate else { return nil }
            return Workload(object: object, replicas: replicas, podLabels: template.podLabels)
        }
    }
}
