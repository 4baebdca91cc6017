import Foundation
import GuardRules
import KubeModel
import OdooPlan
import Testing

/// The policy gate's judgement: a plan the gate passed at the last reconcile passes again without
/// being evaluated, and anything that can change the verdict makes it judged again.
@Suite("Policy gate judgement")
struct PolicyGateJudgementTests {
    /// The built-in policy.
    static func builtIn() throws -> GuardPolicy { try GuardPolicy.builtIn() }

    /// The built-in policy with development images allowed only from `registry`, under `version`.
    static func restricted(to registry: String, version: String? = nil) throws -> GuardPolicy {
        var policy = try builtIn()
        policy.stages[.development]?.allowedRegistries = [registry]
        if let version { policy.version = version }
        return policy
    }

    /// The fixture environment (development, a digest from registry.example.com) under `policy`.
    static func observation(_ policy: GuardPolicy, passed: PolicyGate.Judgement? = nil, _ change: (inout JSONValue) -> Void = { _ in }) -> EnvironmentObservation {
        DecisionTests.observation(Fixtures.environment(change)) {
            $0.policy = policy
            $0.passedGate = passed
        }
    }

    @Test func aPassedPlanIsJudgedTheSameAtTheNextReconcile() throws {
        let first = DecisionTests.decision.decide(Self.observation(try Self.builtIn()))
        #expect(first.problem == nil)
        let judgement = try #require(first.passedGate)
        let second = DecisionTests.decision.decide(Self.observation(try Self.builtIn(), passed: judgement))
        #expect(second.problem == nil && second.passedGate == judgement)
        #expect(second.apply.map(\.reference) == first.apply.map(\.reference))
        #expect(second.apply.map(\.object) == first.apply.map(\.object), "the same stamped objects")
    }

    /// The evaluation is skipped: a policy that denies the plan but carries the passed policy's version
    /// (the version names a policy's content) lets it pass; without the judgement, or under another
    /// version, the same policy denies it.
    @Test func theSamePlanUnderTheSamePolicyVersionIsNotEvaluatedAgain() throws {
        let builtIn = try Self.builtIn()
        let judgement = try #require(DecisionTests.decision.decide(Self.observation(builtIn)).passedGate)
        let sameVersion = try Self.restricted(to: "quay.io/*", version: builtIn.version)
        #expect(DecisionTests.decision.decide(Self.observation(sameVersion, passed: judgement)).problem == nil)
        let unjudged = DecisionTests.decision.decide(Self.observation(sameVersion))
        #expect(unjudged.problem?.reason == "PolicyDenied" && unjudged.passedGate == nil)
        let otherVersion = DecisionTests.decision.decide(Self.observation(try Self.restricted(to: "quay.io/*", version: "another"), passed: judgement))
        #expect(otherVersion.problem?.reason == "PolicyDenied", "another policy version is judged again")
        #expect(otherVersion.problem?.message.contains("image.registry-allowed") == true)
    }

    @Test func aChangedPlanIsJudgedAgain() throws {
        let builtIn = try Self.builtIn()
        let judgement = try #require(DecisionTests.decision.decide(Self.observation(builtIn)).passedGate)
        // A foreign registry in production: denied even though the previous plan passed.
        let denied = DecisionTests.decision.decide(DecisionTests.observation(Fixtures.environment {
            $0.set(.string(DecisionTests.foreign), at: "spec.image")
            $0.set("production", at: "spec.stage")
        }) {
            $0.pin = .known(DecisionTests.foreign)
            $0.policy = builtIn
            $0.passedGate = judgement
        })
        #expect(denied.problem?.reason == "PolicyDenied" && denied.passedGate == nil && denied.apply.isEmpty)
        // One more replica: another plan, another judgement.
        let scaled = DecisionTests.decision.decide(Self.observation(builtIn, passed: judgement) { $0.set(.int(2), at: "spec.replicas") })
        #expect(scaled.problem == nil)
        #expect(scaled.passedGate != nil && scaled.passedGate != judgement)
    }

    @Test func noPolicyNoJudgement() {
        let reconciliation = DecisionTests.decision.decide(DecisionTests.observation())
        #expect(reconciliation.problem == nil && reconciliation.passedGate == nil)
    }

    struct Case: Sendable, CustomStringConvertible {
        let description: String
        let policyVersion: String
        let namespace: String
        let labels: [String: String]
        let objects: [(kind: String, serialized: [UInt8])]
        /// Whether the judgement equals the reference one; `nil` when there must be none.
        let same: Bool?
    }

    static let deployment = Array(#"{"kind":"Deployment","metadata":{"name":"demo-web"}}"#.utf8)
    static let service = Array(#"{"kind":"Service","metadata":{"name":"demo-web"}}"#.utf8)
    static let reference = Case(description: "the reference", policyVersion: "builtin@1", namespace: "demo",
                                labels: ["odooguard.io/stage": "development", "odooguard.io/tier": "shared"],
                                objects: [("Deployment", deployment), ("Service", service)], same: true)

    static func varied(_ description: String, same: Bool?, _ change: (inout (String, String, [String: String], [(kind: String, serialized: [UInt8])])) -> Void) -> Case {
        var fields = (reference.policyVersion, reference.namespace, reference.labels, reference.objects)
        change(&fields)
        return Case(description: description, policyVersion: fields.0, namespace: fields.1, labels: fields.2, objects: fields.3, same: same)
    }

    static let cases: [Case] = [
        reference,
        varied("the same labels built in another order", same: true) { $0.2 = Dictionary(uniqueKeysWithValues: $0.2.sorted { $0.key > $1.key }) },
        varied("another policy version", same: false) { $0.0 = "builtin@2" },
        varied("another namespace", same: false) { $0.1 = "demo2" },
        varied("a label value changed", same: false) { $0.2["odooguard.io/stage"] = "production" },
        varied("a label added", same: false) { $0.2["pod-security.kubernetes.io/enforce"] = "restricted" },
        varied("an object's byte changed", same: false) { $0.3[1].serialized[10] ^= 1 },
        varied("the objects in another order", same: false) { $0.3.reverse() },
        varied("an object dropped", same: false) { $0.3.removeLast() },
        varied("bytes moved across the boundary of two objects", same: false) {
            $0.3[0].serialized.append($0.3[1].serialized.removeFirst())
        },
        varied("a GuardException among the objects: its expiry reads the time", same: nil) { $0.3.append((GuardException.kind, Array("{}".utf8))) },
        varied("a ChangeApproval among the objects", same: nil) { $0.3.append(("ChangeApproval", Array("{}".utf8))) },
    ]

    @Test("judgements", arguments: cases)
    func judgement(_ case_: Case) throws {
        func judge(_ c: Case) -> PolicyGate.Judgement? {
            PolicyGate.Judgement(policyVersion: c.policyVersion, namespace: c.namespace, labels: c.labels, objects: c.objects)
        }
        let reference = try #require(judge(Self.reference))
        let judged = judge(case_)
        switch case_.same {
        case nil: #expect(judged == nil)
        case let same?: #expect(judged.map { $0 == reference } == same)
        }
    }
}
