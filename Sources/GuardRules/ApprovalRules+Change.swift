import Foundation
import KubeModel

/// `odoo.change-approved`: a production OdooEnvironment's high-risk change is admitted only with a
/// live ChangeApproval for its change reference (and its new digests) by someone else.
extension ApprovalRules {
    /// What a production change changes: the spec fields, and whether they are high-risk.
    struct Change {
        let old: OdooEnvironmentView
        let new: OdooEnvironmentView
        let fields: [[String]]
        let highRisk: [[String]]

        init?(_ input: RuleInput) {
            guard input.request.operation == .update, let old = input.oldObject.flatMap(OdooEnvironmentView.init),
                  let new = OdooEnvironmentView(input.object) else { return nil }
            // Leaving production is a production change too: moving to staging must not skip the approval.
            guard input.stage == .production || old.stage == .production else { return nil }
            let patch = JSONPatch.diff(from: old.object.raw["spec"] ?? .null, to: new.object.raw["spec"] ?? .null)
            guard !patch.operations.isEmpty else { return nil }
            self.old = old
            self.new = new
            fields = patch.operations.map(\.path.tokens)
            highRisk = fields.filter { !input.policy.changeApproval.isLowRisk($0) }
        }

        var imageChanged: Bool { old.image != new.image }
        var addonsChanged: Bool { old.addonImages.map(\.image) != new.addonImages.map(\.image) }
        static func text(_ tokens: [String]) -> String { (["spec"] + tokens).joined(separator: ".") }
    }

    /// The audit evidence of a change's verification outcome: the operator writes
    /// `odooguard.io/change-outcome` on an OdooEnvironment when a change fails its verification (rolled
    /// back, or failed after a migration), and the admitted write carries it into the audit chain.
    static func changeOutcome(_ input: RuleInput) -> [String: String] {
        guard input.request.operation == .update, let new = OdooEnvironmentView(input.object),
              let outcome = new.object.annotations[GuardLabels.changeOutcome], !outcome.isEmpty,
              input.oldObject.flatMap(OdooEnvironmentView.init)?.object.annotations[GuardLabels.changeOutcome] != outcome else { return [:] }
        return ["change-outcome": outcome, "requested-by": input.request.userInfo.username]
    }

    /// Judges a production change; returns the audit evidence of an approved one (empty otherwise).
    static func checkChange(_ input: RuleInput, into findings: inout [Finding]) -> [String: String] {
        guard let change = Change(input) else { return [:] }
        let reference = change.new.object.annotations[GuardLabels.changeReference]?.trimmingCharacters(in: .whitespaces) ?? ""
        guard !reference.isEmpty else { return [:] }  // odoo.change-reference reports it
        guard !change.highRisk.isEmpty else {
            // A low-risk change: its reference suffices, and is the evidence.
            return ["change-ref": reference, "requested-by": input.request.userInfo.username,
                    "changed-fields": change.fields.map(Change.text).joined(separator: ",")]
        }
        let name = change.new.object.name
        let fields = change.highRisk.prefix(4).map(Change.text).joined(separator: ", ")
        let approvals = input.context.peers(ofKind: kind).compactMap { try? ChangeApproval.decode($0, now: input.context.now).get() }
            .filter { $0.environment == name && $0.changeReference == reference }
        guard !approvals.isEmpty else {
            findings.append(Finding(rule: .odooChangeApproved, path: FieldPath([.key("metadata"), .key("annotations"), .key(GuardLabels.changeReference)]), message:
                "a high-risk production change (\(fields)) needs a ChangeApproval for change \(reference) of environment \(name) in this namespace, created by a member of \(input.policy.changeApproval.approverGroups.joined(separator: ", "))\(input.policy.changeApproval.requireDistinctApprover ? " other than you" : "")"))
            return [:]
        }
        var reasons: [String] = []
        for approval in approvals.sorted(by: { $0.name < $1.name }) {
            let problems = Self.problems(approval, change, input)
            if problems.isEmpty { return evidence(approval, change, input, reference: reference) }
            reasons.append("ChangeApproval \(approval.name) \(problems.joined(separator: "; "))")
        }
        findings.append(Finding(rule: .odooChangeApproved, path: FieldPath([.key("metadata"), .key("annotations"), .key(GuardLabels.changeReference)]), message:
            "no live ChangeApproval admits this high-risk production change (\(fields)) of change \(reference): \(reasons.joined(separator: "; ")); have an approver create one that names it"))
        return [:]
    }

    /// Why an approval does not admit the change; empty when it does.
    static func problems(_ approval: ChangeApproval, _ change: Change, _ input: RuleInput) -> [String] {
        var problems: [String] = []
        let now = input.context.now
        if !approval.isActive(at: now) { problems.append("expired at \(Timestamp.format(approval.expiresAt))") }
        guard let approver = approval.approver, !approver.user.isEmpty else {
            return problems + ["carries no approver stamped by the webhook"]
        }
        if input.policy.changeApproval.requireDistinctApprover && approver.user == input.request.userInfo.username {
            problems.append("was approved by \(approver.user), who is making this change: someone else must approve it")
        }
        if change.imageChanged {
            let digest = change.new.image.flatMap(ImageReference.sha256Digest(of:))
            if approval.imageDigest == nil {
                problems.append("approves no image, and this change runs \(change.new.image ?? "a new image")")
            } else if digest != approval.imageDigest {
                problems.append("approves image \(approval.imageDigest ?? ""), not \(digest ?? change.new.image ?? "this one") (pin spec.image by digest)")
            }
        }
        if change.addonsChanged {
            let digests = Set(change.new.addonImages.map { ImageReference.sha256Digest(of: $0.image) ?? $0.image })
            if approval.addonDigests.map(Set.init) != digests {
                problems.append("approves addon images \((approval.addonDigests ?? []).joined(separator: ", ")), not \(digests.sorted().joined(separator: ", "))")
            }
        }
        return problems
    }

    /// The audit evidence of an approved change: what an auditor asks for.
    static func evidence(_ approval: ChangeApproval, _ change: Change, _ input: RuleInput, reference: String) -> [String: String] {
        var result = ["change-ref": reference, "approval": "\(approval.namespace)/\(approval.name)",
                      "approved-by": approval.approver?.user ?? "", "requested-by": input.request.userInfo.username,
                      "changed-fields": change.fields.map(Change.text).joined(separator: ",")]
        if let image = change.new.image.flatMap(ImageReference.sha256Digest(of:)) { result["image-digest"] = image }
        let addons = change.new.addonImages.compactMap { ImageReference.sha256Digest(of: $0.image) }
        if !addons.isEmpty { result["addon-digests"] = addons.joined(separator: ",") }
        return result
    }
}
