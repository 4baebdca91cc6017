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
    /// Positions in ``budgets`` by one `matchLabels` pair of each budget's selector (its least key):
    /// a budget can select a pod only if the pod carries that pair. Each budget with a selector is
    /// in exactly one bucket here or in ``budgetsWithoutLabels``.
    let budgetsByLabel: [String: [String: [Int]]]
    /// Positions of the budgets whose selector has no `matchLabels` (expressions only, or empty:
    /// every pod of the namespace).
    let budgetsWithoutLabels: [Int]
    /// Positions in ``workloads`` by each label their pods carry, ascending.
    let workloadsByLabel: [String: [String: [Int]]]
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
        let workloads = ["Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"].flatMap { byKind[$0] ?? [] }.compactMap { object -> Workload? in
            guard let replicas = object.replicas, let template = object.podTemplate else { return nil }
            return Workload(object: object, replicas: replicas, podLabels: template.podLabels)
        }
        self.workloads = workloads
        var workloadsByLabel: [String: [String: [Int]]] = [:]
        for (position, workload) in workloads.enumerated() {
            for (key, value) in workload.podLabels { workloadsByLabel[key, default: [:]][value, default: []].append(position) }
        }
        self.workloadsByLabel = workloadsByLabel
        var budgetsByLabel: [String: [String: [Int]]] = [:]
        var budgetsWithoutLabels: [Int] = []
        for (position, budget) in budgets.enumerated() {
            guard let selector = budget.selector else { continue }
            if let key = selector.matchLabels.keys.min(), let value = selector.matchLabels[key] {
                budgetsByLabel[key, default: [:]][value, default: []].append(position)
            } else {
                budgetsWithoutLabels.append(position)
            }
        }
        self.budgetsByLabel = budgetsByLabel
        self.budgetsWithoutLabels = budgetsWithoutLabels
    }

    /// Positions in ``budgets`` (ascending, each once) of the budgets that may select pods with these
    /// labels: the caller still matches each selector in full.
    func budgetCandidates(podLabels: JSONValue?) -> [Int] {
        var positions = budgetsWithoutLabels
        guard case .object(let labels) = podLabels, !budgetsByLabel.isEmpty else { return positions }
        labels.forEachMember { key, value in
            if case .string(let text) = value, let bucket = budgetsByLabel[key]?[text] { positions.append(contentsOf: bucket) }
        }
        positions.sort()
        return positions
    }

    /// Positions in ``workloads`` (ascending) of the workloads `selector` may select: those carrying
    /// its rarest `matchLabels` pair, or all when it has none. The caller still matches in full.
    func workloadCandidates(_ selector: LabelSelector) -> [Int] {
        var narrowest: [Int]?
        for (key, value) in selector.matchLabels {
            let bucket = workloadsByLabel[key]?[value] ?? []
            if bucket.count < narrowest?.count ?? .max { narrowest = bucket }
        }
        return narrowest ?? Array(workloads.indices)
    }
}
