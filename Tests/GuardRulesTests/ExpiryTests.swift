import Foundation
@testable import GuardRules
import KubeModel
import Testing

/// `spec.expiresIn` on GuardExceptions and ChangeApprovals (issue #39): a duration the webhook turns
/// into `spec.expiresAt` at creation, so examples and templates never rot with the calendar.
@Suite("Expiry from a duration")
struct ExpiryTests {
    static let readable: [(String, Int64)] = [
        ("30d", 2_592_000), ("72h", 259_200), ("1d12h30m", 131_400), ("90m", 5_400), ("3650d", 315_360_000),
    ]

    @Test("durations", arguments: readable)
    func aDurationReads(_ text: String, _ seconds: Int64) {
        #expect(Expiry.seconds(text) == seconds)
    }

    @Test("refused durations", arguments: ["", "30", "d", "0d", "1h1d", "1d1d", "-1d", "1.5d", "3651d", "99999999999999999999d", "30 d", "٣d",
                                            String(repeating: "9", count: 30) + "d"])
    func refused(_ text: String) {
        #expect(Expiry.seconds(text) == nil, "\(text)")
    }

    static func exception(_ spec: JSONObject, created: String? = nil) -> JSONValue {
        var metadata: JSONObject = ["name": "legacy", "namespace": "clinic"]
        if let created { metadata["creationTimestamp"] = .string(created) }
        var full: JSONObject = ["rules": ["pdb.required"], "targets": [["kind": "Deployment", "name": "legacy-web"]],
                                "approver": "lead@example.com", "reason": "replacement under way"]
        full.merge(spec) { $1 }
        return ["apiVersion": "odooguard.io/v1alpha1", "kind": "GuardException", "metadata": .object(metadata), "spec": .object(full)]
    }

    @Test func aDurationCountsFromCreationOrFromNowBeforeIt() throws {
        let now = Fixture.now
        let stored = try GuardException.decode(KubeObject(Self.exception(["expiresIn": "30d"], created: "2026-11-01T00:00:00Z")), now: now).get()
        #expect(Timestamp.format(stored.expiresAt) == "2026-12-01T00:00:00Z")
        let input = try GuardException.decode(KubeObject(Self.exception(["expiresIn": "2d"])), now: now).get()
        #expect(input.expiresAt == now.addingTimeInterval(2 * 86_400))
        let both = try GuardException.decode(KubeObject(Self.exception(["expiresIn": "2d", "expiresAt": "2026-11-30T00:00:00Z"])), now: now).get()
        #expect(Timestamp.format(both.expiresAt) == "2026-11-30T00:00:00Z", "a written expiresAt wins")
    }

    @Test func exceptionsAreDecodedOncePerContext() {
        let peers = [KubeObject(Self.exception(["expiresIn": "2d"])), KubeObject(Self.exception([:]))]
        var context = EvaluationContext(namespace: nil, peers: peers, now: Fixture.now)
        #expect(context.exceptions.count == 1, "the invalid one waives nothing")
        #expect(context.exceptions.first?.expiresAt == Fixture.now.addingTimeInterval(2 * 86_400))
        // Not yet created, it counts from the time of the decision; a new time decodes again.
        context.now = Fixture.now.addingTimeInterval(3600)
        #expect(context.exceptions.first?.expiresAt == Fixture.now.addingTimeInterval(2 * 86_400 + 3600))
        context.peers = []
        #expect(context.exceptions.isEmpty)
    }

    @Test func aMissingOrBadExpiryNamesBothFields() throws {
        let none = GuardException.decode(KubeObject(Self.exception([:])), now: Fixture.now)
        guard case .failure(let error) = none else { Issue.record("accepted without expiry"); return }
        #expect(error.fieldErrors.map(\.path.description) == ["spec.expiresAt"])
        #expect(error.fieldErrors.first?.message.contains("expiresIn") == true)
        let bad = GuardException.decode(KubeObject(Self.exception(["expiresIn": "soon"])), now: Fixture.now)
        guard case .failure(let badError) = bad else { Issue.record("accepted a bad duration"); return }
        #expect(badError.fieldErrors.map(\.path.description) == ["spec.expiresIn"])
        #expect(badError.fieldErrors.first?.message.contains("30d") == true)
    }

    @Test func absurdExpiriesAreFieldErrors() {
        for value: JSONValue in [30, true, ["30d"], .string(String(repeating: "9", count: 100_000) + "d"), "9223372036854775807d"] {
            guard case .failure(let error) = GuardException.decode(KubeObject(Self.exception(["expiresIn": value])), now: Fixture.now) else {
                Issue.record("accepted expiresIn \(value.serialized().prefix(40))"); continue
            }
            #expect(error.fieldErrors.map(\.path.description) == ["spec.expiresIn"], "\(error.fieldErrors)")
        }
        // The mutation leaves what it cannot read alone; the validation names it.
        let decision = ApprovalRuleTests.evaluate(Self.exception(["expiresIn": 30]), user: ApprovalRuleTests.approver)
        #expect(decision.patchRules.isEmpty && decision.denials.contains { $0.path.description == "spec.expiresIn" }, "\(decision.denials)")
    }

    @Test func theWebhookStampsTheTimeOnCreationOnly() throws {
        let created = ApprovalRuleTests.evaluate(Self.exception(["expiresIn": "30d"]), user: ApprovalRuleTests.approver)
        #expect(created.allowed, "\(created.denials)")
        #expect(created.patchRules == [.expiryStamp])
        #expect(created.mutatedObject?["spec"]?["expiresAt"] == .string(Timestamp.format(Fixture.now.addingTimeInterval(30 * 86_400))))
        // An update that leaves the duration alone keeps the stored time (the clock does not restart).
        let stored = Self.exception(["expiresIn": "30d", "expiresAt": "2026-12-01T00:00:00Z"])
        let edited = ApprovalRuleTests.evaluate(stored, old: stored, user: ApprovalRuleTests.approver)
        #expect(edited.patch.operations.isEmpty)
        // A changed duration counts again from the update.
        let extended = ApprovalRuleTests.evaluate(Self.exception(["expiresIn": "60d", "expiresAt": "2026-12-01T00:00:00Z"]), old: stored,
                                                  user: ApprovalRuleTests.approver)
        #expect(extended.mutatedObject?["spec"]?["expiresAt"] == .string(Timestamp.format(Fixture.now.addingTimeInterval(60 * 86_400))))
        // Past the policy's cap (90 days) is refused as a written date would be.
        let long = ApprovalRuleTests.evaluate(Self.exception(["expiresIn": "200d"]), user: ApprovalRuleTests.approver)
        #expect(long.denials.map(\.rule) == [.exceptionValid], "\(long.denials)")
        #expect(long.denials.first?.path.description == "spec.expiresAt")
    }

    @Test func aChangeApprovalTakesADurationToo() throws {
        var approval = ApprovalRuleTests.approval()
        _ = approval.modify(at: "spec") { spec in
            if case .object(var fields) = spec { fields["expiresAt"] = nil; fields["expiresIn"] = "7d"; spec = .object(fields) }
        }
        let decision = ApprovalRuleTests.evaluate(approval, user: ApprovalRuleTests.approver)
        #expect(decision.allowed, "\(decision.denials)")
        #expect(decision.patchRules == [.expiryStamp], "the approver was already the creating user")
        _ = approval.set("30d", at: "spec.expiresIn")
        #expect(ApprovalRuleTests.evaluate(approval, user: ApprovalRuleTests.approver).denials.map(\.rule) == [.approvalValid],
                "past changeApproval.maxDays (14)")
    }
}
