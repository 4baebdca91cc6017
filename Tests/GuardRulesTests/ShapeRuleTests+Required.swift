import Foundation
import GuardRules
import KubeModel
import Testing

/// Issue #33: a workload whose pods cannot be read (template, pod spec or containers null, absent or
/// empty) is denied by `object.well-formed`, for every kind with a pod template. Before, such a
/// `:latest` Deployment was allowed, since every container rule found nothing to judge.
extension ShapeRuleTests {
    static func latest(_ kind: String, _ edit: (inout JSONObject) -> Void) -> JSONValue {
        let container = Fixture.container(image: "registry.example.com/odoo/odoo:latest")
        guard case .object(var object) = Fixture.workload(kind, podSpec: Fixture.podSpec(container), replicas: 1) else { return .null }
        edit(&object)
        return .object(object)
    }

    /// Sets `value` at the dotted member path inside `object` (the path's objects exist in the fixtures).
    static func setting(_ path: String, to value: JSONValue?) -> (inout JSONObject) -> Void {
        { object in
            var document = JSONValue.object(object)
            let full = FieldPath(stringLiteral: path)
            if let value {
                _ = document.set(value, at: full)
            } else if case .key(let key)? = full.components.last {
                _ = document.modify(at: FieldPath(Array(full.components.dropLast()))) { parent in
                    guard case .object(var members) = parent else { return }
                    members[key] = nil
                    parent = .object(members)
                }
            }
            if case .object(let edited) = document { object = edited }
        }
    }

    static let missingPods: [Case] = [
        Case(name: "Deployment template.spec null", object: latest("Deployment", setting("spec.template.spec", to: .null)), path: "spec.template.spec"),
        Case(name: "Deployment template.spec absent", object: latest("Deployment", setting("spec.template.spec", to: nil)), path: "spec.template.spec"),
        Case(name: "Deployment template null", object: latest("Deployment", setting("spec.template", to: .null)), path: "spec.template"),
        Case(name: "Deployment spec absent", object: latest("Deployment", setting("spec", to: nil)), path: "spec"),
        Case(name: "Deployment containers null", object: latest("Deployment", setting("spec.template.spec.containers", to: .null)),
             path: "spec.template.spec.containers"),
        Case(name: "Deployment containers absent", object: latest("Deployment", setting("spec.template.spec.containers", to: nil)),
             path: "spec.template.spec.containers"),
        Case(name: "Deployment containers empty", object: latest("Deployment", setting("spec.template.spec.containers", to: [])),
             path: "spec.template.spec.containers"),
        Case(name: "StatefulSet containers null", object: latest("StatefulSet", setting("spec.template.spec.containers", to: .null)),
             path: "spec.template.spec.containers"),
        Case(name: "DaemonSet template.spec null", object: latest("DaemonSet", setting("spec.template.spec", to: .null)), path: "spec.template.spec"),
        Case(name: "ReplicaSet containers absent", object: latest("ReplicaSet", setting("spec.template.spec.containers", to: nil)),
             path: "spec.template.spec.containers"),
        Case(name: "Job template absent", object: latest("Job", setting("spec.template", to: nil)), path: "spec.template"),
        Case(name: "CronJob jobTemplate null", object: latest("CronJob", setting("spec.jobTemplate", to: .null)), path: "spec.jobTemplate"),
        Case(name: "CronJob containers null", object: latest("CronJob", setting("spec.jobTemplate.spec.template.spec.containers", to: .null)),
             path: "spec.jobTemplate.spec.template.spec.containers"),
        Case(name: "Pod spec null", object: latest("Pod", setting("spec", to: .null)), path: "spec"),
        Case(name: "Pod containers absent", object: latest("Pod", setting("spec.containers", to: nil)), path: "spec.containers"),
        Case(name: "Pod containers a number", object: latest("Pod", setting("spec.containers", to: 3)), path: "spec.containers"),
    ]

    @Test("a workload whose pods cannot be read is denied in production", arguments: missingPods)
    func missingPodsAreDenied(_ case_: Case) {
        let decision = Fixture.evaluate(case_.object, stage: "production")
        #expect(!decision.allowed, "\(case_.name) was allowed")
        let malformed = decision.denials.filter { $0.rule == .objectWellFormed }
        #expect(malformed.map(\.path.description).contains(case_.path), "\(case_.name): \(decision.violations.map(\.description))")
    }

    @Test func theSameLatestDeploymentIsDeniedAsSentToo() {
        // The control: with containers in place the same object is denied for its image.
        let decision = Fixture.evaluate(Self.latest("Deployment") { _ in }, stage: "production")
        #expect(decision.denials.contains { $0.rule == .imageNoLatest }, "\(decision.violations.map(\.description))")
    }
}
