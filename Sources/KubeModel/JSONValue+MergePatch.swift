extension JSONValue {
    /// The RFC 7386 merge patch turning `old` into `new`: `new` whole, with `null` for every field
    /// `new` lacks at any depth (a merge patch keeps nested fields it does not name). Objects are
    /// merged key by key; anything else replaces.
    public static func mergePatch(from old: JSONValue, to new: JSONValue) -> JSONValue {
        guard case .object(var fields) = new, case .object(let previous) = old else { return new }
        for (key, value) in previous {
            if let replacement = fields[key] {
                fields[key] = mergePatch(from: value, to: replacement)
            } else {
                fields[key] = .null
            }
        }
        return .object(fields)
    }
}
