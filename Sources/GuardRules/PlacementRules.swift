import KubeModel

/// `placement.node-pool`: a pod of a governed namespace runs only where its tier and stage may run.
///
/// Node pools keep production apart from development, dedicated tenants apart from shared ones, and
/// stateful services apart from Odoo; a pool's taints keep other pods off its nodes. A pod that
/// tolerates another pool's taints, or selects another pool's nodes by `nodeSelector` or a required
/// node affinity, would land on nodes its tier and stage were kept from (sharing their CPU, memory
/// and failure domain); a toleration of a taint the platform reserves for its own nodes is never a
/// tenant's to make. Without pools in the policy the rule has nothing to judge.
enum PlacementRules {
    static func check(_ input: RuleInput, into findings: inout [Finding]) {
        let placement = input.policy.placement
        guard let stage = input.stage, let pod = input.pod, !(placement.pools.isEmpty && placement.reservedTaints.isEmpty) else { return }
        let allowed = placement.allowedPools(tier: input.tier, stage: stage)
        // A taint an allowed pool carries too is the tier's to tolerate.
        let ownTaints = placement.pools.filter { allowed.contains($0.name) }.flatMap(\.taints)
        let forbidden = placement.pools.filter { !allowed.contains($0.name) }.map { pool in
            var pool = pool
            pool.taints.removeAll(where: ownTaints.contains)
            return pool
        }
        let who = "\(input.tier.rawValue)-tier \(stage.rawValue) pods"
        let usable = allowed.isEmpty ? "none is assigned to them" : "theirs: \(allowed.sorted().joined(separator: ", "))"
        let facts = pod.placement
        for toleration in facts.tolerations {
            let path = pod.specPath / "tolerations" / toleration.index
            if let taint = placement.reservedTaints.first(where: toleration.tolerates) {
                findings.append(Finding(rule: .placementNodePool, path: path, message:
                    "tolerates taint \(taint), which the platform reserves for its own nodes; remove the toleration"))
            } else if let (pool, taint) = firstTolerated(toleration, in: forbidden) {
                findings.append(Finding(rule: .placementNodePool, path: path, message:
                    "tolerates taint \(taint) of node pool \(pool.name), which \(who) may not use (\(usable)); remove the toleration"))
            }
        }
        for (key, value) in facts.nodeSelector.sorted(by: { $0.key < $1.key }) {
            guard let pool = forbidden.first(where: { $0.nodeSelector[key] == value }) else { continue }
            findings.append(Finding(rule: .placementNodePool, path: pod.specPath / "nodeSelector" / key, message:
                "selects node pool \(pool.name) (\(key)=\(value)), which \(who) may not use (\(usable))"))
        }
        for expression in facts.requiredExpressions {
            guard let pool = forbidden.first(where: { pool in pool.nodeSelector[expression.key].map(expression.values.contains) ?? false }) else { continue }
            let path = pod.specPath / "affinity" / "nodeAffinity" / "requiredDuringSchedulingIgnoredDuringExecution" / "nodeSelectorTerms"
                / expression.term / "matchExpressions" / expression.index
            findings.append(Finding(rule: .placementNodePool, path: path, message:
                "requires node pool \(pool.name) (\(expression.key) in \(expression.values.joined(separator: ", "))), which \(who) may not use (\(usable))"))
        }
    }

    /// The first pool of `pools` one of whose taints `toleration` tolerates.
    static func firstTolerated(_ toleration: PlacementFacts.Toleration, in pools: [PlacementPolicy.Pool]) -> (PlacementPolicy.Pool, PlacementPolicy.Taint)? {
        for pool in pools {
            if let taint = pool.taints.first(where: toleration.tolerates) { return (pool, taint) }
        }
        return nil
    }
}
