import KubeModel

/// One rule finding on one field: what a tenant sees.
public struct Violation: Sendable, Equatable, CustomStringConvertible {
    /// The rule that fired.
    public var rule: RuleID
    /// Where, in Kubernetes field-path notation.
    public var path: FieldPath
    /// What is wrong and what to do about it. Never contains a secret value.
    public var message: String
    /// How the policy treats the finding.
    public var mode: RuleMode

    /// A violation.
    public init(rule: RuleID, path: FieldPath, message: String, mode: RuleMode) {
        self.rule = rule
        self.path = path
        self.message = message
        self.mode = mode
    }

    /// `[rule] path: message`.
    public var description: String { "[\(rule)] \(path): \(message)" }
}

/// A finding that an exemption or exception waived, with what waived it.
public struct ExemptedViolation: Sendable, Equatable {
    /// The waived finding.
    public var violation: Violation
    /// `policy exemption N` or `GuardException ns/name`.
    public var by: String
}

/// The verdict of one evaluation: every finding with its mode, the mutation as a JSON Patch computed
/// by diffing the original against the mutated document, warnings and audit annotations.
public struct Decision: Sendable, Equatable {
    /// Every finding that applies, whatever its mode.
    public var violations: [Violation]
    /// Findings waived by exemptions or GuardExceptions.
    public var exempted: [ExemptedViolation]
    /// Messages for the client (warn-mode findings and notes such as expired exceptions).
    public var warnings: [String]
    /// The mutation; empty when nothing changes.
    public var patch: JSONPatch
    /// The rule that produced each operation of ``patch``, in the same order.
    public var patchRules: [RuleID] = []
    /// The mutated object, when the patch is not empty.
    public var mutatedObject: JSONValue?
    /// Key-value annotations for the audit log (keys without prefix; the API server adds one).
    public var auditAnnotations: [String: String]
    /// Findings left out of ``violations`` by the ``OutputBudget``, by mode (every rule that fired keeps
    /// at least one listed violation, so ``allowed`` does not depend on them).
    public var omittedViolations: [RuleMode: Int] = [:]

    /// An empty, allowing decision.
    public init(violations: [Violation] = [], exempted: [ExemptedViolation] = [], warnings: [String] = [],
                patch: JSONPatch = JSONPatch(), mutatedObject: JSONValue? = nil, auditAnnotations: [String: String] = [:]) {
        self.violations = violations
        self.exempted = exempted
        self.warnings = warnings
        self.patch = patch
        self.mutatedObject = mutatedObject
        self.auditAnnotations = auditAnnotations
    }

    /// Allowed unless an `enforce`-mode finding remains.
    public var allowed: Bool { !violations.contains { $0.mode == .enforce } }

    /// The findings that deny the request.
    public var denials: [Violation] { violations.filter { $0.mode == .enforce } }

    /// The findings only recorded for audit.
    public var audited: [Violation] { violations.filter { $0.mode == .audit } }

    /// The denial message for an AdmissionReview: every enforce-mode violation on its own line.
    /// Violations beyond the ``OutputBudget`` are counted on a last line ("and 997 more").
    public var denialMessage: String {
        var lines = denials.map { "- \($0)" }
        let omitted = omittedViolations[.enforce] ?? 0
        let total = lines.count + omitted
        if omitted > 0 { lines.append("- … and \(omitted) more (every rule that fired is listed at least once)") }
        return "denied by odoo-guard (\(total) violation\(total == 1 ? "" : "s")):\n" + lines.joined(separator: "\n")
    }
}
