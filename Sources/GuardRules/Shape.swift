import KubeModel

/// The JSON type a rule expects at a field, and how many entries a list may hold.
///
/// Rules read fields leniently (a value of the wrong type reads as absent); a shape is checked first so
/// that such a value is a denial naming its path instead of a rule that silently does not run
/// (`containers` sent as an object would otherwise skip every container rule). `null` is always
/// accepted as "not set", as the API server treats it. Members a shape does not name are not looked at.
indirect enum Shape: Sendable {
    /// Any value.
    case any
    /// A string.
    case string
    /// `true` or `false`.
    case bool
    /// An integer (a float with no fraction counts, as JSON numbers do).
    case integer
    /// An integer or a string of digits followed by `%` (PDB `minAvailable`/`maxUnavailable`).
    case intOrPercent
    /// An object whose named members have these shapes (see ``object(_:)``).
    case members(ShapeMembers)
    /// An object whose every member has this shape (labels, `data`, `limits`).
    case map(Shape)
    /// A list of at most `limit` elements of this shape.
    case list(Shape, limit: Int)
    /// A `resources.requests` or `resources.limits` map: every member a quantity, parsed once for the
    /// shape and for the rules (``PodFacts``).
    case quantities(QuantityMap)
    /// A value of this shape whose facts the walk gathers into ``PodFacts`` (see ``ShapeSlot``).
    case capture(ShapeSlot, Shape)

    /// Which map a ``quantities(_:)`` shape is.
    enum QuantityMap: Sendable {
        case requests, limits
    }

    /// An object whose named members have these shapes.
    static func object(_ members: KeyValuePairs<String, Shape>) -> Shape { .members(ShapeMembers(members)) }

    /// One problem found by a walk.
    struct Problem: Sendable, Equatable {
        let path: FieldPath
        let message: String
        /// The value is beyond a size budget (not just of the wrong type).
        let overBudget: Bool
    }

    /// Walks `value`, found at `path`, with a walk state shared by several parts of one object:
    /// records every place where it does not fit, stopping at the first problem of each branch.
    /// Linear in the size of the value; lists beyond their limit are not descended into.
    func walk(_ value: JSONValue, from path: FieldPath, _ state: inout ShapeWalk) {
        state.restart(at: path)
        walk(value, &state)
    }

    /// The walk: `state.trail` is the current location, extended and restored around each step, and
    /// turned into a ``FieldPath`` only for a problem, so a well-formed object costs no path allocations.
    func walk(_ value: JSONValue, _ state: inout ShapeWalk) {
        if case .capture(let slot, let inner) = self {
            // Before the null check: a member set to null is a fact too (`runAsNonRoot: null`).
            state.enter(slot, value)
            inner.walk(value, &state)
            state.leave(slot)
            return
        }
        if value.isNull { return }
        switch self {
        case .any:
            return
        case .string:
            guard case .string = value else { return report("must be a string, found \(Self.shown(value))", &state) }
        case .bool:
            guard case .bool = value else { return report("must be true or false, found \(Self.shown(value))", &state) }
        case .integer:
            guard value.intValue != nil else { return report("must be an integer, found \(Self.shown(value))", &state) }
        case .intOrPercent:
            guard IntOrPercent(json: value) != nil else {
                return report("must be an integer or a percentage such as \"25%\", found \(Self.shown(value))", &state)
            }
        case .quantities(let map):
            guard case .object(let object) = value else { return report("must be an object, found \(Self.shown(value))", &state) }
            for (key, member) in object where !member.isNull {
                do {
                    state.quantity(try Quantity(json: member), named: key, in: map)
                } catch {
                    state.trail.append(.key(key))
                    report(error.message, &state)
                    state.trail.removeLast()
                }
            }
        case .capture:
            return
        case .members(let members):
            guard case .object(let object) = value else { return report("must be an object, found \(Self.shown(value))", &state) }
            // In the document's order, so the same object always gives the same findings in the same order.
            object.forEachMember { key, member in
                guard let index = members.index(of: key) else { return }
                state.trail.append(.key(key))
                members.shapes[index].walk(member, &state)
                state.trail.removeLast()
            }
        case .map(let element):
            guard case .object(let object) = value else { return report("must be an object, found \(Self.shown(value))", &state) }
            object.forEachMember { key, member in
                state.trail.append(.key(key))
                element.walk(member, &state)
                state.trail.removeLast()
            }
        case .list(let element, let limit):
            guard case .array(let items) = value else { return report("must be a list, found \(Self.shown(value))", &state) }
            guard items.count <= limit else {
                return report("has \(items.count) entries; at most \(limit) are accepted", &state, overBudget: true)
            }
            items.withUnsafeBufferPointer { items in
                for index in items.indices {
                    state.trail.append(.index(index))
                    element.walk(items[index], &state)
                    state.trail.removeLast()
                }
            }
        }
    }

    private func report(_ message: String, _ state: inout ShapeWalk, overBudget: Bool = false) {
        state.problems.append(Problem(path: FieldPath(state.trail), message: message, overBudget: overBudget))
    }

    /// The value's type, and a string's first characters, for a message.
    private static func shown(_ value: JSONValue) -> String {
        guard case .string(let text) = value else { return value.typeDescription }
        return "\"\(text.prefix(40))\(text.count > 40 ? "…" : "")\""
    }
}

/// The named members of an object ``Shape``: a handful of keys found by a scan that compares a key's
/// length before its bytes, cheaper than hashing every key of every object walked.
final class ShapeMembers: Sendable {
    let keys: [String]
    let lengths: [Int]
    let shapes: [Shape]

    init(_ members: KeyValuePairs<String, Shape>) {
        keys = members.map(\.key)
        lengths = members.map(\.key.utf8.count)
        shapes = members.map(\.value)
    }

    /// The index of `key`, or `nil` when the shape does not name it.
    func index(of key: String) -> Int? {
        let length = key.utf8.count
        return lengths.withUnsafeBufferPointer { lengths in
            keys.withUnsafeBufferPointer { keys in
                for index in lengths.indices where lengths[index] == length && keys[index] == key { return index }
                return nil
            }
        }
    }
}
