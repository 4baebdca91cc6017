import KubeModel

/// Which admission phase a decision is for.
public enum EvaluationPhase: Sendable, Equatable {
    /// Mutate, then judge the mutated object (`guardctl check`, `/mutate`).
    case combined
    /// Judge the object as it will be stored: a mutation the object still needs means the mutating
    /// webhook did not run (or a later writer undid it), and is reported under the mutation's rule.
    /// The `podsecurity.*` rules are reported at most at the policy's `podSecurity.webhookMode`.
    case validating
    /// As ``combined``, and every mutation the object needs is a violation of its rule
    /// (`guardctl check --deny-mutations`): for CI that wants manifests complete as written.
    case strict
}

/// One mutation that changed the document: the rule and the document before and after it.
struct MutationStep {
    let rule: RuleID
    let before: JSONValue
    let after: JSONValue

    /// The operations this step alone makes.
    var patch: JSONPatch { JSONPatch.diff(from: before, to: after) }
}

extension GuardEvaluator {
    /// One finding per mutation the object still lacks, at the first field it would change, naming
    /// every field it would set.
    func unappliedMutations(_ steps: [MutationStep], strict: Bool) -> [Finding] {
        steps.compactMap { step in
            let operations = step.patch.operations
            guard let first = operations.first else { return nil }
            let paths = operations.prefix(5).map { FieldPath(pointer: $0.path, in: step.after).description }
            let more = operations.count > 5 ? " and \(operations.count - 5) more" : ""
            let fields = "\(operations.count == 1 ? "1 field" : "\(operations.count) fields") (\(paths.joined(separator: ", "))\(more))"
            let message = strict
                ? "\(step.rule) would set \(fields); with --deny-mutations the manifest must carry them itself: copy the values from the patch this report shows"
                : "the mutating webhook's change (\(step.rule), \(fields)) is missing from this object: the mutating webhook did not run for it or a later change removed it; check the MutatingWebhookConfiguration, or set the values yourself"
            return Finding(rule: step.rule, path: FieldPath(pointer: first.path, in: step.after), message: message)
        }
    }

    /// The rule that produced each operation of `patch` (the diff of the whole mutation): the last
    /// step whose own changes touch the operation's path, a parent or a child of it.
    static func attribute(_ patch: JSONPatch, to steps: [MutationStep]) -> [RuleID] {
        guard let fallback = steps.first?.rule else { return [] }
        guard steps.count > 1 else { return Array(repeating: fallback, count: patch.operations.count) }
        let touched = steps.map { step in (step.rule, step.patch.operations.map(\.path.tokens)) }
        return patch.operations.map { operation in
            let tokens = operation.path.tokens
            let owner = touched.last { _, paths in
                paths.contains { path in path.starts(with: tokens) || tokens.starts(with: path) }
            }
            return owner?.0 ?? fallback
        }
    }
}

extension FieldPath {
    /// The field path of a JSON Pointer, reading `document` to tell array indices from keys that look like numbers.
    init(pointer: JSONPointer, in document: JSONValue) {
        var path = FieldPath.root
        var current: JSONValue? = document
        for token in pointer.tokens {
            if case .array(let items)? = current, let index = Int(token) {
                path = path / index
                current = index < items.count ? items[index] : nil
            } else {
                path = path / token
                current = current?[token]
            }
        }
        self = path
    }
}
