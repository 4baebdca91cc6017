import KubeModel

/// Readers for the policy's own field types.
extension FieldReader {
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

}
