import KubeModel

/// The JSON type a rule expects at a field, and how many entries a list may hold. A shape is declared
/// as this tree and walked as a ``CompiledShape``.
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

    /// The value's type, and a string's first characters, for a message.
    static func shown(_ value: JSONValue) -> String {
        guard case .string(let text) = value else { return value.typeDescription }
        return "\"\(text.prefix(40))\(text.count > 40 ? "…" : "")\""
    }
}

/// The named members of an object ``Shape``, in the order they were declared.
struct ShapeMembers: Sendable {
    let keys: [String]
    let shapes: [Shape]

    init(_ members: KeyValuePairs<String, Shape>) {
        keys = members.map(\.key)
        shapes = members.map(\.value)
    }
}
