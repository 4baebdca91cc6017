import GuardRules
import KubeModel

/// The outcome of checking one document (or one item of a `List`).
public struct CheckResult: Sendable {
    /// The file, or `-`.
    public var file: String
    /// 1-based document index in the file.
    public var document: Int
    /// 1-based item index when the document is a `List`.
    public var item: Int?
    /// 1-based line where the document starts.
    public var line: Int
    /// The object, when the document parsed.
    public var object: KubeObject?
    /// The decision, when the document parsed.
    public var decision: Decision?
    /// Why the document could not be checked.
    public var error: KubeModelError?

    /// Whether the document is admitted (an unreadable document is not).
    public var allowed: Bool { error == nil && (decision?.allowed ?? false) }

    /// `file#document` (and `[item]`), for text reports.
    public var location: String {
        "\(file)#\(document)" + (item.map { "[\($0)]" } ?? "")
    }

    /// The JSON form used by `guardctl check --output json`.
    public var jsonValue: JSONValue {
        var result: JSONObject = ["file": .string(file), "document": .int(Int64(document))]
        if let item { result["item"] = .int(Int64(item)) }
        result["line"] = .int(Int64(line))
        if let error {
            result["allowed"] = false
            result["error"] = .string(error.description)
            return .object(result)
        }
        let object = self.object ?? KubeObject(.null)
        result["apiVersion"] = .string(object.apiVersion)
        result["kind"] = .string(object.kind)
        result["namespace"] = object.namespace.map(JSONValue.string) ?? .null
        result["name"] = .string(object.name)
        result["allowed"] = .bool(allowed)
        let decision = self.decision ?? Decision()
        func encode(_ violation: Violation) -> JSONValue {
            ["rule": .string(violation.rule.rawValue), "path": .string(violation.path.description),
             "message": .string(violation.message), "mode": .string(violation.mode.rawValue)]
        }
        result["violations"] = .array(decision.denials.map(encode))
        result["warnings"] = .array(decision.warnings.map(JSONValue.string))
        result["audit"] = .array(decision.audited.map(encode))
        result["exempted"] = .array(decision.exempted.map { exempted in
            var entry = encode(exempted.violation).objectValue ?? [:]
            entry["by"] = .string(exempted.by)
            return .object(entry)
        })
        // Each operation names the rule that produced it (an extra member, which RFC 6902 appliers ignore).
        let rules = decision.patchRules
        result["patch"] = .array((decision.patch.jsonValue.arrayValue ?? []).enumerated().map { index, operation in
            guard var fields = operation.objectValue, index < rules.count else { return operation }
            fields["rule"] = .string(rules[index].rawValue)
            return .object(fields)
        })
        return .object(result)
    }
}
