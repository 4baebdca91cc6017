import GuardRules
import KubeModel
import Testing

/// `scaling.connection-budget`: autoscalers of an OdooEnvironment's Deployments, judged by the
/// environment's connection budget (its status record, else its spec).
@Suite("Autoscalers within the connection budget")
struct ScalingRuleTests {
    /// The clinic: 2 workers (10 connections a web pod), cron 5, Jobs 5, 3 web pods planned: its role
    /// holds (3 + 1) × 10 + 10 = 50, on a tier of 60.
    static let record = ConnectionBudgetRecord(webDeployment: "clinic-web", cronDeployment: "clinic-cron", maxWebReplicas: 3,
                                               perWebPod: 10, cron: 5, jobs: 5, limit: 50, tierLimit: 60)

    static func environment(spec: JSONValue = ["replicas": 3], record: ConnectionBudgetRecord? = record) -> JSONValue {
        var object: JSONValue = ["apiVersion": "odooguard.io/v1alpha1", "kind": "OdooEnvironment",
                                 "metadata": ["name": "clinic", "namespace": "clinic"], "spec": spec]
        if let record { object.set(["connectionBudget": record.json], at: "status") }
        return object
    }

    static func hpa(target: String = "clinic-web", kind: String = "Deployment", maximum: Int64? = 3, version: String = "autoscaling/v2") -> JSONValue {
        var spec: JSONObject = ["minReplicas": 1, "scaleTargetRef": ["apiVersion": "apps/v1", "kind": .string(kind), "name": .string(target)]]
        if let maximum { spec["maxReplicas"] = .int(maximum) }
        return ["apiVersion": .string(version), "kind": "HorizontalPodAutoscaler", "metadata": ["name": "tenant-web", "namespace": "clinic"], "spec": .object(spec)]
    }

    static func scaledObject(target: String = "clinic-web", maximum: Int64?) -> JSONValue {
        var spec: JSONObject = ["scaleTargetRef": ["name": .string(target)], "triggers": [["type": "cpu", "metricType": "Utilization", "metadata": ["value": "60"]]]]
        if let maximum { spec["maxReplicaCount"] = .int(maximum) }
        return ["apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject", "metadata": ["name": "tenant-web", "namespace": "clinic"], "spec": .object(spec)]
    }

    struct Case: Sendable, CustomStringConvertible {
        let description: String
        let object: JSONValue
        let environment: JSONValue?
        let path: String?
        let words: [String]
    }

    static let cases: [Case] = [
        Case(description: "within the plan", object: hpa(maximum: 3), environment: environment(), path: nil, words: []),
        Case(description: "one pod past the plan, with the arithmetic", object: hpa(maximum: 4), environment: environment(), path: "spec.maxReplicas",
             words: ["up to 4 pods", "up to 60 PostgreSQL connections ((4 + 1 surge) web pods × 10 + cron 5 + jobs 5 = 60)", "role may hold 50 (3 web pods planned)",
                     "tier allows 60", "Lower spec.maxReplicas to 3", "spec.scaling.maxReplicas"]),
        Case(description: "autoscaling/v1 too", object: hpa(maximum: 9, version: "autoscaling/v1"), environment: environment(), path: "spec.maxReplicas", words: ["up to 9 pods"]),
        Case(description: "the spec's raised maximum counts before the operator records it", object: hpa(maximum: 5),
             environment: environment(spec: ["replicas": 1, "scaling": ["minReplicas": 2, "maxReplicas": 5]]), path: nil, words: []),
        Case(description: "no record yet: the spec's replicas", object: hpa(maximum: 2), environment: environment(spec: ["replicas": 1], record: nil),
             path: "spec.maxReplicas", words: ["plans at most 1 web pods", "Lower spec.maxReplicas to 1"]),
        Case(description: "cron is never scaled", object: hpa(target: "clinic-cron", maximum: 1), environment: environment(), path: "spec.scaleTargetRef.name",
             words: ["scheduled jobs in one pod", "run every job twice"]),
        Case(description: "KEDA within the plan", object: scaledObject(maximum: 3), environment: environment(), path: nil, words: []),
        Case(description: "KEDA without a maximum means 100", object: scaledObject(maximum: nil), environment: environment(), path: "spec.maxReplicaCount",
             words: ["up to 100 pods (maxReplicaCount is not set: KEDA's default is 100)", "1020 PostgreSQL connections"]),
        Case(description: "another Deployment is not Odoo's", object: hpa(target: "reports", maximum: 40), environment: environment(), path: nil, words: []),
        Case(description: "a StatefulSet of the same name is not Odoo's", object: hpa(kind: "StatefulSet", maximum: 40), environment: environment(), path: nil, words: []),
        Case(description: "no environment in the namespace", object: hpa(maximum: 40), environment: nil, path: nil, words: []),
        Case(description: "an absurd maximum cannot trap", object: hpa(maximum: Int64.max), environment: environment(), path: "spec.maxReplicas",
             words: ["up to \(Int64.max) pods"]),
    ]

    @Test("autoscalers are judged by the environment's budget", arguments: cases)
    func autoscaler(_ example: Case) {
        let decision = Fixture.evaluate(example.object, peers: example.environment.map { [$0] } ?? [])
        let findings = decision.violations.filter { $0.rule == .scalingConnectionBudget }
        guard let path = example.path else {
            #expect(findings.isEmpty, "\(example.description): \(findings)")
            #expect(decision.allowed, "\(example.description): \(decision.violations)")
            return
        }
        #expect(!decision.allowed && findings.map(\.path.description) == [path], "\(example.description): \(decision.violations)")
        for words in example.words {
            #expect(findings.first?.message.contains(words) == true, "\(example.description): \(findings.first?.message ?? "")")
        }
    }

    @Test func theRecordRoundTripsAndRefusesNonsense() {
        #expect(ConnectionBudgetRecord(status: ["connectionBudget": Self.record.json]) == Self.record)
        var negative = Self.record.json
        negative.set(-1, at: "perWebPod")
        #expect(ConnectionBudgetRecord(status: ["connectionBudget": negative]) == nil)
        #expect(ConnectionBudgetRecord(status: ["connectionBudget": "50"]) == nil)
        #expect(Self.record.worstCase(webReplicas: .max) == .max)
    }
}
