import Testing
import GuardRules
import KubeModel

@Suite("Disruption budget rules")
struct PDBRuleTests {
    static func deployment(replicas: Int64, kind: String = "Deployment") -> JSONValue {
        Fixture.workload(kind, podSpec: Fixture.podSpec(Fixture.container()), replicas: replicas)
    }

    struct WorkloadCase: Sendable, CustomStringConvertible {
        let description: String
        let kind: String
        let replicas: Int64
        let pdbs: [JSONObject]
        let rules: [String]
    }

    static let workloads: [WorkloadCase] = [
        WorkloadCase(description: "3 replicas, no PDB", kind: "Deployment", replicas: 3, pdbs: [], rules: ["pdb.required"]),
        WorkloadCase(description: "statefulset, no PDB", kind: "StatefulSet", replicas: 2, pdbs: [], rules: ["pdb.required"]),
        WorkloadCase(description: "replicaset, no PDB", kind: "ReplicaSet", replicas: 2, pdbs: [], rules: ["pdb.required"]),
        WorkloadCase(description: "singleton needs none", kind: "Deployment", replicas: 1, pdbs: [], rules: []),
        WorkloadCase(description: "daemonset is out of scope", kind: "DaemonSet", replicas: 3, pdbs: [], rules: []),
        WorkloadCase(description: "drain-safe PDB", kind: "Deployment", replicas: 3,
                     pdbs: [["maxUnavailable": 1, "unhealthyPodEvictionPolicy": "AlwaysAllow"]], rules: []),
        WorkloadCase(description: "only a blocking PDB", kind: "Deployment", replicas: 3,
                     pdbs: [["minAvailable": 3, "unhealthyPodEvictionPolicy": "AlwaysAllow"]], rules: ["pdb.required"]),
        WorkloadCase(description: "minAvailable leaving room", kind: "Deployment", replicas: 3,
                     pdbs: [["minAvailable": 2, "unhealthyPodEvictionPolicy": "AlwaysAllow"]], rules: []),
        WorkloadCase(description: "a small percentage rounds up to one eviction", kind: "Deployment", replicas: 3,
                     pdbs: [["maxUnavailable": "10%"]], rules: []),
        WorkloadCase(description: "0% allows none", kind: "Deployment", replicas: 3,
                     pdbs: [["maxUnavailable": "0%"]], rules: ["pdb.required"]),
        WorkloadCase(description: "minAvailable 90% rounds up to all 3", kind: "Deployment", replicas: 3,
                     pdbs: [["minAvailable": "90%"]], rules: ["pdb.required"]),
    ]

    @Test("workloads need a drain-safe PDB", arguments: workloads)
    func workloadRules(_ case_: WorkloadCase) {
        let peers = case_.pdbs.map { Fixture.pdb(spec: $0) }
        let decision = Fixture.evaluate(Self.deployment(replicas: case_.replicas, kind: case_.kind), peers: peers)
        #expect(decision.rules == case_.rules)
    }

    @Test func aPDBSelectingOtherPodsDoesNotCount() {
        let other = Fixture.pdb(selector: ["app": "other"], spec: ["maxUnavailable": 1])
        #expect(Fixture.evaluate(Self.deployment(replicas: 3), peers: [other]).rules == ["pdb.required"])
    }

    @Test func anEmptySelectorSelectsEveryPodButAnAbsentOneNone() {
        let everything = Fixture.pdb(selector: [:], spec: ["maxUnavailable": 1])
        #expect(Fixture.evaluate(Self.deployment(replicas: 3), peers: [everything]).rules.isEmpty)
        var noSelector = everything
        noSelector.set(.null, at: "spec.selector")
        #expect(Fixture.evaluate(Self.deployment(replicas: 3), peers: [noSelector]).rules == ["pdb.required"])
    }

    struct BudgetCase: Sendable, CustomStringConvertible {
        let description: String
        let spec: JSONObject
        let replicas: Int64?
        let rules: [String]
    }

    static let budgets: [BudgetCase] = [
        BudgetCase(description: "maxUnavailable 1", spec: ["maxUnavailable": 1, "unhealthyPodEvictionPolicy": "AlwaysAllow"], replicas: 3, rules: []),
        BudgetCase(description: "maxUnavailable 0", spec: ["maxUnavailable": 0, "unhealthyPodEvictionPolicy": "AlwaysAllow"], replicas: nil, rules: ["pdb.drain-safe"]),
        BudgetCase(description: "maxUnavailable 0%", spec: ["maxUnavailable": "0%", "unhealthyPodEvictionPolicy": "AlwaysAllow"], replicas: nil, rules: ["pdb.drain-safe"]),
        BudgetCase(description: "minAvailable 100%", spec: ["minAvailable": "100%", "unhealthyPodEvictionPolicy": "AlwaysAllow"], replicas: nil, rules: ["pdb.drain-safe"]),
        BudgetCase(description: "minAvailable = replicas", spec: ["minAvailable": 3, "unhealthyPodEvictionPolicy": "AlwaysAllow"], replicas: 3, rules: ["pdb.drain-safe"]),
        BudgetCase(description: "minAvailable > replicas", spec: ["minAvailable": 5, "unhealthyPodEvictionPolicy": "AlwaysAllow"], replicas: 3, rules: ["pdb.drain-safe"]),
        BudgetCase(description: "minAvailable < replicas", spec: ["minAvailable": 2, "unhealthyPodEvictionPolicy": "AlwaysAllow"], replicas: 3, rules: []),
        BudgetCase(description: "minAvailable with unknown workloads", spec: ["minAvailable": 3, "unhealthyPodEvictionPolicy": "AlwaysAllow"], replicas: nil, rules: []),
        BudgetCase(description: "no unhealthy eviction policy", spec: ["maxUnavailable": 1], replicas: nil, rules: ["pdb.unhealthy-eviction"]),
        BudgetCase(description: "neither field", spec: ["unhealthyPodEvictionPolicy": "AlwaysAllow"], replicas: nil, rules: ["pdb.drain-safe"]),
    ]

    @Test("the expected pod count is the sum of every selected workload's replicas, as the disruption controller counts",
          arguments: [(Int64(2), [String]()), (Int64(4), [String]()), (Int64(5), ["pdb.drain-safe"]), (Int64(6), ["pdb.drain-safe"])] as [(Int64, [String])])
    func budgetsSpanningWorkloads(_ minAvailable: Int64, _ rules: [String]) {
        var second = Self.deployment(replicas: 3)
        second.set("odoo-web-2", at: "metadata.name")
        let peers = [Self.deployment(replicas: 2), second]
        let decision = Fixture.evaluate(Fixture.pdb(spec: ["minAvailable": .int(minAvailable), "unhealthyPodEvictionPolicy": "AlwaysAllow"]), peers: peers)
        #expect(decision.rules == rules)
    }

    @Test func replicaCountsThatWouldOverflowTheirSumSaturate() {
        var second = Self.deployment(replicas: Int64.max)
        second.set("odoo-web-2", at: "metadata.name")
        let peers = [Self.deployment(replicas: Int64.max), second]
        let allowed = Fixture.evaluate(Fixture.pdb(spec: ["minAvailable": .int(Int64.max - 1), "unhealthyPodEvictionPolicy": "AlwaysAllow"]), peers: peers)
        #expect(allowed.rules.isEmpty, "the sum saturates at Int64.max instead of trapping")
        let all = Fixture.evaluate(Fixture.pdb(spec: ["minAvailable": .int(Int64.max), "unhealthyPodEvictionPolicy": "AlwaysAllow"]), peers: peers)
        #expect(all.rules == ["pdb.drain-safe"], "a minimum equal to the saturated count leaves no eviction")
    }

    @Test("budgets must allow evictions", arguments: budgets)
    func budgetRules(_ case_: BudgetCase) {
        let peers = case_.replicas.map { [Self.deployment(replicas: $0)] } ?? []
        let decision = Fixture.evaluate(Fixture.pdb(spec: case_.spec), peers: peers)
        #expect(decision.rules == case_.rules)
        if case_.rules == ["pdb.unhealthy-eviction"] { #expect(decision.allowed, "the default policy only warns") }
    }

    /// A budget of a given selector JSON (`nil`: no selector), blocking every eviction.
    static func blockingBudget(_ name: String, selector: JSONValue?) -> JSONValue {
        var budget = Fixture.pdb(name: name, spec: ["minAvailable": "100%", "unhealthyPodEvictionPolicy": "AlwaysAllow"])
        budget.set(selector ?? .null, at: "spec.selector")
        return budget
    }

    /// Selectors the peer index files differently: by the least `matchLabels` key (which may or may not
    /// be the key that fails), expressions only, empty, absent, a label value of another type.
    static let selectorBudgets: [JSONValue] = [
        blockingBudget("app-web", selector: ["matchLabels": ["app": "web"]]),
        blockingBudget("app-other", selector: ["matchLabels": ["app": "other"]]),
        blockingBudget("least-key-matches-other-fails", selector: ["matchLabels": ["app": "web", "tier": "db"]]),
        blockingBudget("least-key-fails-other-matches", selector: ["matchLabels": ["aaa": "x", "tier": "front"]]),
        blockingBudget("both-match", selector: ["matchLabels": ["app": "web", "tier": "front"]]),
        blockingBudget("expressions-only", selector: ["matchExpressions": [["key": "tier", "operator": "In", "values": ["front"]]]]),
        blockingBudget("expressions-fail", selector: ["matchExpressions": [["key": "tier", "operator": "DoesNotExist"]]]),
        blockingBudget("empty", selector: [:]),
        blockingBudget("absent", selector: nil),
        blockingBudget("labels-and-expression", selector: ["matchLabels": ["tier": "front"], "matchExpressions": [["key": "app", "operator": "NotIn", "values": ["web"]]]]),
    ]

    @Test func everyBudgetWhoseSelectorMatchesIsFoundWhateverItsShape() {
        let workload = Fixture.workload("Deployment", podSpec: Fixture.podSpec(Fixture.container()), replicas: 3,
                                        podLabels: ["app": "web", "tier": "front"])
        let decision = Fixture.evaluate(workload, peers: Self.selectorBudgets)
        let message = decision.violations.first { $0.rule == .pdbRequired }?.message ?? ""
        #expect(message.contains("its PodDisruptionBudget (app-web, both-match, empty, expressions-only) allows no eviction"), "\(message)")
    }

    @Test func aBudgetCountsTheReplicasOfEveryWorkloadItSelectsAndNoOther() {
        func workload(_ name: String, replicas: Int64, labels: [String: String]) -> JSONValue {
            Fixture.workload("Deployment", podSpec: Fixture.podSpec(Fixture.container()), name: name, replicas: replicas, podLabels: labels)
        }
        let peers = [
            workload("a", replicas: 2, labels: ["app": "web", "tier": "front"]),
            workload("b", replicas: 3, labels: ["app": "web", "tier": "back"]),
            workload("c", replicas: 5, labels: ["app": "web"]),
            workload("d", replicas: 7, labels: ["app": "other", "tier": "front"]),
        ]
        // minAvailable: the selected sum − 1 allows one eviction; the selected sum allows none.
        let cases: [(JSONValue, Int64)] = [
            (["matchLabels": ["app": "web"]], 10),
            (["matchLabels": ["tier": "front"]], 9),
            (["matchLabels": ["app": "web", "tier": "front"]], 2),
            (["matchExpressions": [["key": "tier", "operator": "Exists"]]], 12),
            ([:], 17),
        ]
        for (selector, sum) in cases {
            var budget = Fixture.pdb(spec: ["minAvailable": .int(sum - 1), "unhealthyPodEvictionPolicy": "AlwaysAllow"])
            budget.set(selector, at: "spec.selector")
            #expect(Fixture.evaluate(budget, peers: peers).rules.isEmpty, "\(selector): one eviction left of \(sum)")
            budget.set(.int(sum), at: "spec.minAvailable")
            #expect(Fixture.evaluate(budget, peers: peers).rules == ["pdb.drain-safe"], "\(selector): none left of \(sum)")
        }
    }

    /// Hostile sizes and types: 5,000 budgets and 5,000 workloads in one namespace, a pod label that
    /// is a number, a selector on it. Only the one budget naming the workload's own label selects it,
    /// a non-string label never matches, and a budget sums exactly the workloads it selects.
    @Test func thousandsOfBudgetsAndWorkloadsAndLabelsOfTheWrongType() {
        var peers: [JSONValue] = []
        for index in 0..<5_000 {
            peers.append(Self.blockingBudget("budget-\(index)", selector: ["matchLabels": ["app": .string("web-\(index)")]]))
            peers.append(Fixture.workload("Deployment", podSpec: Fixture.podSpec(Fixture.container()), name: "web-\(index)",
                                          replicas: 2, podLabels: ["app": "web-\(index)"]))
        }
        peers.append(Self.blockingBudget("numbered", selector: ["matchLabels": ["app": "7"]]))
        var workload = Fixture.workload("Deployment", podSpec: Fixture.podSpec(Fixture.container()), name: "web-4999", replicas: 3,
                                        podLabels: ["app": "web-4999"])
        let message = Fixture.evaluate(workload, peers: peers).violations.first { $0.rule == .pdbRequired }?.message ?? ""
        #expect(message.contains("its PodDisruptionBudget (budget-4999) allows no eviction"), "\(message)")
        workload.set(.int(7), at: "spec.template.metadata.labels.app")
        let typed = Fixture.evaluate(workload, peers: peers).violations.first { $0.rule == .pdbRequired }?.message ?? ""
        #expect(typed.contains("no PodDisruptionBudget selects its pods"), "a number is not the label string \"7\": \(typed)")
        var budget = Fixture.pdb(spec: ["minAvailable": 2, "unhealthyPodEvictionPolicy": "AlwaysAllow"])
        budget.set(["matchLabels": ["app": "web-17"]], at: "spec.selector")
        #expect(Fixture.evaluate(budget, peers: peers).rules == ["pdb.drain-safe"], "web-17's 2 replicas alone: minAvailable 2 leaves none")
    }
}
