import KubeModel

/// One step of a field path: an object member, or a list item identified by its `name` key (the
/// associative lists of the API: containers, ports, env, volumes, …).
enum FieldStep: Hashable, Sendable {
    case member(String)
    case item(String)
}

/// A path to a field an owner manages, the unit of server-side apply's field ownership
/// (https://kubernetes.io/docs/reference/using-api/server-side-apply/#field-management).
typealias FieldPathKey = [FieldStep]

/// Field sets as server-side apply tracks them: leaves of objects, lists of objects with a `name`
/// merged by that key (each item itself is owned too), every other list atomic.
enum FieldSet {
    /// The paths `value` sets, below `prefix`.
    static func paths(of value: JSONValue, prefix: FieldPathKey = []) -> Set<FieldPathKey> {
        var result: Set<FieldPathKey> = []
        collect(value, prefix, into: &result)
        return result
    }

    private static func collect(_ value: JSONValue, _ prefix: FieldPathKey, into result: inout Set<FieldPathKey>) {
        switch value {
        case .object(let members) where !members.isEmpty:
            for (key, member) in members { collect(member, prefix + [.member(key)], into: &result) }
        case .array(let items) where isAssociative(items):
            for item in items {
                guard let name = item["name"]?.stringValue else { continue }
                let itemPath = prefix + [.item(name)]
                result.insert(itemPath)
                collect(item, itemPath, into: &result)
            }
        default:
            if !prefix.isEmpty { result.insert(prefix) }
        }
    }

    /// A non-empty list whose items are all objects with a string `name`.
    static func isAssociative(_ items: [JSONValue]) -> Bool {
        !items.isEmpty && items.allSatisfy { $0["name"]?.stringValue != nil }
    }

    /// The value at `path`, `nil` when absent.
    static func value(at path: FieldPathKey, in value: JSONValue) -> JSONValue? {
        var current = value
        for step in path {
            switch step {
            case .member(let key): guard let next = current[key] else { return nil }; current = next
            case .item(let name):
                guard let next = current.arrayValue?.first(where: { $0["name"]?.stringValue == name }) else { return nil }
                current = next
            }
        }
        return current
    }

    /// `value` without the field at `path` (an item path removes the whole item).
    static func removing(_ path: FieldPathKey, from value: JSONValue) -> JSONValue {
        guard let step = path.first else { return value }
        let rest = Array(path.dropFirst())
        switch (step, value) {
        case (.member(let key), .object(var members)):
            guard let member = members[key] else { return value }
            if rest.isEmpty { members.removeValue(forKey: key) } else { members[key] = removing(rest, from: member) }
            return .object(members)
        case (.item(let name), .array(var items)):
            guard let index = items.firstIndex(where: { $0["name"]?.stringValue == name }) else { return value }
            if rest.isEmpty { items.remove(at: index) } else { items[index] = removing(rest, from: items[index]) }
            return .array(items)
        default:
            return value
        }
    }

    /// `applied` merged into `base`: objects member by member, associative lists item by item (the
    /// applied order first), every other value replaced.
    static func merge(_ applied: JSONValue, into base: JSONValue) -> JSONValue {
        switch (applied, base) {
        case (.object(let patch), .object(var members)):
            for (key, value) in patch {
                members[key] = members[key].map { merge(value, into: $0) } ?? value
            }
            return .object(members)
        case (.array(let patch), .array(let items)) where isAssociative(patch) && isAssociative(items):
            var merged: [JSONValue] = []
            for item in patch {
                let name = item["name"]?.stringValue
                merged.append(items.first(where: { $0["name"]?.stringValue == name }).map { merge(item, into: $0) } ?? item)
            }
            let appliedNames = Set(patch.compactMap { $0["name"]?.stringValue })
            merged += items.filter { !appliedNames.contains($0["name"]?.stringValue ?? "") }
            return .array(merged)
        default:
            return applied
        }
    }

    /// The paths whose value differs between `old` and `new` (set or changed in `new`).
    static func changed(from old: JSONValue, to new: JSONValue) -> Set<FieldPathKey> {
        paths(of: new).filter { value(at: $0, in: new) != value(at: $0, in: old) }
    }

    /// The text form used in conflict messages (`.spec.containers[name="web"].image`).
    static func describe(_ path: FieldPathKey) -> String {
        path.map { step in
            switch step {
            case .member(let key): return "." + key
            case .item(let name): return "[name=\"\(name)\"]"
            }
        }.joined()
    }

    /// The `fieldsV1` trie of `managedFields` (`{"f:data": {"f:key": {}}}`, `k:{"name":"web"}` for items).
    static func fieldsV1(_ paths: Set<FieldPathKey>) -> JSONValue {
        var root: JSONValue = .object([:])
        for path in paths.sorted(by: { describe($0) < describe($1) }) {
            root = insert(path[...], into: root)
        }
        return root
    }

    private static func insert(_ path: ArraySlice<FieldStep>, into node: JSONValue) -> JSONValue {
        guard let step = path.first, case .object(var members) = node else { return node }
        let key: String
        switch step {
        case .member(let name): key = "f:" + name
        case .item(let name): key = "k:" + JSONValue.object(["name": .string(name)]).serialized()
        }
        var child = members[key] ?? .object([:])
        let rest = path.dropFirst()
        if !rest.isEmpty {
            child = insert(rest, into: child)
        } else if isItemStep(step), case .object(var itself) = child {
            itself["."] = .object([:])
            child = .object(itself)
        }
        members[key] = child
        return .object(members)
    }

    private static func isItemStep(_ step: FieldStep) -> Bool {
        if case .item = step { return true }
        return false
    }
}
