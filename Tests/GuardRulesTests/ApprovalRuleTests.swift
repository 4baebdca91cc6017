import Foundation
import GuardRules
import KubeModel
import Testing

/// Production change control: ChangeApprovals (stamped approver, approver groups, expiry, immutability)
/// and separation of duties for high-risk production changes.
@Suite("Change approvals")
struct ApprovalRuleTests {
    static let digestA = "sha256:" + String(repeating: "a", count: 64)
    static let digestB = "sha256:" + String(repeating: "b", count: 64)
    static let digestC = "sha256:" + String(repeating: "c", count: 64)
    static let deployer = UserInfo(username: "deployer@example.com", groups: ["clinic-team", "system:authenticated"])
    static let approver = UserInfo(username: "approver@example.com", groups: ["odooguard:change-approvers", "system:authenticated"])

    static func environment(image: String, replicas: Int64 = 2, database: String = "clinic", reference: String? = "CHG-7",
                            addons: [String] = []) -> JSONValue {
        var metadata: JSONObject = ["name": "clinic", "namespace": "clinic"]
        if let reference { metadata["annotations"] = [GuardLabels.changeReference: .string(reference)] }
        var spec: JSONObject = ["version": "17.0", "stage": "production", "tier": "dedicated", "image": .string(image),
                                "replicas": .int(replicas), "database": ["name": .string(database)]]
        if !addons.isEmpty { spec["addons"] = .array(addons.map { ["image": .string($0)] }) }
        return ["apiVersion": "odooguard.io/v1alpha1", "kind": "OdooEnvironment", "metadata": .object(metadata), "spec": .object(spec)]
    }

    static func image(_ digest: String) -> String { "registry.example.com/odoo/odoo@" + digest }

    static func approval(name: String = "chg-7", reference: String = "CHG-7", environment: String = "clinic", image: String? = digestB,
                         addons: [String]? = nil, expires: String = "2026-11-25T00:00:00Z", by approver: UserInfo? = approver) -> JSONValue {
        var target: JSONObject = ["environment": .string(environment)]
        if let image { target["image"] = .string(image) }
        if let addons { target["addons"] = .array(addons.map(JSONValue.string)) }
        var spec: JSONObject = ["changeRef": .string(reference), "target": .object(target), "reason": "monthly security update",
                                "expiresAt": .string(expires)]
        if let approver { spec["approver"] = ["user": .string(approver.username), "groups": .array(approver.groups.map(JSONValue.string))] }
        return ["apiVersion": "odooguard.io/v1alpha1", "kind": "ChangeApproval", "metadata": ["name": .string(name), "namespace": "clinic"],
                "spec": .object(spec)]
    }

    static func evaluate(_ object: JSONValue, old: JSONValue? = nil, user: UserInfo = deployer, peers: [JSONValue] = [],
                         policy: GuardPolicy = Fixture.policy, phase: EvaluationPhase = .combined) -> Decision {
        let view = KubeObject(object)
        let request = AdmissionRequest(uid: "chg", kind: view.gvk, resource: ResourceType.of(view.gvk).gvr, name: view.name,
                                       namespace: "clinic", operation: old == nil ? .create : .update, userInfo: user, object: object, oldObject: old)
        let context = EvaluationContext(namespace: NamespaceContext(name: "clinic", labels: [GuardLabels.stage: "production"]),
                                        peers: peers.map(KubeObject.init), now: Fixture.now)
        return GuardEvaluator(policy: policy).evaluate(request, context: context, phase: phase)
    }

    struct Case: Sendable, CustomStringConvertible {
        let name: String
        let new: JSONValue
        let approvals: [JSONValue]
        var user: UserInfo = ApprovalRuleTests.deployer
        /// Expected rules (sorted) and a fragment of the message.
        let rules: [String]
        var says: String? = nil
        var description: String { name }
    }

    static let old = environment(image: image(digestA))
    static let cases: [Case] = [
        Case(name: "an approved image change", new: environment(image: image(digestB)), approvals: [approval()], rules: []),
        Case(name: "no approval", new: environment(image: image(digestB)), approvals: [], rules: ["odoo.change-approved"], says: "needs a ChangeApproval for change CHG-7"),
        Case(name: "an expired approval", new: environment(image: image(digestB)), approvals: [approval(expires: "2026-11-20T00:00:00Z")],
             rules: ["odoo.change-approved"], says: "expired at 2026-11-20T00:00:00Z"),
        Case(name: "self-approval", new: environment(image: image(digestB)), approvals: [approval(by: deployer)],
             rules: ["odoo.change-approved"], says: "who is making this change"),
        Case(name: "an approval of other digests", new: environment(image: image(digestB)), approvals: [approval(image: digestC)],
             rules: ["odoo.change-approved"], says: "approves image \(digestC), not \(digestB)"),
        Case(name: "an approval of another change", new: environment(image: image(digestB)), approvals: [approval(reference: "CHG-8")],
             rules: ["odoo.change-approved"], says: "needs a ChangeApproval"),
        Case(name: "an approval of another environment", new: environment(image: image(digestB)), approvals: [approval(environment: "billing")],
             rules: ["odoo.change-approved"]),
        Case(name: "a forged approval without the webhook's stamp", new: environment(image: image(digestB)), approvals: [approval(by: nil)],
             rules: ["odoo.change-approved"], says: "no approver stamped"),
        Case(name: "an image change approved without a digest", new: environment(image: image(digestB)), approvals: [approval(image: nil)],
             rules: ["odoo.change-approved"], says: "approves no image"),
        Case(name: "one good approval among bad ones", new: environment(image: image(digestB)),
             approvals: [approval(name: "a-old", expires: "2026-11-01T00:00:00Z"), approval(name: "b-good")], rules: []),
        Case(name: "a low-risk change needs only the reference", new: environment(image: image(digestA), replicas: 3), approvals: [], rules: []),
        Case(name: "a low-risk change without a reference", new: environment(image: image(digestA), replicas: 3, reference: nil), approvals: [],
             rules: ["odoo.change-reference"]),
        Case(name: "a database change is high-risk", new: environment(image: image(digestA), database: "clinic2"), approvals: [],
             rules: ["odoo.change-approved"], says: "spec.database.name"),
        Case(name: "a database change approved without digests", new: environment(image: image(digestA), database: "clinic2"),
             approvals: [approval(image: nil)], rules: []),
        Case(name: "an addon change approved with its digests", new: environment(image: image(digestA), addons: [image(digestC)]),
             approvals: [approval(image: nil, addons: [digestC])], rules: []),
        Case(name: "an addon change approved for other addons", new: environment(image: image(digestA), addons: [image(digestC)]),
             approvals: [approval(image: nil, addons: [digestB])], rules: ["odoo.change-approved"], says: "approves addon images"),
    ]

    @Test("high-risk production changes need someone else's live approval", arguments: cases)
    func separationOfDuties(_ case_: Case) {
        let decision = Self.evaluate(case_.new, old: Self.old, user: case_.user, peers: case_.approvals)
        let found = decision.violations.filter { $0.rule.rawValue.hasPrefix("odoo.change") }
        #expect(found.map(\.rule.rawValue).sorted() == case_.rules, "\(found)")
        if let says = case_.says { #expect(found.contains { $0.message.contains(says) }, "\(found.map(\.message))") }
        if case_.name == "a low-risk change needs only the reference" {
            #expect(decision.auditAnnotations["change-ref"] == "CHG-7" && decision.auditAnnotations["changed-fields"] == "spec.replicas")
        }
        if case_.rules.isEmpty && !case_.approvals.isEmpty {
            #expect(decision.auditAnnotations["approved-by"] == Self.approver.username)
            #expect(decision.auditAnnotations["requested-by"] == Self.deployer.username)
            #expect(decision.auditAnnotations["change-ref"] == "CHG-7")
            #expect(decision.auditAnnotations["approval"]?.hasPrefix("clinic/") == true)
        }
    }

    /// The operator writes a failed verification's outcome on the environment: a metadata-only
    /// update, admitted without an approval, whose record carries the outcome into the audit chain once.
    @Test func aChangeOutcomeIsAdmittedAndBecomesEvidence() {
        let old = Self.environment(image: Self.image(Self.digestB))
        var annotated = old
        let outcome = "RolledBack \(Self.image(Self.digestB)) → \(Self.image(Self.digestA)): restart loop"
        annotated.set(.string(outcome), at: FieldPath([.key("metadata"), .key("annotations"), .key(GuardLabels.changeOutcome)]))
        let operatorUser = UserInfo(username: "system:serviceaccount:odoo-guard:guard-operator", groups: ["system:serviceaccounts"])
        let decision = Self.evaluate(annotated, old: old, user: operatorUser)
        #expect(decision.allowed, "\(decision.violations)")
        #expect(decision.auditAnnotations["change-outcome"] == outcome)
        #expect(decision.auditAnnotations["requested-by"] == operatorUser.username)
        // Unchanged on a later write: no new evidence.
        #expect(Self.evaluate(annotated, old: annotated, user: operatorUser).auditAnnotations["change-outcome"] == nil)
    }

    @Test func leavingProductionNeedsTheApprovalToo() {
        var staging = Self.environment(image: Self.image(Self.digestB))
        staging.set("staging", at: FieldPath("spec.stage"))
        let decision = Self.evaluate(staging, old: Self.old, peers: [])
        #expect(decision.violations.contains { $0.rule == .odooChangeApproved }, "\(decision.violations)")
        var unreferenced = staging
        unreferenced.set(.null, at: FieldPath("metadata.annotations"))
        #expect(Self.evaluate(unreferenced, old: Self.old).violations.contains { $0.rule == .odooChangeReference })
    }

    @Test func theApproverMayBeTheDeployerWhenThePolicySaysSo() throws {
        let policy = try Fixture.policy("  changeApproval: {requireDistinctApprover: false}\n")
        let decision = Self.evaluate(Self.environment(image: Self.image(Self.digestB)), old: Self.old, peers: [Self.approval(by: Self.deployer)], policy: policy)
        #expect(!decision.violations.contains { $0.rule == .odooChangeApproved })
        #expect(!Fixture.policy.exceptions.nonExemptibleRules.isEmpty && Fixture.policy.exceptions.nonExemptibleRules.contains(.odooChangeApproved))
    }

    @Test func theWebhookStampsTheApproverWhateverWasTyped() throws {
        let forged = Self.approval(by: UserInfo(username: "ceo@example.com", groups: ["odooguard:change-approvers"]))
        let mutated = Self.evaluate(forged, user: Self.approver)
        #expect(mutated.allowed, "\(mutated.violations)")
        #expect(!mutated.patchRules.isEmpty && mutated.patchRules.allSatisfy { $0 == .approvalApproverStamp })
        let stamped = try #require(mutated.mutatedObject)
        #expect(stamped[path: FieldPath("spec.approver.user")] == .string(Self.approver.username))
        // The validating webhook, had the mutation not run, refuses the typed approver.
        let stored = Self.evaluate(forged, user: Self.approver, phase: .validating)
        #expect(stored.denials.map(\.rule.rawValue) == ["approval.approver-stamp"], "\(stored.denials)")
        #expect(Self.evaluate(stamped, user: Self.approver, phase: .validating).allowed)
        // With the stamp switched off, the typed approver itself is refused.
        let unstamped = try Fixture.policy("  rules: {approval.approver-stamp: audit}\n")
        let typed = Self.evaluate(forged, user: Self.approver, policy: unstamped, phase: .validating)
        #expect(typed.denials.contains { $0.rule == .approvalValid && $0.message.contains("it cannot name ceo@example.com") }, "\(typed.denials)")
    }

    @Test("a ChangeApproval is refused when", arguments: [
        ("made by someone outside the approver groups", approval(by: deployer), deployer, "spec.approver"),
        ("already expired", approval(expires: "2026-11-01T00:00:00Z"), approver, "spec.expiresAt"),
        ("beyond the policy's days", approval(expires: "2027-01-01T00:00:00Z"), approver, "spec.expiresAt"),
        ("an image is not a digest", approval(image: "registry.example.com/odoo/odoo:17.0"), approver, "spec.target.image"),
    ])
    func refusedApprovals(_ name: String, _ object: JSONValue, _ user: UserInfo, _ path: String) {
        let decision = Self.evaluate(object, user: user)
        #expect(decision.denials.contains { $0.rule == .approvalValid && $0.path.description == path }, "\(name): \(decision.denials)")
    }

    @Test func anApprovalIsNeverEdited() {
        let original = Self.approval()
        var edited = original
        edited.set("someone-else@example.com", at: FieldPath("spec.approver.user"))
        let decision = Self.evaluate(edited, old: original, user: Self.approver)
        #expect(decision.denials.map(\.rule) == [.approvalValid])
        #expect(decision.denials.first?.path.description == "spec.approver.user")
        var relabelled = original
        relabelled.set(["team": "billing"], at: FieldPath("metadata.labels"))
        #expect(Self.evaluate(relabelled, old: original, user: Self.deployer).allowed)
    }
}

extension ApprovalRuleTests {
    @Test func absurdApprovalsAreFieldErrorsNotCrashes() {
        let far = Self.evaluate(Self.approval(expires: "9999-12-31T23:59:59Z"), user: Self.approver)
        #expect(far.denials.contains { $0.rule == .approvalValid && $0.path.description == "spec.expiresAt" })
        let many = Self.approval(addons: (0..<10_000).map { _ in "not-a-digest" })
        let started = ContinuousClock.now
        let decision = Self.evaluate(many, user: Self.approver)
        // Each entry is judged; the answer lists the first ones and counts the rest (the output budget).
        #expect(decision.denials.filter { $0.rule == .approvalValid }.count == OutputBudget.violationsPerRule)
        #expect(decision.denials.count + (decision.omittedViolations[.enforce] ?? 0) == 10_000)
        #expect(decision.denialMessage.contains("(10000 violations)") && decision.denialMessage.contains("and 9980 more"))
        #expect(ContinuousClock.now - started < .seconds(10))
        var typed = Self.approval()
        typed.set(42, at: FieldPath("spec.target"))
        #expect(Self.evaluate(typed, user: Self.approver).denials.contains { $0.path.description == "spec.target" })
    }
}
