import KubeModel

/// How much one decision may say, whatever the request: the webhook's answer stays far below the API
/// server's limits and proportional to what a tenant can act on, not to how many times a hostile object
/// repeats one mistake.
///
/// Every rule that fired keeps at least one violation, so capping never changes whether a request is
/// allowed; what is left out is counted and said ("and 997 more").
public enum OutputBudget {
    /// Violations listed per rule.
    public static let violationsPerRule = 20
    /// Violations listed in all (exceeded only to keep one violation of every rule that fired).
    public static let violations = 100
    /// Warnings returned to the client (the API server shows at most about 4 KiB of them anyway).
    public static let warnings = 32
    /// Bytes of the serialized JSON Patch: a mutation beyond this is refused, not sent.
    public static let patchBytes = 512 * 1_024
    /// Bytes of a whole AdmissionReview response body (the last guard: 100 violations of 1 KiB with
    /// their paths, or a patch at its budget in base64, fit well under it).
    public static let responseBytes = 1_024 * 1_024
    /// Groups of the approving user that a ChangeApproval records.
    public static let approverGroups = 256

    /// The violations to list: at most ``violationsPerRule`` of each rule and ``violations`` in all, in
    /// their order, keeping the first of every rule; and how many of each mode were left out.
    static func cap(_ violations: [Violation]) -> (kept: [Violation], omitted: [RuleMode: Int]) {
        guard violations.count > violationsPerRule else { return (violations, [:]) }
        var perRule: [RuleID: Int] = [:]
        var kept: [Violation] = []
        var omitted: [RuleMode: Int] = [:]
        kept.reserveCapacity(min(violations.count, Self.violations))
        for violation in violations {
            let seen = perRule[violation.rule, default: 0]
            if seen == 0 || (seen < violationsPerRule && kept.count < Self.violations) {
                kept.append(violation)
                perRule[violation.rule] = seen + 1
            } else {
                omitted[violation.mode, default: 0] += 1
            }
        }
        return (kept, omitted)
    }

    /// Warnings cut to ``warnings`` entries of at most ``EchoBudget/message`` bytes, the last saying how
    /// many were left out.
    static func cap(warnings: [String]) -> [String] {
        var result = warnings.prefix(warnings.count > Self.warnings ? Self.warnings - 1 : Self.warnings).map { $0.echoed(limit: EchoBudget.message) }
        if warnings.count > Self.warnings { result.append("… and \(warnings.count - result.count) more warnings") }
        return result
    }

    /// A path whose member names are cut to ``EchoBudget/value`` bytes (map keys are the caller's text).
    static func echoed(_ path: FieldPath) -> FieldPath {
        guard path.components.contains(where: { if case .key(let key) = $0 { key.exceedsEcho() } else { false } }) else { return path }
        return FieldPath(path.components.map { component in
            if case .key(let key) = component { .key(key.echoed()) } else { component }
        })
    }

    /// The field a too-large patch of `document` changes: the longest path every operation lies under.
    static func field(of patch: JSONPatch, in document: JSONValue) -> FieldPath {
        var common: [String]?
        for operation in patch.operations {
            let tokens = operation.path.tokens
            guard let prefix = common else { common = tokens; continue }
            common = Array(zip(prefix, tokens).prefix { $0 == $1 }.map(\.0))
        }
        return echoed(FieldPath(pointer: JSONPointer(tokens: common ?? []), in: document))
    }
}
