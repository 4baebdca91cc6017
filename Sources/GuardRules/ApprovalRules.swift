import Foundation
import KubeModel

/// Production change control: `approval.valid` over ChangeApprovals (who may create one, that the
/// approver is the creator and never edited, a bounded expiry), the `approval.approver-stamp`
/// mutation, and `odoo.change-approved`, separation of duties for high-risk production changes.
enum ApprovalRules {
    static let kind = "ChangeApproval"
    static let apiVersion = "odooguard.io/v1alpha1"
    static let approverPath = FieldPath([.key("spec"), .key("approver")])

    static func isApproval(_ object: KubeObject) -> Bool { object.kind == kind && object.apiVersion == apiVersion }

    /// The approver as the API server authenticated the request.
    static func stamp(of user: UserInfo) -> JSONValue {
        ["groups": .array(user.groups.map(JSONValue.string)), "user": .string(user.username)]
    }

    /// Mutation: a new ChangeApproval's `spec.approver` is the creating user, whatever was typed.
    static func stamp(_ input: RuleInput, to document: inout JSONValue) -> Bool {
        guard isApproval(input.object), input.request.operation == .create, case .object? = document["spec"],
              input.request.userInfo.groups.count <= OutputBudget.approverGroups else { return false }
        let value = stamp(of: input.request.userInfo)
        guard document[path: approverPath] != value else { return false }
        return document.set(value, at: approverPath)
    }

    static func check(_ input: RuleInput, into findings: inout [Finding]) {
        guard isApproval(input.object) else { return }
        if input.request.operation == .update, let old = input.oldObject {
            let patch = JSONPatch.diff(from: old.raw["spec"] ?? .null, to: input.object.raw["spec"] ?? .null)
            if let first = patch.operations.first {
                let path = FieldPath(pointer: JSONPointer(tokens: ["spec"] + first.path.tokens), in: input.object.raw)
                findings.append(Finding(rule: .approvalValid, path: path, message:
                    "a ChangeApproval cannot be changed once made (\(path) changed); delete it and have an approver create a new one"))
            }
            return
        }
        checkCreation(input, into: &findings)
    }

    static func checkCreation(_ input: RuleInput, into findings: inout [Finding]) {
        let policy = input.policy.changeApproval
        let user = input.request.userInfo
        guard user.groups.count <= OutputBudget.approverGroups else {
            // Not stamped (``stamp(_:to:)``): an approver whose group list is that long is no legitimate approval.
            findings.append(Finding(rule: .approvalValid, path: approverPath, message:
                "\(user.username.echoed()) belongs to \(user.groups.count) groups; an approval records at most \(OutputBudget.approverGroups), so it cannot be made by this user"))
            return
        }
        if !policy.approverGroups.contains(where: user.groups.contains) {
            findings.append(Finding(rule: .approvalValid, path: approverPath, message:
                "only members of \(policy.approverGroups.joined(separator: ", ")) may approve production changes; \(user.username.echoed()) is not"))
        }
        let approval: ChangeApproval
        switch ChangeApproval.decode(input.object, now: input.context.now) {
        case .failure(let error):
            for problem in error.fieldErrors { findings.append(Finding(rule: .approvalValid, path: problem.path, message: problem.message)) }
            return
        case .success(let decoded): approval = decoded
        }
        if approval.approver?.user != user.username || approval.approver?.groups != user.groups {
            findings.append(Finding(rule: .approvalValid, path: approverPath, message:
                "spec.approver is the user who creates the approval, stamped by the webhook (\(user.username.echoed())); it cannot name \(approval.approver?.user.echoed() ?? "nobody")"))
        }
        let now = input.context.now
        if !approval.isActive(at: now) {
            findings.append(Finding(rule: .approvalValid, path: "spec.expiresAt", message: "is in the past; an approval must expire in the future"))
        } else if approval.expiresAt.timeIntervalSince(now) > Double(policy.maxDays) * 86_400 {
            findings.append(Finding(rule: .approvalValid, path: "spec.expiresAt", message:
                "is more than \(policy.maxDays) days away; approve a change for at most \(policy.maxDays) days (until \(Timestamp.format(now.addingTimeInterval(Double(policy.maxDays) * 86_400))))"))
        }
    }
}
