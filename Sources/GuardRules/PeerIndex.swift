import KubeModel

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
