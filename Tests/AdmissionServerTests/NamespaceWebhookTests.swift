import AdmissionServer
import Foundation
import GuardRules
import KubeModel
import Testing
import TestSupport

/// The namespace guard through a real server: what the API server sends for a Namespace UPDATE, to
/// /mutate then /validate, for a tenant, a platform admin and the operator's service account.
@Suite struct NamespaceWebhookTests {
    static let operatorUser = "system:serviceaccount:odoo-guard:og-odoo-guard-operator"
    /// The default policy as the chart renders it: the operator's service account is a platform admin.
    static let policy = GuardPolicy.builtInDefaultText.replacingOccurrences(
        of: "    groups: [system:masters]\n", with: "    groups: [system:masters]\n    users: [\"\(operatorUser)\"]\n")

    static func namespace(_ labels: [String: String]) -> JSONValue {
        ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "clinic-prod",
            "labels": .object(JSONObject(uniqueKeysWithValues: labels.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) }))]]
    }

    static let governed = [GuardLabels.stage: "production", GuardLabels.tier: "dedicated", "kubernetes.io/metadata.name": "clinic-prod"]
        .merging(PodSecuritySettings().namespaceLabels(stage: .production)) { $1 }

    /// /mutate, then /validate on the mutated object: the validating response.
    static func admit(_ harness: WebhookHarness, new: [String: String], user: String, groups: [String], dryRun: Bool = false) async throws -> JSONValue {
        let old = namespace(governed)
        var object = namespace(new)
        let mutation = try await harness.post("/mutate", Review.body(object: object, oldObject: old, operation: "UPDATE", dryRun: dryRun,
                                                                       user: user, groups: groups)).response
        #expect(mutation["allowed"] == .bool(true))
        if let patchText = mutation["patch"]?.stringValue, let data = Data(base64Encoded: patchText) {
            object = try JSONPatch(json: try JSONParser.parse(Array(data))).apply(to: object)
        }
        return try await harness.post("/validate", Review.body(object: object, oldObject: old, operation: "UPDATE", dryRun: dryRun,
                                                              user: user, groups: groups)).response
    }

    @Test func onlyPlatformAdminsChangeGovernanceLabels() async throws {
        let harness = try await WebhookHarness.start(policy: Self.policy)
        do {
            let removed = Self.governed.filter { $0.key != GuardLabels.stage }
            let tenant = try await Self.admit(harness, new: removed, user: "alice@example.com", groups: ["clinic-team", "system:authenticated"])
            #expect(tenant["allowed"] == .bool(false))
            #expect(tenant["status"]?["code"] == .int(403))
            let message = tenant["status"]?["message"]?.stringValue ?? ""
            #expect(message.contains("[namespace.labels-locked] metadata.labels[odooguard.io/stage]") && message.contains("platform admin"), "\(message)")
            #expect(tenant["auditAnnotations"]?["rules-denied"] == "namespace.labels-locked")

            let dryRun = try await Self.admit(harness, new: removed, user: "alice@example.com", groups: ["clinic-team"], dryRun: true)
            #expect(dryRun["allowed"] == .bool(false))
            #expect(dryRun["status"]?["message"] == tenant["status"]?["message"])

            let lowered = Self.governed.merging([GuardLabels.podSecurityEnforce: "privileged"]) { $1 }
            let escape = try await Self.admit(harness, new: lowered, user: "alice@example.com", groups: ["clinic-team"])
            #expect(escape["status"]?["message"]?.stringValue?.contains("[namespace.pod-security-level]") == true)

            let admin = try await Self.admit(harness, new: removed, user: "root@example.com", groups: ["system:masters", "system:authenticated"])
            #expect(admin["allowed"] == .bool(true), "\(admin)")
            #expect(admin["auditAnnotations"]?["platform-admin"] == "root@example.com")

            // The operator's server-side apply of a changed stage (the environment moved to staging).
            let moved = Self.governed.merging([GuardLabels.stage: "staging"]) { $1 }
            let operatorWrite = try await Self.admit(harness, new: moved, user: Self.operatorUser,
                                                     groups: ["system:serviceaccounts", "system:serviceaccounts:odoo-guard", "system:authenticated"])
            #expect(operatorWrite["allowed"] == .bool(true), "\(operatorWrite)")
            let unchanged = try await Self.admit(harness, new: Self.governed.merging(["team": "billing"]) { $1 }, user: "alice@example.com", groups: [])
            #expect(unchanged["allowed"] == .bool(true), "an unrelated label is the tenant's")
        } catch { try await harness.shutdown(); throw error }
        try await harness.shutdown()
    }

    @Test func podSecurityFindingsAreWarningsInTheWebhook() async throws {
        let harness = try await WebhookHarness.start()
        do {
            var object = try Review.manifest("examples/compliant/odoo-web.yaml", kind: "Deployment")
            object.set(true, at: FieldPath("spec.template.spec") / "hostNetwork")
            object = try await ClusterContextTests.mutated(harness, object)
            let response = try await harness.post("/validate", Review.body(object: object)).response
            #expect(response["allowed"] == .bool(true), "Pod Security Admission enforces; the webhook names the control")
            let warnings = response["warnings"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(warnings.contains { $0.contains("[podsecurity.host-namespaces] spec.template.spec.hostNetwork") }, "\(warnings)")
        } catch { try await harness.shutdown(); throw error }
        try await harness.shutdown()
    }
}
