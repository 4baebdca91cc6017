import Foundation
import GuardRules
import KubeModel
import Testing

/// `image.promoted`: production runs only digests a staging environment of the same group ran Ready
/// for the soak time, as its `status.readyHistory` records.
@Suite("Promotion evidence")
struct PromotionRuleTests {
    static let digestA = "sha256:" + String(repeating: "a", count: 64)
    static let digestB = "sha256:" + String(repeating: "b", count: 64)
    static let addon = "sha256:" + String(repeating: "c", count: 64)
    static func image(_ digest: String) -> String { "registry.example.com/odoo/odoo@" + digest }
    static func addonImage(_ digest: String) -> String { "registry.example.com/odoo/addons@" + digest }
    static func at(_ hoursBeforeNow: Double) -> String { Timestamp.format(Fixture.now.addingTimeInterval(-hoursBeforeNow * 3600)) }

    static func production(_ digest: String, addons: [String] = [], group: String? = "clinic") -> JSONValue {
        var metadata: JSONObject = ["name": "clinic", "namespace": "clinic-prod", "annotations": [GuardLabels.changeReference: "CHG-1"]]
        if let group { metadata["labels"] = [GuardLabels.partOf: .string(group)] }
        var spec: JSONObject = ["version": "17.0", "stage": "production", "tier": "dedicated", "image": .string(image(digest))]
        if !addons.isEmpty { spec["addons"] = .array(addons.map { ["image": .string(addonImage($0))] }) }
        return ["apiVersion": "odooguard.io/v1alpha1", "kind": "OdooEnvironment", "metadata": .object(metadata), "spec": .object(spec)]
    }

    /// A lower-stage environment with one Ready period of `digest` (and addons), from `since` to `until` hours ago.
    static func proving(_ digest: String, addons: [String] = [], stage: String = "staging", group: String = "clinic",
                        since: Double, until: Double? = nil) -> JSONValue {
        var period: JSONObject = ["image": .string(image(digest)), "readySince": .string(at(since))]
        if !addons.isEmpty { period["addons"] = .array(addons.map { .string(addonImage($0)) }) }
        if let until { period["readyUntil"] = .string(at(until)) }
        return ["apiVersion": "odooguard.io/v1alpha1", "kind": "OdooEnvironment",
                "metadata": ["name": "clinic", "namespace": .string("clinic-\(stage)"), "labels": [GuardLabels.partOf: .string(group)]],
                "spec": ["stage": .string(stage)], "status": ["readyHistory": [.object(period)]]]
    }

    static func evaluate(_ object: JSONValue, old: JSONValue? = nil, environments: [JSONValue]) -> Decision {
        let policy = (try? Fixture.policy("  rules: {image.promoted: enforce}\n")) ?? Fixture.policy
        let view = KubeObject(object)
        let request = AdmissionRequest(uid: "p", kind: view.gvk, resource: ResourceType.of(view.gvk).gvr, name: view.name, namespace: "clinic-prod",
                                       operation: old == nil ? .create : .update, userInfo: UserInfo(username: "alice"), object: object, oldObject: old)
        var context = EvaluationContext(namespace: NamespaceContext(name: "clinic-prod", labels: [GuardLabels.stage: "production"]), now: Fixture.now)
        let views = environments.map(KubeObject.init)
        context.environments = { views }
        return GuardEvaluator(policy: policy).evaluate(request, context: context)
    }

    @Test("a production digest needs a soak in staging", arguments: [
        ("soaked 30 h, still running", production(digestB), [proving(digestB, since: 30)], [String]()),
        ("soaked 25 h, then replaced", production(digestB), [proving(digestB, since: 40, until: 15)], []),
        ("never seen in staging", production(digestB), [proving(digestA, since: 300)], ["spec.image"]),
        ("seen for too short a time", production(digestB), [proving(digestB, since: 3)], ["spec.image"]),
        ("seen only in development", production(digestB), [proving(digestB, stage: "development", since: 300)], ["spec.image"]),
        ("seen in another group", production(digestB), [proving(digestB, group: "billing", since: 300)], ["spec.image"]),
        ("an addon not seen", production(digestB, addons: [addon]), [proving(digestB, since: 30)], ["spec.addons[0].image"]),
        ("an addon seen with the image", production(digestB, addons: [addon]), [proving(digestB, addons: [addon], since: 30)], []),
        ("no group label", production(digestB, group: nil), [proving(digestB, since: 30)], ["metadata.labels[app.kubernetes.io/part-of]"]),
    ] as [(String, JSONValue, [JSONValue], [String])])
    func promotion(_ name: String, _ object: JSONValue, _ environments: [JSONValue], _ paths: [String]) {
        let decision = Self.evaluate(object, environments: environments)
        let found = decision.violations.filter { $0.rule == .imagePromoted }
        #expect(found.map(\.path.description) == paths, "\(name): \(found)")
        if name == "seen for too short a time" { #expect(found.first?.message.contains("Ready for 3.0 h") == true, "\(found)") }
        if paths.isEmpty { #expect(decision.auditAnnotations["promoted-from"]?.contains("clinic-staging/clinic") == true, "\(decision.auditAnnotations)") }
    }

    @Test func anUnchangedImageIsNotJudgedAgain() {
        let running = Self.production(Self.digestB)
        var scaled = running
        scaled.set(3, at: FieldPath("spec.replicas"))
        #expect(!Self.evaluate(scaled, old: running, environments: []).violations.contains { $0.rule == .imagePromoted })
        #expect(Self.evaluate(running, old: Self.production(Self.digestA), environments: []).violations.contains { $0.rule == .imagePromoted })
        var staging = running
        staging.set("staging", at: FieldPath("spec.stage"))
        #expect(Self.evaluate(running, old: staging, environments: []).violations.contains { $0.rule == .imagePromoted },
                "moving into production with the same image proves it too")
    }

    @Test func theDefaultPolicyWarns() {
        let policy = Fixture.policy
        #expect(policy.mode(of: .imagePromoted, stage: .production) == .warn)
        #expect(policy.promotion.minSoakHours == 24 && policy.promotion.fromStages == [.staging])
    }
}
