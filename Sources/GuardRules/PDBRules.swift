import KubeModel

/// `pdb.required`, `pdb.drain-safe` and `pdb.unhealthy-eviction`. The PDBs and workloads of the same
/// namespace (the webhook's cache, or the other documents of a `guardctl check` input) are the context.
enum PDBRules {
    static func check(_ input: RuleInput, into findings: inout [Finding]) {
        guard input.stage != nil else { return }
        if let pdb = PodDisruptionBudgetView(input.object) {
            checkBudget(pdb, input, into: &findings)
        } else {
            checkWorkload(input, into: &findings)
        }
    }

    static func checkWorkload(_ input: RuleInput, into findings: inout [Finding]) {
        let object = input.object
        guard input.policy.pdb.kinds.contains(object.kind), let replicas = object.replicas,
              replicas >= input.policy.pdb.minReplicas, let pod = input.pod else { return }
        let podLabels = pod.podLabelsValue
        // policy/v1: an empty selector selects every pod of the namespace; an absent one selects none.
        let index = input.context.index
        var selecting: [PodDisruptionBudgetView] = []
        for position in index.budgetCandidates(podLabels: podLabels) where index.budgets[position].selector?.matches(labelsObject: podLabels) == true {
            selecting.append(index.budgets[position].view)
        }
        if selecting.isEmpty {
            let labels = pod.podLabels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            findings.append(Finding(rule: .pdbRequired, path: "spec.replicas", message:
                "\(object.kind) \(object.name) runs \(replicas) replicas but no PodDisruptionBudget selects its pods (\(labels.isEmpty ? "no labels" : labels)); add one with maxUnavailable: 1 and unhealthyPodEvictionPolicy: AlwaysAllow"))
            return
        }
        if selecting.allSatisfy({ blockingReason($0, replicas: replicas) != nil }) {
            let names = selecting.map(\.object.name).sorted().joined(separator: ", ")
            findings.append(Finding(rule: .pdbRequired, path: "spec.replicas", message:
                "\(object.kind) \(object.name) runs \(replicas) replicas but its PodDisruptionBudget (\(names)) allows no eviction, so nodes cannot be drained; use maxUnavailable: 1"))
        }
    }

    /// Why a budget blocks every voluntary eviction for a workload of `replicas`, or `nil`.
    /// Percentages resolve as the disruption controller resolves them: rounded up, for both fields.
    static func blockingReason(_ pdb: PodDisruptionBudgetView, replicas: Int64?) -> String? {
        if let max = pdb.maxUnavailable {
            switch max {
            case .int(let n) where n <= 0: return "maxUnavailable: 0 allows no eviction"
            case .percent(let p) where p <= 0: return "maxUnavailable: 0% allows no eviction"
            default: return nil
            }
        }
        if let min = pdb.minAvailable {
            if case .percent(let p) = min, p >= 100 { return "minAvailable: \(p)% allows no eviction" }
            if let replicas, min.resolve(total: replicas, roundUp: true) >= replicas {
                return "minAvailable: \(min.resolve(total: replicas, roundUp: true)) equals or exceeds the \(replicas) replicas, allowing no eviction"
            }
        }
        return nil
    }

    static func checkBudget(_ pdb: PodDisruptionBudgetView, _ input: RuleInput, into findings: inout [Finding]) {
        // The disruption controller expects the sum of the scales of every controller whose pods the
        // budget selects (`getExpectedScale`), so that sum decides whether a minAvailable leaves room
        // for an eviction; without known workloads only absolute blocks count.
        let index = input.context.index
        var replicas: Int64?
        if let selector = pdb.selector {
            for position in index.workloadCandidates(selector) where selector.matches(index.workloads[position].podLabels) {
                let (sum, overflow) = (replicas ?? 0).addingReportingOverflow(index.workloads[position].replicas)
                replicas = overflow ? .max : sum
            }
        }
        let field = pdb.maxUnavailable != nil ? "maxUnavailable" : "minAvailable"
        if let reason = blockingReason(pdb, replicas: replicas) {
            findings.append(Finding(rule: .pdbDrainSafe, path: FieldPath("spec") / field, message:
                "\(reason); node drains and cluster upgrades would hang. Use maxUnavailable: 1"))
        }
        if pdb.maxUnavailable == nil && pdb.minAvailable == nil {
            findings.append(Finding(rule: .pdbDrainSafe, path: "spec", message: "set maxUnavailable: 1 (a budget with neither field protects nothing)"))
        }
        if pdb.unhealthyPodEvictionPolicy != "AlwaysAllow" {
            findings.append(Finding(rule: .pdbUnhealthyEviction, path: "spec.unhealthyPodEvictionPolicy", message:
                "set unhealthyPodEvictionPolicy: AlwaysAllow so crash-looping pods never block a drain"))
        }
    }
}
