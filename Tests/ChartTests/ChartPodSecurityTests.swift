import Foundation
import GuardRules
import KubeModel
import Testing
import TestSupport

/// The chart's own pods (webhook, operator, helm test) pass the restricted Pod Security level in every
/// scenario, and the policy the chart installs names the operator as a platform admin.
@Suite struct ChartPodSecurityTests {
    @Test func everyRenderedPodIsRestricted() async throws {
        let policy = try GuardPolicy.builtIn()
        var pods = 0
        for scenario in Chart.scenarios {
            for object in try await offPool({ try Chart.render(scenario) }) {
                let view = KubeObject(object)
                guard view.podTemplate != nil else { continue }
                pods += 1
                let labels = [GuardLabels.stage: "production", GuardLabels.podSecurityEnforce: PodSecurityLevel.restricted.rawValue]
                let request = AdmissionRequest(uid: "chart", kind: view.gvk, resource: ResourceType.of(view.gvk).gvr, name: view.name,
                                               namespace: view.namespace ?? "odoo-guard", operation: .create, object: object)
                let context = EvaluationContext(namespace: NamespaceContext(name: view.namespace ?? "odoo-guard", labels: labels), now: Date())
                let findings = GuardEvaluator(policy: policy).evaluate(request, context: context).violations.filter(\.rule.isPodSecurity)
                #expect(findings.isEmpty, "\(Chart.name(scenario)) \(view.reference): \(findings)")
            }
        }
        #expect(pods >= Chart.scenarios.count, "each scenario renders at least one pod")
    }

    @Test func theInstalledPolicyNamesTheOperatorAndTheValuesAsPlatformAdmins() async throws {
        let objects = try await offPool {
            try Chart.render(set: ["platformAdmins.groups={platform-team}", "platformAdmins.users={ops@example.com}"], namespace: "platform", release: "guard")
        }
        let configMap = try #require(Chart.objects(objects, kind: "ConfigMap").first { $0["metadata"]?["name"] == "guard-odoo-guard-policy" })
        let text = try #require(configMap["data"]?["guardpolicy.yaml"]?.stringValue)
        let fromFile = try GuardPolicy(text: text)
        let object = try #require(Chart.objects(objects, kind: "GuardPolicy").first)
        let fromObject = try GuardPolicy(json: object)
        for policy in [fromFile, fromObject] {
            #expect(policy.platformAdmins.groups == ["system:masters", "platform-team"])
            #expect(policy.platformAdmins.users == ["ops@example.com", "system:serviceaccount:platform:guard-odoo-guard-operator"])
            #expect(policy.platformAdmins.includes(UserInfo(username: "system:serviceaccount:platform:guard-odoo-guard-operator")))
            #expect(!policy.platformAdmins.includes(UserInfo(username: "system:serviceaccount:platform:guard-odoo-guard-webhook")))
            #expect(policy.podSecurity.level(forStage: .development) == .baseline)
        }
        let wildcard = try await offPool { try Chart.renderFailure(set: ["platformAdmins.users={*}"]) }
        #expect(wildcard.status != 0, "the values schema refuses a wildcard admin")
    }
}
