import Foundation
import GuardRules
import KubeModel
import TestSupport
import Testing

/// The namespace guard: who may change a governed namespace's stage, tier and Pod Security labels,
/// and the mutation that gives a governed namespace its stage's Pod Security labels.
@Suite("Namespace guard")
struct NamespaceGuardTests {
    static let production = [GuardLabels.stage: "production", GuardLabels.tier: "shared"]
        .merging(PodSecuritySettings().namespaceLabels(stage: .production)) { $1 }
    static let tenant = UserInfo(username: "alice@example.com", groups: ["clinic-admins", "system:authenticated"])
    static let admin = UserInfo(username: "root@example.com", groups: ["system:masters", "system:authenticated"])
    static let operatorAccount = UserInfo(username: "system:serviceaccount:odoo-guard:og-odoo-guard-operator",
                                          groups: ["system:serviceaccounts", "system:serviceaccounts:odoo-guard", "system:authenticated"])
    static let chartPolicy: GuardPolicy = {
        (try? Fixture.policy("  platformAdmins:\n    groups: [system:masters]\n    users: [\"system:serviceaccount:odoo-guard:og-odoo-guard-operator\"]\n")) ?? Fixture.policy
    }()

    static func namespace(_ labels: [String: String]) -> JSONValue {
        ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "clinic",
            "labels": .object(JSONObject(uniqueKeysWithValues: labels.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) }))]]
    }

    /// What the API server does: the mutating webhook, then the validating one on the mutated object.
    static func admit(old: [String: String]?, new: [String: String], user: UserInfo, policy: GuardPolicy = chartPolicy, dryRun: Bool = false) -> Decision {
        let mutated = evaluate(old: old, new: namespace(new), user: user, phase: .combined, policy: policy, dryRun: dryRun)
        return evaluate(old: old, new: mutated.mutatedObject ?? namespace(new), user: user, phase: .validating, policy: policy, dryRun: dryRun)
    }

    static func evaluate(old: [String: String]?, new: [String: String], user: UserInfo, phase: EvaluationPhase = .validating,
                         policy: GuardPolicy = chartPolicy, dryRun: Bool = false) -> Decision {
        evaluate(old: old, new: namespace(new), user: user, phase: phase, policy: policy, dryRun: dryRun)
    }

    static func evaluate(old: [String: String]?, new object: JSONValue, user: UserInfo, phase: EvaluationPhase,
                         policy: GuardPolicy, dryRun: Bool) -> Decision {
        let request = AdmissionRequest(uid: "ns", kind: GroupVersionKind(group: "", version: "v1", kind: "Namespace"),
                                       resource: ResourceType.of(GroupVersionKind(group: "", version: "v1", kind: "Namespace")).gvr,
                                       name: "clinic", namespace: "clinic", operation: old == nil ? .create : .update, userInfo: user,
                                       object: object, oldObject: old.map(namespace), dryRun: dryRun)
        // The webhook's cache holds the namespace as it was: the guard must judge the request's own labels.
        let context = EvaluationContext(namespace: NamespaceContext(name: "clinic", labels: old ?? [:]), now: Fixture.now)
        return GuardEvaluator(policy: policy).evaluate(request, context: context, phase: phase)
    }

    struct Case: Sendable, CustomStringConvertible {
        let name: String
        let old: [String: String]?
        let new: [String: String]
        let tenant: [String]
        var description: String { name }
    }

    static func without(_ key: String) -> [String: String] { production.filter { $0.key != key } }
    static func with(_ key: String, _ value: String) -> [String: String] { production.merging([key: value]) { $1 } }

    static let cases: [Case] = [
        Case(name: "an unrelated label", old: production, new: with("team", "billing"), tenant: []),
        Case(name: "stage removed", old: production, new: without(GuardLabels.stage), tenant: ["namespace.labels-locked"]),
        Case(name: "stage lowered", old: production, new: with(GuardLabels.stage, "development"), tenant: ["namespace.labels-locked"]),
        Case(name: "tier changed", old: production, new: with(GuardLabels.tier, "dedicated"), tenant: ["namespace.labels-locked"]),
        Case(name: "enforce lowered", old: production, new: with(GuardLabels.podSecurityEnforce, "privileged"), tenant: ["namespace.pod-security-level"]),
        Case(name: "enforce version unpinned", old: production, new: with(GuardLabels.podSecurityEnforceVersion, "v1.25"), tenant: ["namespace.labels-locked"]),
        Case(name: "warn removed (the webhook puts it back)", old: production, new: without(GuardLabels.podSecurityWarn), tenant: []),
        Case(name: "warn lowered", old: production, new: with(GuardLabels.podSecurityWarn, "baseline"), tenant: ["namespace.labels-locked"]),
        Case(name: "create at a lower level", old: nil, new: with(GuardLabels.podSecurityEnforce, "baseline"), tenant: ["namespace.pod-security-level"]),
        Case(name: "create with the stage's labels", old: nil, new: production, tenant: []),
        Case(name: "create with stage only", old: nil, new: [GuardLabels.stage: "staging"], tenant: []),
        Case(name: "an ungoverned namespace joins at a privileged level", old: ["team": "x"],
             new: [GuardLabels.stage: "production", GuardLabels.podSecurityEnforce: "privileged"], tenant: ["namespace.pod-security-level"]),
        Case(name: "an ungoverned namespace", old: ["team": "x"], new: ["team": "y", GuardLabels.podSecurityEnforce: "privileged"], tenant: []),
        Case(name: "raising the level", old: [GuardLabels.stage: "development"].merging(PodSecuritySettings().namespaceLabels(stage: .development)) { $1 },
             new: [GuardLabels.stage: "development"].merging(PodSecuritySettings().namespaceLabels(stage: .development)) { $1 }
                .merging([GuardLabels.podSecurityEnforce: "restricted"]) { $1 }, tenant: ["namespace.labels-locked"]),
    ]

    @Test("a tenant is denied, a platform admin and the operator are not", arguments: cases)
    func labelChanges(_ case_: Case) {
        let tenant = Self.admit(old: case_.old, new: case_.new, user: Self.tenant)
        #expect(tenant.denials.map(\.rule.rawValue).sorted() == case_.tenant, "\(tenant.violations)")
        #expect(tenant.allowed == case_.tenant.isEmpty)
        for violation in tenant.denials {
            #expect(violation.path.description.hasPrefix("metadata.labels["), "\(violation.path)")
            #expect(violation.message.contains("platform admin"))
        }
        for user in [Self.admin, Self.operatorAccount] {
            let decision = Self.admit(old: case_.old, new: case_.new, user: user)
            #expect(decision.denials.isEmpty, "\(user.username): \(decision.denials)")
        }
        let dryRun = Self.admit(old: case_.old, new: case_.new, user: Self.tenant, dryRun: true)
        #expect(dryRun.violations == tenant.violations)
    }

    @Test func theOperatorIsNoAdminUnlessThePolicyNamesIt() {
        let decision = Self.admit(old: Self.production, new: Self.without(GuardLabels.stage), user: Self.operatorAccount, policy: Fixture.policy)
        #expect(decision.denials.map(\.rule) == [.namespaceLabelsLocked])
    }

    @Test func aGovernedNamespaceGetsItsStagesLabels() throws {
        let decision = Self.evaluate(old: nil, new: [GuardLabels.stage: "development", GuardLabels.podSecurityWarn: "restricted"], user: Self.tenant, phase: .combined)
        #expect(decision.allowed)
        let labels = KubeObject(try #require(decision.mutatedObject)).labels
        #expect(labels[GuardLabels.podSecurityEnforce] == "baseline")
        #expect(labels[GuardLabels.podSecurityEnforceVersion] == "v1.32")
        #expect(labels[GuardLabels.podSecurityAudit] == "restricted")
        #expect(decision.patch.operations.count == 5)
        #expect(decision.patchRules == Array(repeating: .namespacePodSecurityLabels, count: 5))
        #expect(decision.auditAnnotations["mutations"] == "namespace.pod-security-labels")
        Fixture.verifyWithPython(PatchTriple(document: Self.namespace([GuardLabels.stage: "development", GuardLabels.podSecurityWarn: "restricted"]),
                                             patch: decision.patch, expected: decision.mutatedObject ?? .null))
        let ungoverned = Self.evaluate(old: nil, new: ["team": "x"], user: Self.tenant, phase: .combined)
        #expect(ungoverned.patch.isEmpty && ungoverned.auditAnnotations["skipped"] != nil)
        let stored = Self.evaluate(old: nil, new: [GuardLabels.stage: "production"], user: Self.tenant, phase: .validating)
        #expect(stored.denials.map(\.rule) == [.namespacePodSecurityLabels], "the validating webhook sees the mutation missing")
    }

    @Test func kubeSystemIsExempt() {
        let object: JSONValue = ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "kube-system", "labels": [GuardLabels.stage: "production"]]]
        let request = AdmissionRequest(uid: "ns", kind: GroupVersionKind(group: "", version: "v1", kind: "Namespace"),
                                       resource: ResourceType.of(GroupVersionKind(group: "", version: "v1", kind: "Namespace")).gvr,
                                       name: "kube-system", namespace: "kube-system", operation: .update, userInfo: Self.tenant,
                                       object: object, oldObject: object)
        let decision = GuardEvaluator(policy: Fixture.policy).evaluate(request, context: EvaluationContext(namespace: nil, now: Fixture.now), phase: .validating)
        #expect(decision.allowed)
        #expect(decision.patch.isEmpty)
    }

    @Test("policy errors for podSecurity and platformAdmins name their fields", arguments: [
        ("  podSecurity: {levels: {production: lax}}\n", "spec.podSecurity.levels.production"),
        ("  podSecurity: {levels: {qa: baseline}}\n", "spec.podSecurity.levels.qa"),
        ("  podSecurity: {version: \"1.32\"}\n", "spec.podSecurity.version"),
        ("  podSecurity: {version: v1.20}\n", "spec.podSecurity.version"),
        ("  podSecurity: {webhookMode: loud}\n", "spec.podSecurity.webhookMode"),
        ("  podSecurity: {level: restricted}\n", "spec.podSecurity.level"),
        ("  platformAdmins: {groups: [], users: []}\n", "spec.platformAdmins"),
        ("  platformAdmins: {users: [\"*\"]}\n", "spec.platformAdmins.users[0]"),
        ("  platformAdmins: {groups: [system:authenticated]}\n", "spec.platformAdmins.groups[0]"),
    ])
    func invalidSettings(_ yaml: String, _ path: String) {
        #expect(throws: GuardRulesError.self) { try Fixture.policy(yaml) }
        do {
            _ = try Fixture.policy(yaml)
        } catch let error as GuardRulesError {
            #expect(error.fieldErrors.map(\.path.description).contains(path), "\(error.fieldErrors)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}

@Suite("Patch rule attribution")
struct PatchAttributionTests {
    @Test func eachOperationNamesTheMutationThatMadeIt() throws {
        let container = Fixture.container(name: "odoo", image: "registry.example.com/odoo/odoo:17.0", resources: nil)
        let object = Fixture.workload("Deployment", podSpec: Fixture.podSpec(container), podLabels: ["app": "web", GuardLabels.environment: "clinic"],
                                      labels: [GuardLabels.inject: "db"])
        let decision = Fixture.evaluate(object, stage: "staging")
        let byPath = Dictionary(uniqueKeysWithValues: zip(decision.patch.operations.map { $0.path.description }, decision.patchRules.map { $0.rawValue }))
        #expect(byPath["/spec/template/spec/containers/0/resources"] == "resources.defaults", "\(byPath)")
        #expect(byPath["/spec/template/spec/containers/0/env"] == "secrets.injection", "\(byPath)")
        #expect(decision.patchRules.count == decision.patch.operations.count)
        let strict = Fixture.evaluate(object, stage: "staging", phase: .strict)
        #expect(strict.denials.map { $0.rule }.sorted() == [RuleID.resourcesDefaults, RuleID.secretsInjection])
        #expect(strict.patch == decision.patch, "strict mode still shows the patch")
    }
}

extension NamespaceGuardTests {
    @Test func aGuardExceptionInTheNamespaceCannotWaiveTheGuard() {
        let exception: JSONValue = ["apiVersion": "odooguard.io/v1alpha1", "kind": "GuardException",
                                    "metadata": ["name": "freedom", "namespace": "clinic"],
                                    "spec": ["rules": ["namespace.labels-locked"], "targets": [["kind": "Namespace", "name": "clinic"]],
                                             "approver": "someone-else@example.com", "reason": "please", "expiresAt": "2026-12-01T00:00:00Z"]]
        let object = Self.namespace(Self.without(GuardLabels.stage))
        let request = AdmissionRequest(uid: "ns", kind: GroupVersionKind(group: "", version: "v1", kind: "Namespace"),
                                       resource: ResourceType.of(GroupVersionKind(group: "", version: "v1", kind: "Namespace")).gvr,
                                       name: "clinic", namespace: "clinic", operation: .update, userInfo: Self.tenant,
                                       object: object, oldObject: Self.namespace(Self.production))
        let context = EvaluationContext(namespace: NamespaceContext(name: "clinic", labels: Self.production),
                                        peers: [KubeObject(exception)], now: Fixture.now)
        let decision = GuardEvaluator(policy: Self.chartPolicy).evaluate(request, context: context, phase: .validating)
        #expect(decision.denials.map(\.rule) == [.namespaceLabelsLocked])
        #expect(decision.exempted.isEmpty)
    }
}
