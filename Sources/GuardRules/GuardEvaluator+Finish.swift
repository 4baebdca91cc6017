import Foundation
import KubeModel

extension GuardEvaluator {
    /// Turns findings into a decision: waives what exemptions and active exceptions cover, gives the
    /// rest their mode, computes the patch and writes the audit annotations.
    func finish(findings rawFindings: [Finding], request: AdmissionRequest, object: KubeObject, stage: Stage?,
                context: EvaluationContext, original: JSONValue, mutated: JSONValue, mutations steps: [MutationStep],
                notes: [String], annotations: [String: String], exemptRules: [RuleID: String] = [:],
                phase: EvaluationPhase = .combined) -> Decision {
        var decision = Decision(warnings: notes, auditAnnotations: annotations)
        // De-duplicated in one pass (sets, not `contains` in a loop: a request with thousands of
        // findings must stay linear), keeping the rules' order. A field reported malformed by the shape
        // check and again by the rule that reads it is reported once.
        let findings = Self.distinct(rawFindings)
        let exceptions = context.exceptions.filter { $0.covers(object) }
        var expiredNoted = Set<String>()
        for finding in findings {
            // A path or message built from the caller's text is echoed only so far (``EchoBudget``).
            let violation = Violation(rule: finding.rule, path: OutputBudget.echoed(finding.path),
                                      message: finding.message.echoed(limit: EchoBudget.message),
                                      mode: mode(of: finding.rule, stage: stage, phase: phase))
            if let by = exemptRules[finding.rule] {
                decision.exempted.append(ExemptedViolation(violation: violation, by: by))
                continue
            }
            let exemptible = !shared.policy.exceptions.nonExemptibleRules.contains(finding.rule)
            let matching = exceptions.filter { $0.waivesWholly(finding.rule) }
            if exemptible, let active = matching.first(where: { $0.isActive(at: context.now) }) {
                decision.exempted.append(ExemptedViolation(violation: violation, by:
                    "GuardException \(active.namespace)/\(active.name) (approved by \(active.approver), expires \(Timestamp.format(active.expiresAt)))"))
                continue
            }
            for expired in matching where !expired.isActive(at: context.now) && expiredNoted.insert(expired.name).inserted {
                decision.warnings.append("GuardException \(expired.namespace)/\(expired.name) expired at \(Timestamp.format(expired.expiresAt)); its rules apply again")
            }
            decision.violations.append(violation)
        }
        if original != mutated {
            let patch = JSONPatch.diff(from: original, to: mutated)
            // Serialized only when its cheap bound is over the budget (rare): this runs on every mutation.
            let size = patch.serializedSizeBound <= OutputBudget.patchBytes ? 0 : patch.jsonValue.serializedBytes().count
            if size <= OutputBudget.patchBytes {
                decision.patch = patch
                decision.patchRules = Self.attribute(patch, to: steps)
                decision.mutatedObject = mutated
            } else {
                // Not sent: a mutation that large is no legitimate change (the object is refused instead).
                decision.violations.append(Violation(rule: .objectWellFormed, path: OutputBudget.field(of: patch, in: mutated), message:
                    "odoo-guard's changes here would be a JSON Patch of \(size) bytes, more than its budget of \(OutputBudget.patchBytes); nothing was changed. Make the object smaller (fewer entries here)",
                    mode: .enforce))
            }
        }
        (decision.violations, decision.omittedViolations) = OutputBudget.cap(decision.violations)
        for violation in decision.violations where violation.mode == .warn {
            decision.warnings.append(violation.description)
        }
        if let omitted = decision.omittedViolations[.warn] { decision.warnings.append("… and \(omitted) more warn-mode findings") }
        decision.warnings = OutputBudget.cap(warnings: decision.warnings)
        var denied: [RuleID] = [], warned: [RuleID] = [], audited: [RuleID] = []
        for violation in decision.violations {
            switch violation.mode {
            case .enforce: denied.append(violation.rule)
            case .warn: warned.append(violation.rule)
            case .audit: audited.append(violation.rule)
            }
        }
        decision.auditAnnotations["decision"] = denied.isEmpty ? "allowed" : "denied"
        if !denied.isEmpty { decision.auditAnnotations["rules-denied"] = Self.ruleList(denied) }
        if !warned.isEmpty { decision.auditAnnotations["rules-warned"] = Self.ruleList(warned) }
        if !audited.isEmpty { decision.auditAnnotations["rules-audited"] = Self.ruleList(audited) }
        if !decision.exempted.isEmpty { decision.auditAnnotations["rules-exempted"] = Self.ruleList(decision.exempted.map(\.violation.rule)) }
        if !steps.isEmpty && !decision.patch.isEmpty { decision.auditAnnotations["mutations"] = Self.ruleList(steps.map(\.rule)) }
        if let stage { decision.auditAnnotations["stage"] = stage.rawValue }
        return decision
    }

    /// Findings without repeats, in the rules' order; a field reported malformed by the shape check and
    /// again by the rule that reads it is reported once. Linear: a request with thousands of findings
    /// is de-duplicated with sets, a usual one (none or a few) without hashing anything.
    static func distinct(_ findings: [Finding]) -> [Finding] {
        guard findings.count > 1 else { return findings }
        guard findings.count > 16 else {
            var result: [Finding] = []
            result.reserveCapacity(findings.count)
            for finding in findings where !result.contains(where: { $0 == finding || ($0.rule == .objectWellFormed &&
                finding.rule == .objectWellFormed && $0.path == finding.path) }) {
                result.append(finding)
            }
            return result
        }
        var seen = Set<Finding>(minimumCapacity: findings.count)
        var malformed = Set<FieldPath>()
        return findings.filter { finding in
            guard seen.insert(finding).inserted else { return false }
            return finding.rule != .objectWellFormed || malformed.insert(finding.path).inserted
        }
    }

    /// Rule ids as an audit annotation value: distinct, sorted, comma-separated.
    static func ruleList(_ rules: [RuleID]) -> String {
        var text = ""
        var last: RuleID?
        for rule in rules.sorted() where rule != last {
            if last != nil { text += "," }
            text += rule.rawValue
            last = rule
        }
        return text
    }

    /// A rule's mode in a stage; in the validating webhook a Pod Security control is reported at most
    /// at `podSecurity.webhookMode`, since Pod Security Admission enforces it in the cluster.
    func mode(of rule: RuleID, stage: Stage?, phase: EvaluationPhase) -> RuleMode {
        let mode = shared.policy.mode(of: rule, stage: stage)
        guard phase == .validating, rule.isPodSecurity else { return mode }
        return mode.lenient(shared.policy.podSecurity.webhookMode)
    }
}

extension RuleMode {
    /// The less strict of two modes (enforce > warn > audit).
    func lenient(_ other: RuleMode) -> RuleMode {
        let order: [RuleMode] = [.audit, .warn, .enforce]
        return (order.firstIndex(of: self) ?? 0) <= (order.firstIndex(of: other) ?? 0) ? self : other
    }
}
