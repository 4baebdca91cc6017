import KubeModel

/// Which admission phase a decision is for.
public enum EvaluationPhase: Sendable, Equatable {
    /// Mutate, then judge the mutated object (`guardctl check`, `/mutate`).
    case combined
    /// Judge the object as it will be stored: a mutation the object still needs means the mutating
    /// webhook did not run (or a later writer undid it), and is reported under the mutation's rule.
    case validating
}

extension GuardEvaluator {
    /// One finding per mutation the object still lacks, at the first field it would change.
    func unappliedMutations(_ mutations: [RuleID], original: JSONValue, mutated: JSONValue) -> [Finding] {
        let patch = JSONPatch.diff(from: original, to: mutated)
        guard let first = patch.operations.first else { return [] }
        let path = FieldPath(pointer: first.path, in: original)
        let fields = patch.operations.count == 1 ? "1 field" : "\(patch.operations.count) fields"
        return mutations.map { rule in
            Finding(rule: rule, path: path, message:
                "the mutating webhook's change (\(rule), \(fields)) is missing from this object: the mutating webhook did not run for it or a later change removed it; check the MutatingWebhookConfiguration, or set the values yourself")
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
