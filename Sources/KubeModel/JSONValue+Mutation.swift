extension JSONValue {
    /// Sets the value at a field path, creating missing objects on the way; returns whether it was
    /// set (it is not when a step is an array index out of range or a scalar is in the way).
    @discardableResult
    public mutating func set(_ value: JSONValue, at path: FieldPath) -> Bool {
        set(value, at: path.components[...])
    }

    private mutating func set(_ value: JSONValue, at components: ArraySlice<FieldPath.Component>) -> Bool {
        guard let first = components.first else { self = value; return true }
        let rest = components.dropFirst()
        switch (first, self) {
        case (.key(let key), .object(var object)):
            self = .null
            var child = object[key] ?? .object([:])
            let ok = child.set(value, at: rest)
            object[key] = child
            self = .object(object)
            return ok
        case (.key(let key), .null):
            var child = JSONValue.object([:])
            let ok = child.set(value, at: rest)
            self = .object([key: child])
            return ok
        case (.index(let i), .array(var array)) where array.indices.contains(i):
            self = .null
            let ok = array[i].set(value, at: rest)
            self = .array(array)
            return ok
        default:
            return false
        }
    }
}
