import Foundation
@testable import GuardRules
import KubeModel
import Testing

/// Issue #33: what one decision may say is bounded whatever the request (violations per rule and in
/// all, echoed values, warnings, the patch, the whole response), and capping never changes the verdict.
@Suite("Output budget")
struct OutputBudgetTests {
    static func violation(_ rule: RuleID, _ mode: RuleMode = .enforce) -> Violation {
        Violation(rule: rule, path: "spec", message: "m", mode: mode)
    }

    struct CapCase: Sendable, CustomStringConvertible {
        let name: String
        let input: [Violation]
        let kept: Int
        let omitted: [RuleMode: Int]
        var description: String { name }
    }

    static let capCases: [CapCase] = [
        CapCase(name: "under the per-rule cap", input: Array(repeating: violation(.secretsNoLiteralCredentials), count: 20), kept: 20, omitted: [:]),
        CapCase(name: "one rule far over", input: Array(repeating: violation(.secretsNoLiteralCredentials), count: 10_000), kept: 20,
                omitted: [.enforce: 9_980]),
        CapCase(name: "six rules of 30: the total cap, passed only for the sixth rule's first", input: [RuleID.secretsNoLiteralCredentials, .imageNoLatest, .imageRegistryAllowed,
                                                               .resourcesRequestsRequired, .resourcesLimitsRequired, .objectWellFormed]
                    .flatMap { Array(repeating: violation($0), count: 30) }, kept: 101, omitted: [.enforce: 79]),
        CapCase(name: "a warn rule first does not crowd out a later enforce rule",
                input: Array(repeating: violation(.imageDigestPinned, .warn), count: 500) + [violation(.imageNoLatest)],
                kept: 21, omitted: [.warn: 480]),
    ]

    @Test("violations are capped per rule and in all, keeping every rule that fired", arguments: capCases)
    func capping(_ case_: CapCase) {
        let (kept, omitted) = OutputBudget.cap(case_.input)
        #expect(kept.count == case_.kept)
        #expect(omitted == case_.omitted)
        #expect(Set(kept.map(\.rule)) == Set(case_.input.map(\.rule)), "a rule that fired lost every listed violation")
        #expect(kept.contains { $0.mode == .enforce } == case_.input.contains { $0.mode == .enforce })
    }

    @Test func warningsAreCutInCountAndLength() {
        let warnings = OutputBudget.cap(warnings: (0..<500).map { "w\($0) " + String(repeating: "x", count: 10_000) })
        #expect(warnings.count == OutputBudget.warnings)
        #expect(warnings.dropLast().allSatisfy { $0.utf8.count <= EchoBudget.message + EchoBudget.ellipsis.utf8.count })
        #expect(warnings.last == "… and 469 more warnings")
        #expect(OutputBudget.cap(warnings: ["a", "b"]) == ["a", "b"])
    }

    @Test func echoedTextIsCutAtACharacterBoundary() {
        #expect("short".echoed() == "short")
        let long = String(repeating: "é", count: 200)   // 400 bytes
        let cut = long.echoed()
        #expect(cut.hasSuffix("…") && cut.utf8.count == 256 + "…".utf8.count)
        #expect(String(repeating: "a", count: 255).appending("é").echoed() == String(repeating: "a", count: 255) + "…")
    }

    /// A long container name repeated by many findings: 100 containers named with 20,000 bytes each,
    /// 1,000 literal credentials each (5.7 MB, under the 7 MiB body limit). Before, such a review
    /// answered hundreds of MB; now the answer stays under 1 MiB and counts what it leaves out.
    @Test func aLongNameTimesManyFindingsAnswersUnderOneMebibyte() throws {
        let containers: [JSONValue] = (0..<100).map { index in
            let env: [JSONValue] = (0..<1_000).map { ["name": .string("DB_PASSWORD_\($0)"), "value": "hunter2"] }
            return Fixture.container(name: String(repeating: "n", count: 20_000) + "\(index)", env: env)
        }
        let object = Fixture.workload("Deployment", podSpec: ["containers": .array(containers)], replicas: 1)
        let requestBytes = object.serializedBytes().count
        #expect(requestBytes < 7 * 1_024 * 1_024)
        let request = AdmissionRequest(uid: "u", kind: GroupVersionKind(group: "apps", version: "v1", kind: "Deployment"),
                                       resource: GroupVersionResource(group: "apps", version: "v1", resource: "deployments"),
                                       name: "web", namespace: "clinic", operation: .create, userInfo: UserInfo(username: "alice"), object: object)
        let context = EvaluationContext(namespace: NamespaceContext(name: "clinic", labels: [GuardLabels.stage: "production", GuardLabels.tier: "dedicated"]),
                                        now: Fixture.now)
        for (phase, mutating) in [(EvaluationPhase.validating, false), (.combined, true)] {
            let decision = GuardEvaluator(policy: Fixture.policy).evaluate(request, context: context, phase: phase)
            #expect(!decision.allowed)
            #expect((decision.omittedViolations[.enforce] ?? 0) > 90_000)
            let (response, body) = AdmissionResponse(answering: request, decision: decision, mutating: mutating).bounded()
            #expect(body.count <= OutputBudget.responseBytes, "\(body.count) bytes for a \(requestBytes)-byte request")
            if !mutating {
                #expect(response.statusMessage?.contains("more (every rule that fired is listed at least once)") == true)
                #expect(body.count < 256 * 1_024, "\(body.count)")
            }
        }
    }

    /// A ChangeApproval created by a user with 200,000 groups: refused at spec.approver, never stamped
    /// (before: one patch operation per group, 14–18 MB out for 2 MB in).
    @Test func anApproverWithTwoHundredThousandGroupsIsRefusedNotStamped() {
        let user = UserInfo(username: "approver@example.com",
                            groups: ["odooguard:change-approvers"] + (0..<200_000).map { "group-\($0)" })
        let decision = ApprovalRuleTests.evaluate(ApprovalRuleTests.approval(by: nil), user: user)
        #expect(decision.patch.isEmpty)
        #expect(decision.denials.contains { $0.rule == .approvalValid && $0.path.description == "spec.approver"
            && $0.message.contains("belongs to 200001 groups") }, "\(decision.denials)")
        let request = AdmissionRequest(uid: "u", kind: GroupVersionKind(group: "odooguard.io", version: "v1alpha1", kind: "ChangeApproval"),
                                       resource: GroupVersionResource(group: "odooguard.io", version: "v1alpha1", resource: "changeapprovals"),
                                       operation: .create, userInfo: user, object: .null)
        #expect(AdmissionResponse(answering: request, decision: decision, mutating: true).bounded().body.count < 4_096)
    }

    /// A mutation past the patch budget (an approver with 256 groups of 4 KB each: a 1 MiB stamp) is
    /// refused, naming the field, and nothing is sent to patch.
    @Test func aPatchOverItsBudgetIsRefusedNamingTheField() {
        let user = UserInfo(username: "approver@example.com",
                            groups: ["odooguard:change-approvers"] + (0..<255).map { "g\($0)-" + String(repeating: "x", count: 4_096) })
        let decision = ApprovalRuleTests.evaluate(ApprovalRuleTests.approval(by: nil), user: user)
        #expect(decision.patch.isEmpty && decision.mutatedObject == nil)
        let refusal = decision.denials.first { $0.rule == .objectWellFormed }
        #expect(refusal?.path.description == "spec.approver", "\(decision.denials)")
        #expect(refusal?.message.contains("more than its budget of \(OutputBudget.patchBytes)") == true)
    }

    @Test func pathsBuiltFromTheCallersKeysAreCut() {
        let key = String(repeating: "k", count: 5_000)
        let path = OutputBudget.echoed(FieldPath([.key("metadata"), .key("labels"), .key(key)]))
        #expect(path.description.utf8.count < 300)
    }
}

/// Absurd values where the new code reads: each is denied, and its answer stays within the budget.
extension OutputBudgetTests {
    static let absurd: [(String, JSONValue)] = [
        ("10,000 containers", Fixture.workload("Deployment", podSpec: ["containers": .array((0..<10_000).map { Fixture.container(name: "c\($0)", image: "x:latest") })])),
        ("a quantity past 128 bits in each of 200 containers", Fixture.workload("Deployment", podSpec: ["containers": .array((0..<200).map {
            Fixture.container(name: "c\($0)", resources: ["requests": ["cpu": "99999999999999999999Ei", "memory": "1Gi"], "limits": ["memory": "1Gi"]])
        })])),
        ("containers as a number", Fixture.workload("Deployment", podSpec: ["containers": 7])),
        ("env as a string in 256 containers", Fixture.workload("Deployment", podSpec: ["containers": .array((0..<256).map {
            Fixture.container(name: "c\($0)", extra: ["env": "DB_PASSWORD=hunter2"])
        })])),
        ("a 100,000-byte label key", Fixture.workload("Deployment", podSpec: Fixture.podSpec(Fixture.container(image: "x:latest")),
                                                       labels: [String(repeating: "k", count: 100_000): "v"])),
    ]

    @Test(arguments: absurd.indices)
    func absurdValuesAreDeniedWithinTheBudget(_ index: Int) {
        let (name, object) = Self.absurd[index]
        let request = AdmissionRequest(uid: "u", kind: GroupVersionKind(group: "apps", version: "v1", kind: "Deployment"),
                                       resource: GroupVersionResource(group: "apps", version: "v1", resource: "deployments"),
                                       name: "web", namespace: "clinic", operation: .create, userInfo: UserInfo(username: "alice"), object: object)
        let context = EvaluationContext(namespace: NamespaceContext(name: "clinic", labels: [GuardLabels.stage: "production"]), now: Fixture.now)
        for phase in [EvaluationPhase.validating, .combined] {
            let decision = GuardEvaluator(policy: Fixture.policy).evaluate(request, context: context, phase: phase)
            #expect(!decision.allowed, "\(name) was allowed")
            for mutating in [false, true] {
                let body = AdmissionResponse(answering: request, decision: decision, mutating: mutating).bounded().body
                #expect(body.count <= 256 * 1_024, "\(name): \(body.count) bytes")
            }
        }
    }
}
