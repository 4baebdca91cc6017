/// Reads typed fields out of raw JSON, collecting every problem with its path instead of stopping
/// at the first (cert-manager style). Each reader returns `nil` (or an empty value) for a missing or
/// unusable field and records why in ``errors``; decoders keep going and report everything at once.
public struct FieldReader: Sendable {
    /// Every problem found so far, in reading order.
    public var errors: [FieldError] = []

    /// A reader with no errors yet.
    public init() {}

    /// An object; `required` records a missing value as an error.
    public mutating func object(_ value: JSONValue?, _ path: FieldPath, required: Bool = false) -> JSONObject? {
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

    /// A string; `required` also rejects the empty string.
    public mutating func string(_ value: JSONValue?, _ path: FieldPath, required: Bool = false) -> String? {
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

    /// A boolean.
    public mutating func bool(_ value: JSONValue?, _ path: FieldPath) -> Bool? {
        guard let value, !value.isNull else { return nil }
        guard case .bool(let b) = value else {
            errors.append(.invalid(path, "must be true or false, found \(value.typeDescription)"))
            return nil
        }
        return b
    }

    /// An integer, at least `minimum` when given.
    public mutating func int(_ value: JSONValue?, _ path: FieldPath, minimum: Int64? = nil) -> Int64? {
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

    /// An integer inside `range` (`what` names it in the message: "90 web replicas is outside 0…50").
    /// Inputs that later become durations, sizes or counts go through here, so no arithmetic on them can overflow.
    public mutating func bounded(_ value: JSONValue?, _ path: FieldPath, _ range: ClosedRange<Int64>, what: String = "") -> Int64? {
        guard let number = int(value, path) else { return nil }
        guard range.contains(number) else {
            errors.append(.invalid(path, "\(number)\(what.isEmpty ? "" : " " + what) is outside \(range.lowerBound)…\(range.upperBound)"))
            return nil
        }
        return number
    }

    /// A list of at most `limit` items (`nil` when absent or null; a non-list or a longer one is reported).
    public mutating func array(_ value: JSONValue?, _ path: FieldPath, limit: Int) -> [JSONValue]? {
        guard let value, !value.isNull else { return nil }
        guard case .array(let items) = value else {
            errors.append(.invalid(path, "must be a list, found \(value.typeDescription)"))
            return nil
        }
        guard items.count <= limit else {
            errors.append(.invalid(path, "has \(items.count) items; at most \(limit)"))
            return nil
        }
        return items
    }

    /// A list of strings; each non-string element is reported with its index.
    public mutating func strings(_ value: JSONValue?, _ path: FieldPath) -> [String]? {
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

    /// A map of non-negative resource quantities (`cpu: 500m`, `memory: 1Gi`).
    public mutating func quantities(_ value: JSONValue?, _ path: FieldPath) -> [String: Quantity] {
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

    /// A label selector (`matchLabels`, `matchExpressions`).
    public mutating func selector(_ value: JSONValue?, _ path: FieldPath) -> LabelSelector? {
        guard let value, !value.isNull else { return nil }
        do {
            return try LabelSelector(json: value, path: path)
        } catch {
            errors.append(.invalid(path, error.message))
            return nil
        }
    }

    /// Reports every key of `object` outside `allowed`.
    public mutating func unknownKeys(_ object: JSONObject, allowed: Set<String>, _ path: FieldPath) {
        for key in object.keys where !allowed.contains(key) {
            errors.append(.invalid(path / key, "unknown field; expected one of \(allowed.sorted().joined(separator: ", "))"))
        }
    }
}
