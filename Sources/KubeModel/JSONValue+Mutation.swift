extension JSONValue {
    /// Sets the value at a field path, creating missing objects on the way; returns whether it was
    /// set (it is not when a step is an array index out of range or a scalar is in the way).
    @discardableResult
    public mutating func set(_ value: JSONValue, at path: FieldPath) -> Bool {
        set(value, at: path.components[...])
    }

    /// Changes the value at a field path in place; returns `false` (and calls nothing) when the
    /// path does not exist. Storage shared with other copies is copied once, only along the path.
    @discardableResult
    public mutating func modify(at path: FieldPath, _ body: (inout JSONValue) -> Void) -> Bool {
        modify(at: path.components[...], body)
    }

    private mutating func set(_ value: JSONValue, at components: ArraySlice<FieldPath.Component>) -> Bool {
        guard let first = components.first else {
            self = value
            return true
        }
        let rest = components.dropFirst()
        switch first {
        case .key(let key):
            var object: JSONObject
            switch self {
            case .object(let existing): object = existing
            case .null: object = [:]
            default: return false
            }
            // Drop every other reference so the path below is uniquely owned and changes in place.
            self = .null
            let existing = object[key]
            var child = existing ?? .null
            if existing != nil { object[key] = .null }
            let ok = child.set(value, at: rest)
            if ok || existing != nil { object[key] = child }
            self = .object(object)
            return ok
        case .index(let i):
            guard case .array(var array) = self, array.indices.contains(i) else { return false }
            self = .null
            var child = array[i]
            array[i] = .null
            let ok = child.set(value, at: rest)
            array[i] = child
            self = .array(array)
            return ok
        }
    }

    private mutating func modify(at components: ArraySlice<FieldPath.Component>, _ body: (inout JSONValue) -> Void) -> Bool {
        guard let first = components.first else {
            body(&self)
            return true
        }
        let rest = components.dropFirst()
        switch first {
        case .key(let key):
            guard case .object(var object) = self, var child = object[key] else { return false }
            // Drop every other reference so the path below is uniquely owned and changes in place.
            self = .null
            object[key] = .null
            let ok = child.modify(at: rest, body)
            object[key] = child
            self = .object(object)
            return ok
        case .index(let i):
            guard case .array(var array) = self, array.indices.contains(i) else { return false }
            self = .null
            var child = array[i]
            array[i] = .null
            let ok = child.modify(at: rest, body)
            array[i] = child
            self = .array(array)
            return ok
        }
    }
}
