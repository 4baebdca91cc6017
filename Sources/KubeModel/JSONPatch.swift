/// An RFC 6902 JSON Patch: an ordered list of operations, applied all-or-nothing.
public struct JSONPatch: Sendable, Equatable, CustomStringConvertible {
    /// One patch operation.
    public enum Operation: Sendable, Equatable {
        /// Adds a member, inserts into an array (index or `-` to append), or replaces the root.
        case add(JSONPointer, JSONValue)
        /// Removes the value at the pointer, which must exist.
        case remove(JSONPointer)
        /// Replaces the value at the pointer, which must exist.
        case replace(JSONPointer, JSONValue)
        /// Removes the value at `from` and adds it at `path`.
        case move(from: JSONPointer, path: JSONPointer)
        /// Adds a copy of the value at `from` at `path`.
        case copy(from: JSONPointer, path: JSONPointer)
        /// Fails the whole patch unless the value at the pointer equals the given value.
        case test(JSONPointer, JSONValue)
    }

    /// The operations, in order.
    public var operations: [Operation]

    /// A patch from operations.
    public init(_ operations: [Operation] = []) { self.operations = operations }

    /// Whether the patch has no operations.
    public var isEmpty: Bool { operations.isEmpty }

    /// Applies every operation to a copy of `document`; on any failure nothing is applied.
    /// - Throws: ``KubeModelError`` `patchFailed` naming the operation index and pointer.
    public func apply(to document: JSONValue) throws(KubeModelError) -> JSONValue {
        var result = document
        for (i, operation) in operations.enumerated() {
            do {
                try operation.apply(to: &result)
            } catch {
                throw KubeModelError.patchFailed("patch operation \(i) (\(operation.name) \(operation.path)): \(error.message)", cause: error)
            }
        }
        return result
    }

    /// The patch as a JSON array of operation objects.
    public var jsonValue: JSONValue {
        .array(operations.map(\.jsonValue))
    }

    /// Compact JSON text of the patch.
    public var description: String { String(decoding: serializedBytes(), as: UTF8.self) }

    /// The patch as compact JSON bytes: the bytes of `jsonValue.serializedBytes()`, written without
    /// building that tree (the admission response and `guardctl check`'s report write every patch).
    public func serializedBytes() -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(64 * operations.count + 2)
        write(into: &output)
        return output
    }

    /// Appends the patch as compact JSON to `output` (see ``serializedBytes()``).
    public func write(into output: inout [UInt8]) {
        output.append(UInt8(ascii: "["))
        for (index, operation) in operations.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            operation.write(into: &output)
        }
        output.append(UInt8(ascii: "]"))
    }

    /// Reads a patch from its JSON form.
    /// - Throws: ``KubeModelError`` `patchFailed` naming the malformed operation.
    public init(json: JSONValue) throws(KubeModelError) {
        guard case .array(let items) = json else {
            throw KubeModelError.patchFailed("a JSON Patch must be an array of operations, found \(json.typeDescription)")
        }
        var operations: [Operation] = []
        for (i, item) in items.enumerated() {
            func pointer(_ key: String) throws(KubeModelError) -> JSONPointer {
                guard let text = item[key]?.stringValue else {
                    throw KubeModelError.patchFailed("patch operation \(i) needs a string \"\(key)\"")
                }
                return try JSONPointer(parsing: text)
            }
            func value() throws(KubeModelError) -> JSONValue {
                guard let value = item["value"] else { throw KubeModelError.patchFailed("patch operation \(i) needs a \"value\"") }
                return value
            }
            switch item["op"]?.stringValue {
            case "add": operations.append(.add(try pointer("path"), try value()))
            case "remove": operations.append(.remove(try pointer("path")))
            case "replace": operations.append(.replace(try pointer("path"), try value()))
            case "move": operations.append(.move(from: try pointer("from"), path: try pointer("path")))
            case "copy": operations.append(.copy(from: try pointer("from"), path: try pointer("path")))
            case "test": operations.append(.test(try pointer("path"), try value()))
            default: throw KubeModelError.patchFailed("patch operation \(i) has no valid \"op\"")
            }
        }
        self.operations = operations
    }
}

extension JSONPatch.Operation {
    /// The RFC 6902 operation name.
    public var name: String {
        switch self {
        case .add: return "add"
        case .remove: return "remove"
        case .replace: return "replace"
        case .move: return "move"
        case .copy: return "copy"
        case .test: return "test"
        }
    }

    /// The operation's target location.
    public var path: JSONPointer {
        switch self {
        case .add(let p, _), .remove(let p), .replace(let p, _), .test(let p, _): return p
        case .move(_, let p), .copy(_, let p): return p
        }
    }

    /// The operation as a JSON object.
    public var jsonValue: JSONValue {
        var object: JSONObject = ["op": .string(name), "path": .string(path.description)]
        switch self {
        case .add(_, let v), .replace(_, let v), .test(_, let v): object["value"] = v
        case .move(let from, _), .copy(let from, _): object["from"] = .string(from.description)
        case .remove: break
        }
        return .object(object)
    }

    /// Appends the operation as compact JSON, members in ``jsonValue``'s order.
    func write(into output: inout [UInt8]) {
        output.append(contentsOf: #"{"op":"#.utf8)
        JSONValue.writeString(name, into: &output)
        output.append(contentsOf: #","path":"#.utf8)
        JSONValue.writeString(path.description, into: &output)
        switch self {
        case .add(_, let value), .replace(_, let value), .test(_, let value):
            output.append(contentsOf: #","value":"#.utf8)
            value.write(into: &output)
        case .move(let from, _), .copy(let from, _):
            output.append(contentsOf: #","from":"#.utf8)
            JSONValue.writeString(from.description, into: &output)
        case .remove: break
        }
        output.append(UInt8(ascii: "}"))
    }

    func apply(to document: inout JSONValue) throws(KubeModelError) {
        switch self {
        case .add(let pointer, let value):
            try JSONPatch.add(value, at: pointer.tokens[...], in: &document)
        case .remove(let pointer):
            _ = try JSONPatch.remove(at: pointer.tokens[...], in: &document)
        case .replace(let pointer, let value):
            guard document[pointer: pointer] != nil else {
                throw KubeModelError.patchFailed("replace target does not exist")
            }
            try JSONPatch.add(value, at: pointer.tokens[...], in: &document, replacing: true)
        case .move(let from, let to):
            if from == to { return }
            if from.isPrefix(of: to) {
                throw KubeModelError.patchFailed("cannot move \(from) into its own child \(to)")
            }
            let value = try JSONPatch.remove(at: from.tokens[...], in: &document)
            try JSONPatch.add(value, at: to.tokens[...], in: &document)
        case .copy(let from, let to):
            guard let value = document[pointer: from] else {
                throw KubeModelError.patchFailed("\"from\" location \(from) does not exist")
            }
            try JSONPatch.add(value, at: to.tokens[...], in: &document)
        case .test(let pointer, let expected):
            guard let actual = document[pointer: pointer] else {
                throw KubeModelError.patchFailed("test location does not exist")
            }
            guard actual == expected else { throw KubeModelError.patchFailed("test failed: value differs") }
        }
    }
}

extension JSONPatch {
    static func add(_ value: JSONValue, at tokens: ArraySlice<String>, in document: inout JSONValue,
                    replacing: Bool = false) throws(KubeModelError) {
        guard let token = tokens.first else { document = value; return }
        let rest = tokens.dropFirst()
        switch document {
        case .object(var object):
            document = .null
            defer { document = .object(object) }
            if rest.isEmpty {
                object[token] = value
            } else {
                guard var child = object[token] else { throw missing(token) }
                object[token] = .null
                defer { object[token] = child }
                try add(value, at: rest, in: &child, replacing: replacing)
            }
        case .array(var array):
            document = .null
            defer { document = .array(array) }
            if rest.isEmpty {
                if token == "-" && !replacing { array.append(value); return }
                guard let i = JSONPointer.arrayIndex(token), i <= array.count, !replacing || i < array.count else {
                    throw badIndex(token, array.count)
                }
                if replacing { array[i] = value } else { array.insert(value, at: i) }
            } else {
                guard let i = JSONPointer.arrayIndex(token), i < array.count else { throw badIndex(token, array.count) }
                var child = array[i]
                array[i] = .null
                defer { array[i] = child }
                try add(value, at: rest, in: &child, replacing: replacing)
            }
        default:
            throw KubeModelError.patchFailed("cannot descend into \(document.typeDescription) at \"\(token)\"")
        }
    }

    static func remove(at tokens: ArraySlice<String>, in document: inout JSONValue) throws(KubeModelError) -> JSONValue {
        guard let token = tokens.first else {
            throw KubeModelError.patchFailed("cannot remove the whole document")
        }
        let rest = tokens.dropFirst()
        switch document {
        case .object(var object):
            document = .null
            defer { document = .object(object) }
            if rest.isEmpty {
                guard let removed = object.removeValue(forKey: token) else { throw missing(token) }
                return removed
            }
            guard var child = object[token] else { throw missing(token) }
            object[token] = .null
            defer { object[token] = child }
            return try remove(at: rest, in: &child)
        case .array(var array):
            document = .null
            defer { document = .array(array) }
            guard let i = JSONPointer.arrayIndex(token), i < array.count else { throw badIndex(token, array.count) }
            if rest.isEmpty { return array.remove(at: i) }
            var child = array[i]
            array[i] = .null
            defer { array[i] = child }
            return try remove(at: rest, in: &child)
        default:
            throw KubeModelError.patchFailed("cannot descend into \(document.typeDescription) at \"\(token)\"")
        }
    }

    private static func missing(_ token: String) -> KubeModelError {
        KubeModelError.patchFailed("member \"\(token)\" does not exist")
    }

    private static func badIndex(_ token: String, _ count: Int) -> KubeModelError {
        KubeModelError.patchFailed("\"\(token)\" is not a valid index for an array of \(count) elements")
    }
}

extension JSONPatch {
    /// An upper bound of the bytes ``jsonValue`` serializes to, found without serializing: every
    /// string counted as if each byte needed a six-byte escape. Cheap enough for every decision, so a
    /// budget check serializes only the rare patch whose bound is over it.
    public var serializedSizeBound: Int {
        var total = 2
        for operation in operations {
            // {"op":"replace","path":"…","from":"…","value":…} with every token escaped.
            total += 48
            total += operation.path.tokens.reduce(0) { $0 + 1 + 6 * $1.utf8.count }
            switch operation {
            case .add(_, let value), .replace(_, let value), .test(_, let value): total += value.serializedSizeBound
            case .move(let from, _), .copy(let from, _): total += from.tokens.reduce(2) { $0 + 1 + 6 * $1.utf8.count }
            case .remove: break
            }
        }
        return total
    }
}

extension JSONValue {
    /// An upper bound of the bytes ``serializedBytes(_:)`` gives (compact form), without serializing.
    public var serializedSizeBound: Int {
        switch self {
        case .null, .bool: return 5
        case .int: return 20
        case .double: return 32
        case .string(let text): return 2 + 6 * text.utf8.count
        case .array(let items): return items.reduce(2) { $0 + 1 + $1.serializedSizeBound }
        case .object(let members): return members.reduce(2) { $0 + 2 + 6 * $1.key.utf8.count + 2 + $1.value.serializedSizeBound }
        }
    }
}
