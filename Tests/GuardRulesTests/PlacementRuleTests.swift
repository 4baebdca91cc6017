import Foundation
import GuardRules
import KubeModel
import Testing

/// `spec.placement` of the GuardPolicy (its validation and its pools by tier and stage) and
/// `placement.node-pool`, which keeps a pod off the pools its tier and stage may not use.
@Suite("Node pools")
struct PlacementRuleTests {
    static let yaml = """
        placement:
          pools:
            - {name: odoo-production, nodeSelector: {odooguard.io/pool: odoo-production}, taints: [{key: odooguard.io/pool, value: odoo-production}]}
            - {name: odoo-dedicated, nodeSelector: {odooguard.io/pool: odoo-dedicated}, taints: [{key: odooguard.io/pool, value: odoo-dedicated}]}
            - {name: odoo-shared, nodeSelector: {odooguard.io/pool: odoo-shared}}
            - {name: stateful, nodeSelector: {odooguard.io/pool: stateful}, taints: [{key: odooguard.io/pool, value: stateful, effect: NoExecute}]}
            - {name: batch, nodeSelector: {odooguard.io/pool: batch}, taints: [{key: odooguard.io/pool, value: batch}]}
          assignments:
            - {stages: [production], web: odoo-production, stateful: stateful, jobs: batch}
            - {tiers: [dedicated], web: odoo-dedicated, stateful: stateful, jobs: batch}
            - {web: odoo-shared, jobs: batch}
          reservedTaints: [{key: node-role.kubernetes.io/control-plane}]
          zoneSpread: {production: DoNotSchedule}
        """

    /// `yaml` as a section of a policy's `spec`.
    static func policy(_ yaml: String) throws -> GuardPolicy {
        try Fixture.policy(yaml.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n") + "\n")
    }

    static let policy: GuardPolicy = (try? policy(yaml)) ?? Fixture.policy

    // MARK: the policy

    static let pools: [(tier: Tier, stage: Stage, web: String?, stateful: String?, jobs: String?)] = [
        (.shared, .production, "odoo-production", "stateful", "batch"),
        (.dedicated, .production, "odoo-production", "stateful", "batch"),
        (.dedicated, .staging, "odoo-dedicated", "stateful", "batch"),
        (.dedicated, .development, "odoo-dedicated", "stateful", "batch"),
        (.shared, .staging, "odoo-shared", nil, "batch"),
        (.shared, .development, "odoo-shared", nil, "batch"),
    ]

    @Test("the first matching assignment names each role's pool", arguments: 0..<pools.count)
    func poolsByTierAndStage(_ index: Int) {
        let example = Self.pools[index]
        let placement = Self.policy.placement
        #expect(placement.pool(.web, tier: example.tier, stage: example.stage)?.name == example.web)
        #expect(placement.pool(.stateful, tier: example.tier, stage: example.stage)?.name == example.stateful)
        #expect(placement.pool(.jobs, tier: example.tier, stage: example.stage)?.name == example.jobs)
        #expect(placement.zoneSpread(example.stage) == (example.stage == .production ? "DoNotSchedule" : "ScheduleAnyway"))
    }

    static let invalid: [(yaml: String, path: String, words: String)] = [
        ("placement: {pools: [{name: a}]}", "spec.placement.pools[0].nodeSelector", "is required"),
        ("placement: {pools: [{name: a, nodeSelector: {x: a}}, {name: a, nodeSelector: {x: b}}]}", "spec.placement.pools[1].name", "names another pool"),
        ("placement: {pools: [{name: a, nodeSelector: {x: a}, taints: [{key: x, effect: Sometimes}]}]}", "spec.placement.pools[0].taints[0].effect", "NoSchedule, PreferNoSchedule, NoExecute"),
        ("placement: {pools: [{name: a, nodeSelector: {x: 1}}]}", "spec.placement.pools[0].nodeSelector.x", "must be a string"),
        ("placement: {pools: [{name: a, nodeSelector: {x: a}}], assignments: [{web: b}]}", "spec.placement.assignments[0].web", "not a pool of spec.placement.pools (known: a)"),
        ("placement: {assignments: [{tiers: [gold]}]}", "spec.placement.assignments[0].tiers[0]", "not a tier"),
        ("placement: {assignments: [{stages: [qa]}]}", "spec.placement.assignments[0].stages[0]", "not a stage"),
        ("placement: {assignments: [{cache: a}]}", "spec.placement.assignments[0].cache", "unknown field"),
        ("placement: {zoneSpread: {production: Always}}", "spec.placement.zoneSpread.production", "DoNotSchedule"),
        ("placement: {zoneSpread: {qa: DoNotSchedule}}", "spec.placement.zoneSpread.qa", "unknown stage"),
        ("placement: {reservedTaints: [{value: x}]}", "spec.placement.reservedTaints[0].key", "required"),
        ("placement: {pools: {name: a}}", "spec.placement.pools", "must be a list"),
    ]

    @Test("an invalid placement names its field", arguments: 0..<invalid.count)
    func invalidPlacement(_ index: Int) {
        let example = Self.invalid[index]
        do {
            _ = try Self.policy(example.yaml)
            Issue.record("\(example.yaml) was accepted")
        } catch let error as GuardRulesError {
            let match = error.fieldErrors.first { $0.path.description == example.path }
            #expect(match?.message.contains(example.words) == true, "\(example.yaml): \(error.fieldErrors)")
        } catch {
            Issue.record("\(error)")
        }
    }

    // MARK: placement.node-pool

    static func deployment(_ fields: JSONObject) -> JSONValue {
        var spec = Fixture.podSpec(Fixture.container())
        for (key, value) in fields { spec.set(value, at: FieldPath([.key(key)])) }
        return Fixture.workload("Deployment", podSpec: spec, replicas: 1)
    }

    struct Case: Sendable, CustomStringConvertible {
        let description: String
        let stage: String
        let tier: String
        let fields: JSONObject
        let paths: [String]
        let words: String
    }

    static let cases: [Case] = [
        Case(description: "its own pool", stage: "production", tier: "shared",
             fields: ["nodeSelector": ["odooguard.io/pool": "odoo-production"], "tolerations": [["key": "odooguard.io/pool", "value": "odoo-production", "effect": "NoSchedule"]]],
             paths: [], words: ""),
        Case(description: "another tier's pool by selector", stage: "staging", tier: "shared", fields: ["nodeSelector": ["odooguard.io/pool": "odoo-dedicated"]],
             paths: ["spec.template.spec.nodeSelector[odooguard.io/pool]"], words: "selects node pool odoo-dedicated (odooguard.io/pool=odoo-dedicated), which shared-tier staging pods may not use (theirs: batch, odoo-shared)"),
        Case(description: "production's pool tolerated from development", stage: "development", tier: "dedicated",
             fields: ["tolerations": [["key": "odooguard.io/pool", "operator": "Equal", "value": "odoo-production", "effect": "NoSchedule"]]],
             paths: ["spec.template.spec.tolerations[0]"], words: "tolerates taint odooguard.io/pool=odoo-production:NoSchedule of node pool odoo-production"),
        Case(description: "every value of the pool key", stage: "development", tier: "shared",
             fields: ["tolerations": [["key": "odooguard.io/pool", "operator": "Exists"]]],
             paths: ["spec.template.spec.tolerations[0]"], words: "of node pool odoo-production"),
        Case(description: "everything tolerated", stage: "staging", tier: "shared", fields: ["tolerations": [["operator": "Exists"]]],
             paths: ["spec.template.spec.tolerations[0]"], words: "node-role.kubernetes.io/control-plane:NoSchedule, which the platform reserves"),
        Case(description: "the control plane", stage: "production", tier: "dedicated",
             fields: ["tolerations": [["key": "node-role.kubernetes.io/control-plane", "operator": "Exists", "effect": "NoSchedule"]]],
             paths: ["spec.template.spec.tolerations[0]"], words: "which the platform reserves for its own nodes"),
        Case(description: "another effect is not the taint", stage: "development", tier: "shared",
             fields: ["tolerations": [["key": "odooguard.io/pool", "value": "stateful", "effect": "NoSchedule"]]], paths: [], words: ""),
        Case(description: "the stateful pool's NoExecute taint", stage: "development", tier: "shared",
             fields: ["tolerations": [["key": "odooguard.io/pool", "value": "stateful", "effect": "NoExecute"]]],
             paths: ["spec.template.spec.tolerations[0]"], words: "may not use (theirs: batch, odoo-shared)"),
        Case(description: "a required affinity to another pool", stage: "staging", tier: "shared",
             fields: ["affinity": ["nodeAffinity": ["requiredDuringSchedulingIgnoredDuringExecution": ["nodeSelectorTerms": [["matchExpressions": [
                ["key": "kubernetes.io/arch", "operator": "In", "values": ["amd64"]],
                ["key": "odooguard.io/pool", "operator": "In", "values": ["odoo-shared", "stateful"]],
             ]]]]]]],
             paths: ["spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[1]"],
             words: "requires node pool stateful (odooguard.io/pool in odoo-shared, stateful)"),
        Case(description: "misshapen tolerations are the API server's to refuse", stage: "staging", tier: "shared",
             fields: ["tolerations": "all", "nodeSelector": ["odooguard.io/pool": 7]], paths: [], words: ""),
    ]

    @Test("pods stay on their tier's and stage's pools", arguments: cases)
    func nodePool(_ example: Case) {
        let decision = Fixture.evaluate(Self.deployment(example.fields), stage: example.stage, tier: example.tier, policy: Self.policy)
        let findings = decision.violations.filter { $0.rule == .placementNodePool }
        #expect(findings.map(\.path.description) == example.paths, "\(example.description): \(findings)")
        if let first = findings.first { #expect(first.message.contains(example.words), "\(example.description): \(first.message)") }
        #expect(findings.allSatisfy { $0.mode == .enforce })
    }

    /// Without pools the rule has nothing to judge; outside a governed namespace neither.
    @Test func withoutPoolsOrAStageNothingIsJudged() {
        let everything = Self.deployment(["tolerations": [["operator": "Exists"]]])
        #expect(!Fixture.evaluate(everything).violations.contains { $0.rule == .placementNodePool })
        #expect(!Fixture.evaluate(everything, stage: nil, policy: Self.policy).violations.contains { $0.rule == .placementNodePool })
    }
}

/// Absurd placement input: a policy of 10,000 pools is refused by count; a pod of 10,000
/// tolerations and affinity terms is judged within the reference budget, in bounded time.
@Suite("Node pools: absurd input")
struct PlacementAbsurdInputTests {
    @Test func absurdPoliciesAndPodsStayBounded() throws {
        let pools = (0..<10_000).map { "    - {name: p\($0), nodeSelector: {pool: p\($0)}}" }.joined(separator: "\n")
        do {
            _ = try PlacementRuleTests.policy("placement:\n  pools:\n" + pools)
            Issue.record("10,000 pools were accepted")
        } catch let error as GuardRulesError {
            #expect(error.fieldErrors.contains { $0.path.description == "spec.placement.pools" && $0.message.contains("at most 50") }, "\(error.fieldErrors)")
        }
        let started = Date()
        let tolerations: [JSONValue] = (0..<10_000).map { _ in ["key": "odooguard.io/pool", "operator": "Exists"] }
        let terms: [JSONValue] = (0..<10_000).map { _ in ["matchExpressions": [["key": "odooguard.io/pool", "operator": "In", "values": ["stateful"]]]] }
        let pod = PlacementRuleTests.deployment(["tolerations": .array(tolerations),
                                                 "affinity": ["nodeAffinity": ["requiredDuringSchedulingIgnoredDuringExecution": ["nodeSelectorTerms": .array(terms)]]]])
        let decision = Fixture.evaluate(pod, stage: "development", tier: "shared", policy: PlacementRuleTests.policy)
        let findings = decision.violations.filter { $0.rule == .placementNodePool }
        #expect(!decision.allowed && !findings.isEmpty)
        #expect(Date().timeIntervalSince(started) < 10)
    }
}
