import Foundation
import KubeModel

/// The field selectors every resource supports: `metadata.name` and `metadata.namespace` with
/// `=`, `==` or `!=` (https://kubernetes.io/docs/concepts/overview/working-with-objects/field-selectors/).
struct FieldSelector: Sendable {
    var terms: [(field: String, value: String, equal: Bool)] = []

    init(parsing text: String) throws(APIError) {
        for raw in text.split(separator: ",") {
            let term = String(raw)
            let equal: Bool
            let parts: [Substring]
            if term.contains("!=") { equal = false; parts = term.split(separator: "!=", maxSplits: 1, omittingEmptySubsequences: false).map { $0 } } else {
                equal = true
                parts = (term.contains("==") ? term.components(separatedBy: "==") : term.components(separatedBy: "=")).map { Substring($0) }
            }
            guard parts.count == 2 else { throw APIError.badRequest("invalid field selector \"\(text)\"") }
            let field = parts[0].trimmingCharacters(in: .whitespaces)
            guard field == "metadata.name" || field == "metadata.namespace" else {
                throw APIError.badRequest("field label not supported: \(field)")
            }
            terms.append((field, parts[1].trimmingCharacters(in: .whitespaces), equal))
        }
    }

    func matches(_ object: KubeObject) -> Bool {
        terms.allSatisfy { term in
            let actual = term.field == "metadata.name" ? object.name : (object.namespace ?? "")
            return (actual == term.value) == term.equal
        }
    }
}
