import Foundation

/// Validates a value against a Kubernetes structural OpenAPI v3 schema (a CRD's `openAPIV3Schema`):
/// `type`, `properties`, `required`, `additionalProperties`, `items`, `enum`, `pattern`, `format:
/// date-time`, bounds on numbers, lengths and item counts, `nullable`, `anyOf`,
/// `x-kubernetes-int-or-string` and `x-kubernetes-preserve-unknown-fields`.
///
/// Unknown fields are errors (as `kubectl --validate=strict` reports them), so examples and schemas
/// cannot drift apart silently. Every problem is reported with its path.
public struct SchemaValidator: Sendable {
    /// The schema.
    public let schema: JSONValue

    /// A validator for a schema.
    public init(schema: JSONValue) { self.schema = schema }

    /// The `openAPIV3Schema` of a CRD's version (the storage version when `version` is `nil`).
    public init?(crd: JSONValue, version: String? = nil) {
        let versions = crd["spec"]?["versions"]?.arrayValue ?? []
        let chosen = versions.first { version == nil ? ($0["storage"]?.boolValue ?? false) : $0["name"]?.stringValue == version }
        guard let schema = chosen?["schema"]?["openAPIV3Schema"] else { return nil }
        self.schema = schema
    }

    /// Every problem of `value`, empty when it conforms.
    public func validate(_ value: JSONValue) -> [FieldError] {
        var errors: [FieldError] = []
        check(value, against: schema, at: .root, into: &errors)
        return errors
    }

    private func check(_ value: JSONValue, against schema: JSONValue, at path: FieldPath, into errors: inout [FieldError]) {
        if value.isNull {
            if schema["nullable"]?.boolValue != true && schema["type"] != nil {
                errors.append(.invalid(path, "must not be null"))
            }
            return
        }
        if schema["x-kubernetes-int-or-string"]?.boolValue == true {
            // A string goes on to the string checks (a quantity's or a duration's `pattern`), as on the
            // API server; an integer has nothing more to check.
            switch value {
            case .int: return
            case .string: break
            default:
                errors.append(.invalid(path, "must be an integer or a string, found \(value.typeDescription)"))
                return
            }
        }
        if let options = schema["anyOf"]?.arrayValue, !options.isEmpty {
            let matches = options.contains { option in
                var scratch: [FieldError] = []
                check(value, against: option, at: path, into: &scratch)
                return scratch.isEmpty
            }
            if !matches { errors.append(.invalid(path, "matches none of the allowed forms")) }
        }
        if let type = schema["type"]?.stringValue, !matchesType(value, type) {
            errors.append(.invalid(path, "must be \(type == "integer" ? "an integer" : "a " + type), found \(value.typeDescription)"))
            return
        }
        if let allowed = schema["enum"]?.arrayValue, !allowed.contains(value) {
            errors.append(.invalid(path, "must be one of \(allowed.map { $0.serialized() }.joined(separator: ", "))"))
        }
        switch value {
        case .object(let object): checkObject(object, schema, path, &errors)
        case .array(let array):
            if let minimum = schema["minItems"]?.intValue, array.count < minimum { errors.append(.invalid(path, "must have at least \(minimum) items")) }
            if let maximum = schema["maxItems"]?.intValue, array.count > maximum { errors.append(.invalid(path, "must have at most \(maximum) items")) }
            if let items = schema["items"] {
                for (i, element) in array.enumerated() { check(element, against: items, at: path / i, into: &errors) }
            }
        case .string(let string):
            let length = string.unicodeScalars.count
            if let minimum = schema["minLength"]?.intValue, length < minimum { errors.append(.invalid(path, "must be at least \(minimum) characters")) }
            if let maximum = schema["maxLength"]?.intValue, length > maximum { errors.append(.invalid(path, "must be at most \(maximum) characters")) }
            if let pattern = schema["pattern"]?.stringValue {
                if let regex = try? NSRegularExpression(pattern: pattern),
                   regex.firstMatch(in: string, range: NSRange(string.startIndex..., in: string)) == nil {
                    errors.append(.invalid(path, "must match \(pattern)"))
                }
            }
            if schema["format"]?.stringValue == "date-time" && Timestamp.parse(string) == nil {
                errors.append(.invalid(path, "must be an RFC 3339 date-time"))
            }
        case .int, .double:
            let number = value.doubleValue ?? 0
            if let minimum = schema["minimum"]?.doubleValue, number < minimum { errors.append(.invalid(path, "must be at least \(schema["minimum"]?.serialized() ?? "")")) }
            if let maximum = schema["maximum"]?.doubleValue, number > maximum { errors.append(.invalid(path, "must be at most \(schema["maximum"]?.serialized() ?? "")")) }
        default: break
        }
    }

    private func checkObject(_ object: JSONObject, _ schema: JSONValue, _ path: FieldPath, _ errors: inout [FieldError]) {
        let properties = schema["properties"]?.objectValue ?? [:]
        for required in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where object[required] == nil {
            errors.append(.required(path / required))
        }
        let preserve = schema["x-kubernetes-preserve-unknown-fields"]?.boolValue == true
        for (key, child) in object {
            if let property = properties[key] {
                check(child, against: property, at: path / key, into: &errors)
            } else if let additional = schema["additionalProperties"] {
                if case .object = additional { check(child, against: additional, at: path / key, into: &errors) }
                else if additional.boolValue == false { errors.append(.invalid(path / key, "unknown field")) }
            } else if !preserve && !properties.isEmpty {
                errors.append(.invalid(path / key, "unknown field; the schema allows \(properties.keys.sorted().joined(separator: ", "))"))
            }
        }
    }

    private func matchesType(_ value: JSONValue, _ type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("integer", .int): return true
        case ("integer", .double(let d)): return d.rounded() == d
        case ("number", .int), ("number", .double): return true
        default: return false
        }
    }
}
