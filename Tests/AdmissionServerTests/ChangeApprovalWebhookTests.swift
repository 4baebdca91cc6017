import AdmissionServer
import Foundation
import GuardRules
import KubeModel
import Testing
import TestSupport

/// Production change control through a real server: the approver is stamped by /mutate from the
/// creating user, and a high-risk production change passes /validate only with someone else's approval.
@Suite struct ChangeApprovalWebhookTests {
    static let digestA = "sha256:" + String(repeating: "a", count: 64)
    static let digestB = "sha256:" + String(repeating: "b", count: 64)

    static func environment(_ digest: String) -> JSONValue {
        ["apiVersion": "odooguard.io/v1alpha1", "kind": "OdooEnvironment",
         "metadata": ["name": "clinic", "namespace": "clinic-prod", "annotations": [GuardLabels.changeReference: "CHG-42"]],
         "spec": ["version": "17.0", "stage": "production", "tier": "dedicated", "image": .string("registry.example.com/odoo/odoo@" + digest)]]
    }

    /// Expires in a week (the webhook decides with the real clock; the policy allows 14 days).
    static let approval: JSONValue = [
        "apiVersion": "odooguard.io/v1alpha1", "kind": "ChangeApproval", "metadata": ["name": "chg-42", "namespace": "clinic-prod"],
        "spec": ["changeRef": "CHG-42", "target": ["environment": "clinic", "image": .string(digestB)], "reason": "security update",
                 "expiresAt": .string(Timestamp.format(Date().addingTimeInterval(7 * 86_400))), "approver": ["user": "the-ceo@example.com"]],
    ]

    @Test func theApproverIsStampedAndMustNotBeTheDeployer() async throws {
        // The approval as the cluster would hold it after /mutate stamped bob; the context files are the cluster.
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("approvals-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let bob = ("bob@example.com", ["odooguard:change-approvers", "system:authenticated"])
        var held = Self.approval
        held.set(["groups": .array(bob.1.map(JSONValue.string)), "user": .string(bob.0)], at: FieldPath("spec.approver"))
        try Data(YAMLEmitter.stream([held])).write(to: directory.appendingPathComponent("approval.yaml"))
        let harness = try await WebhookHarness.start(contextFiles: WebhookHarness.defaultContext + [directory.appendingPathComponent("approval.yaml").path])
        do {
            let mutation = try await harness.post("/mutate", Review.body(object: Self.approval, user: bob.0, groups: bob.1)).response
            let patchText = try #require(mutation["patch"]?.stringValue)
            let patch = try JSONPatch(json: try JSONParser.parse(Array(try #require(Data(base64Encoded: patchText)))))
            let stamped = try patch.apply(to: Self.approval)
            #expect(stamped == held, "the typed approver is replaced by the creating user")
            let created = try await harness.post("/validate", Review.body(object: stamped, user: bob.0, groups: bob.1)).response
            #expect(created["allowed"] == .bool(true), "\(created["status"] ?? .null)")
            let stranger = try await harness.post("/validate", Review.body(object: stamped, user: "mallory@example.com", groups: ["clinic-team"])).response
            #expect(stranger["status"]?["message"]?.stringValue?.contains("[approval.valid]") == true)

            let change = Review.body(object: Self.environment(Self.digestB), oldObject: Self.environment(Self.digestA), operation: "UPDATE",
                                     user: "alice@example.com", groups: ["clinic-team"])
            let approved = try await harness.post("/validate", change).response
            #expect(approved["allowed"] == .bool(true), "\(approved)")
            #expect(approved["auditAnnotations"]?["approved-by"] == "bob@example.com")
            #expect(approved["auditAnnotations"]?["requested-by"] == "alice@example.com")
            let own = Review.body(object: Self.environment(Self.digestB), oldObject: Self.environment(Self.digestA), operation: "UPDATE",
                                  user: "bob@example.com", groups: bob.1)
            let selfApproved = try await harness.post("/validate", own).response
            #expect(selfApproved["allowed"] == .bool(false))
            #expect(selfApproved["status"]?["message"]?.stringValue?.contains("who is making this change") == true)
        } catch { try await harness.shutdown(); throw error }
        try await harness.shutdown()
    }
}
