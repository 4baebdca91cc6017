import KubeModel

/// `exception.valid` and `policy.valid`: odoo-guard's own resources are checked before they are stored.
enum OwnResourceRules {
    static func check(_ input: RuleInput, into findings: inout [Finding]) {
        switch (input.object.apiVersion, input.object.kind) {
        case ("odooguard.io/v1alpha1", "GuardException"): checkException(input, into: &findings)
        case ("odooguard.io/v1alpha1", "GuardPolicy"):
            do {
                _ = try GuardPolicy(json: input.object.raw)
            } catch {
                for fieldError in error.fieldErrors {
                    findings.append(Finding(rule: .policyValid, path: fieldError.path, message: fieldError.message))
                }
                if error.fieldErrors.isEmpty { findings.append(Finding(rule: .policyValid, path: .root, message: error.message)) }
            }
        default: break
        }
    }

    static func checkException(_ input: RuleInput, into findings: inout [Finding]) {
        // Rules no exception may waive are reported whether or not the rest decodes.
        for (index, raw) in (input.object.raw["spec"]?["rules"]?.arrayValue ?? []).enumerated() {
            guard let text = raw.stringValue, input.policy.exceptions.nonExemptibleRules.contains(RuleID(rawValue: text)) else { continue }
            findings.append(Finding(rule: .exceptionValid, path: FieldPath("spec.rules") / index, message:
                "rule \(text) cannot be waived by an exception under this policy"))
        }
        switch GuardException.decode(input.object, now: input.context.now) {
        case .failure(let problems):
            for problem in problems.fieldErrors {
                findings.append(Finding(rule: .exceptionValid, path: problem.path, message: problem.message))
            }
        case .success(let exception):
            let now = input.context.now
            // Only a create or a change of expiry is judged against the clock; an existing exception
            // simply expires.
            let oldExpiry = input.oldObject?.raw["spec"]?["expiresAt"]?.stringValue
            let newExpiry = input.object.raw["spec"]?["expiresAt"]?.stringValue
            if input.request.operation == .create || oldExpiry != newExpiry {
                if !exception.isActive(at: now) {
                    findings.append(Finding(rule: .exceptionValid, path: "spec.expiresAt", message: "is in the past; an exception must expire in the future"))
                } else if exception.expiresAt.timeIntervalSince(now) > Double(input.policy.exceptions.maxDays) * 86_400 {
                    findings.append(Finding(rule: .exceptionValid, path: "spec.expiresAt", message:
                        "is more than \(input.policy.exceptions.maxDays) days away; the policy caps exceptions at \(input.policy.exceptions.maxDays) days"))
                }
            }
            let requester = input.request.userInfo.username
            if !requester.isEmpty && requester == exception.approver {
                findings.append(Finding(rule: .exceptionValid, path: "spec.approver", message:
                    "an exception cannot be approved by the user who submits it (\(requester)); ask another approver"))
            }
        }
    }
}
