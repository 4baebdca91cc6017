import KubeModel

/// Reads typed fields out of raw JSON, collecting every problem with its path instead of stopping
/// at the first.
struct FieldReader {
    var errors: [FieldError] = []

    mutating func object(_ value: JSONValue?, _ path: FieldPath, required: Bool = false) -> JSONObject? {
        guard let value, !value.isNull else {
            if required { errors.append(.required(path)) }
            return nil
        }
        guard case .object(let object) = value else {
            errors.append(.invalid(path, "must be an object, found \(value.typeDescription)"))
            return nil
        }
        return object
    }

    mutating func string(_ value: JSONValue?, _ path: FieldPath, required: Bool = false) -> String? {
        guard let value, !value.isNull else {
            if required { errors.append(.required(path)) }
            return nil
        }
        guard case .string(let s) = value else {
            errors.append(.invalid(path, "must be a string, found \(value.typeDescription)"))
            return nil
        }
        if required && s.isEmpty { errors.append(.required(path, "must not be empty")) }
        return s
    }

    mutating func bool(_ value: JSONValue?, _ path: FieldPath) -> Bool? {
        guard let value, !value.isNull else { return nil }
        guard case .bool(let b) = value else {
            errors.append(.invalid(path, "must be true or false, found \(value.typeDescription)"))
            return nil
        }
        return b
    }

    mutating func int(_ value: JSONValue?, _ path: FieldPath, minimum: Int64? = nil) -> Int64? {
        guard let value, !value.isNull else { return nil }
        guard let i = value.intValue else {
            errors.append(.invalid(path, "must be an integer, found \(value.typeDescription)"))
            return nil
        }
        if let minimum, i < minimum {
            errors.append(.invalid(path, "must be at least \(minimum)"))
            return nil
        }
        return i
    }

    mutating func strings(_ value: JSONValue?, _ path: FieldPath) -> [String]? {
        guard let value, !value.isNull else { return nil }
        guard case .array(let items) = value else {
            errors.append(.invalid(path, "must be a list of strings, found \(value.typeDescription)"))
            return nil
        }
        var result: [String] = []
        for (i, item) in items.enumerated() {
            if case .string(let s) = item { result.append(s) } else {
                errors.append(.invalid(path / i, "must be a string, found \(item.typeDescription)"))
            }
        }
        return result
    }

    mutating func quantities(_ value: JSONValue?, _ path: FieldPath) -> [String: Quantity] {
        guard let object = object(value, path) else { return [:] }
        var result: [String: Quantity] = [:]
        for (name, raw) in object {
            do {
                let quantity = try Quantity(json: raw)
                if quantity.isNegative { errors.append(.invalid(path / name, "must not be negative")) } else { result[name] = quantity }
            } catch {
                errors.append(.invalid(path / name, error.message))
            }
        }
        return result
    }

    mutating func mode(_ value: JSONValue?, _ path: FieldPath) -> RuleMode? {
        guard let text = string(value, path) else { return nil }
        guard let mode = RuleMode(rawValue: text) else {
            errors.append(.invalid(path, "must be enforce, warn or audit, found \"\(text)\""))
            return nil
        }
        return mode
    }

    mutating func ruleModes(_ value: JSONValue?, _ path: FieldPath) -> [RuleID: RuleMode] {
        guard let object = object(value, path) else { return [:] }
        var result: [RuleID: RuleMode] = [:]
        for (id, raw) in object {
            let rule = RuleID(rawValue: id)
            guard rule.isKnown else {
                errors.append(.invalid(path / id, "unknown rule id; known rules are \(RuleID.all.map(\.rawValue).joined(separator: ", "))"))
                continue
            }
            if let mode = mode(raw, path / id) { result[rule] = mode }
        }
        return result
    }

    mutating func ruleIDs(_ value: JSONValue?, _ path: FieldPath) -> [RuleID] {
        guard let texts = strings(value, path) else { return [] }
        var result: [RuleID] = []
        for (i, text) in texts.enumerated() {
            let rule = RuleID(rawValue: text)
            if rule.isKnown { result.append(rule) } else {
                errors.append(.invalid(path / i, "unknown rule id \"\(text)\""))
            }
        }
        return result
    }

    mutating func selector(_ value: JSONValue?, _ path: FieldPath) -> LabelSelector? {
        guard let value, !value.isNull else { return nil }
        do {
            return try LabelSelector(json: value, path: path)
        } catch {
            errors.append(.invalid(path, error.message))
            return nil
        }
    }

    mutating func unknownKeys(_ object: JSONObject, allowed: Set<String>, _ path: FieldPath) {
        for key in object.keys where !allowed.contains(key) {
            errors.append(.invalid(path / key, "unknown field; expected one of \(allowed.sorted().joined(separator: ", "))"))
        }
    }
}
