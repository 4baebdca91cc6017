import AuditTrail
import Foundation
import GuardRules
import KubeModel

/// Audit records for the tests: a Deployment decision with a credential in an env value, which the
/// record must never carry.
enum AuditFixtures {
    static let secretValue = "hunter2-never-logged"

    static func request(uid: String, dryRun: Bool = false) -> AdmissionRequest {
        let object: JSONValue = [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": "web", "namespace": "team-a"],
            "spec": ["template": ["spec": ["containers": [["name": "odoo", "image": "odoo:17",
                                                           "env": [["name": "PGPASSWORD", "value": .string(secretValue)]]]]]]],
        ]
        return AdmissionRequest(uid: uid, kind: GroupVersionKind(group: "apps", version: "v1", kind: "Deployment"),
                                resource: GroupVersionResource(group: "apps", version: "v1", resource: "deployments"),
                                name: "web", namespace: "team-a", operation: .create,
                                userInfo: UserInfo(username: "alice", groups: ["team-a"]), object: object, dryRun: dryRun)
    }

    static func record(_ index: Int) -> AuditRecord {
        let decision = Decision(violations: [Violation(rule: .secretsNoLiteralCredentials, path: "spec.template.spec.containers[0].env[0].value",
                                                       message: "credential", mode: .enforce)])
        return AuditRecord(request: request(uid: "uid-\(index)"), decision: decision, endpoint: "validate", allowed: false,
                           policyVersion: "test@1", duration: .microseconds(42), time: Date(timeIntervalSince1970: 1_700_000_000))
    }
}
