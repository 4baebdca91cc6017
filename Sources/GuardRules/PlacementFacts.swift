import KubeModel

/// Where a pod asks to run, as `placement.node-pool` judges it: its tolerations, its node selector
/// and the `In` expressions of its required node affinity, read leniently (an entry of the wrong
/// shape reads as absent; the API server refuses it anyway).
struct PlacementFacts {
    /// A toleration, with Kubernetes' matching.
    struct Toleration {
        /// Its index in `tolerations`.
        let index: Int
        let key: String
        /// `Exists` or `Equal` (the default).
        let exists: Bool
        let value: String
        /// Empty: every effect.
        let effect: String

        /// Whether it lets the pod onto nodes tainted with `taint` (an empty key with `Exists`
        /// tolerates every taint).
        func tolerates(_ taint: PlacementPolicy.Taint) -> Bool {
            guard effect.isEmpty || effect == taint.effect else { return false }
            if key.isEmpty { return exists }
            guard key == taint.key else { return false }
            return exists || value == (taint.value ?? "")
        }
    }

    /// One `In` expression of a required node selector term: `affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[term].matchExpressions[index]`.
    struct Expression {
        let term: Int
        let index: Int
        let key: String
        let values: [String]
    }

    var tolerations: [Toleration] = []
    var nodeSelector: [String: String] = [:]
    var requiredExpressions: [Expression] = []

    mutating func readTolerations(_ value: JSONValue) {
        guard case .array(let items) = value else { return }
        for (index, item) in items.prefix(ObjectBudget.references).enumerated() {
            guard case .object(let object) = item else { continue }
            tolerations.append(Toleration(index: index, key: object["key"]?.stringValue ?? "", exists: object["operator"]?.stringValue == "Exists",
                                          value: object["value"]?.stringValue ?? "", effect: object["effect"]?.stringValue ?? ""))
        }
    }

    mutating func readAffinity(_ value: JSONValue) {
        let terms = value["nodeAffinity"]?["requiredDuringSchedulingIgnoredDuringExecution"]?["nodeSelectorTerms"]?.arrayValue ?? []
        for (term, entry) in terms.prefix(ObjectBudget.references).enumerated() {
            for (index, expression) in (entry["matchExpressions"]?.arrayValue ?? []).prefix(ObjectBudget.references).enumerated() {
                guard expression["operator"]?.stringValue == "In", let key = expression["key"]?.stringValue else { continue }
                requiredExpressions.append(Expression(term: term, index: index, key: key, values: (expression["values"]?.arrayValue ?? []).compactMap(\.stringValue)))
            }
        }
    }
}
