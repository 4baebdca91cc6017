import Foundation
import GuardRules
import KubeModel

/// Runs the webhook's evaluation over a plan before anything is applied, so a spec the webhook
/// would deny is reported (with the rule and the field) instead of half-applied.
public struct PolicyGate: Sendable {
    /// The policy the webhook enforces.
    public let policy: GuardPolicy

    /// A gate.
    public init(policy: GuardPolicy) { self.policy = policy }

    /// The denials of every object, as `Kind name: [rule] path: message` lines; empty when all pass.
    ///
    /// Objects are judged as creates in the environment's namespace with the labels the plan gives
    /// it, beside the other planned objects (so the web Deployment's PDB is seen), the way the
    /// webhook judges them once the namespace carries those labels. Mutations are not applied:
    /// the plan already carries what the mutating rules would add.
    public func denials(of objects: [JSONValue], namespace: String, labels: [String: String], now: Date) -> [String] {
        let evaluator = GuardEvaluator(policy: policy)
        let views = objects.map(KubeObject.init)
        let context = EvaluationContext(namespace: NamespaceContext(name: namespace, labels: labels), peers: views, now: now)
        var lines: [String] = []
        for (index, object) in views.enumerated() where object.kind != "Namespace" {
            let gvk = object.gvk
            let request = AdmissionRequest(
                uid: "odoo-guard-plan-\(index)", kind: gvk,
                resource: ResourceType.of(gvk).gvr,
                name: object.name, namespace: namespace, operation: .create,
                userInfo: UserInfo(username: "system:serviceaccount:odoo-guard:guard-operator"), object: object.raw)
            for violation in evaluator.evaluate(request, context: context).denials {
                lines.append("\(object.kind) \(object.name): \(violation)")
            }
        }
        return lines
    }
}
