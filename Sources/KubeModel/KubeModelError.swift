/// The one error type of `KubeModel`: bad input to a parser, a pointer, a patch, a quantity, a selector,
/// an image reference or a policy.
///
/// Callers match on ``code``; ``description`` names the input and, for documents, the position
/// (document index and line) so a person can find the problem.
public struct KubeModelError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable, Equatable {
        /// Text that is not valid JSON (position in ``KubeModelError/line``/``KubeModelError/column``).
        case invalidJSON
        /// Text that is not valid YAML, or YAML that has no JSON equivalent (non-scalar keys, NaN).
        case invalidYAML
        /// Bytes that are not valid UTF-8.
        case invalidUTF8
        /// Nesting deeper than ``JSONLimits/maxDepth`` or more values than ``JSONLimits/maxValues``.
        case limitExceeded
        /// A JSON Pointer that is malformed (RFC 6901) or names a location that does not exist.
        case invalidPointer
        /// A JSON Patch that is malformed or does not apply (RFC 6902), including a failed `test`.
        case patchFailed
        /// A `resource.Quantity` that Kubernetes would reject.
        case invalidQuantity
        /// A label selector that Kubernetes would reject.
        case invalidSelector
        /// A container image reference that a container runtime would reject.
        case invalidImageReference
        /// A value of the wrong type or shape for what the caller expected.
        case invalidObject
    }

    /// What went wrong.
    public let code: Code
    /// A sentence naming the input and the problem.
    public let message: String
    /// The 1-based document index in a multi-document stream, when known.
    public var document: Int?
    /// The 1-based line, when known.
    public var line: Int?
    /// The 1-based column, when known.
    public var column: Int?

    /// Creates an error.
    public init(_ code: Code, _ message: String, document: Int? = nil, line: Int? = nil, column: Int? = nil) {
        self.code = code
        self.message = message
        self.document = document
        self.line = line
        self.column = column
    }

    /// The message with its position: `document 2, line 14, column 3: …`.
    public var description: String {
        var position: [String] = []
        if let document { position.append("document \(document)") }
        if let line { position.append("line \(line)") }
        if let column { position.append("column \(column)") }
        return position.isEmpty ? message : position.joined(separator: ", ") + ": " + message
    }
}

/// Bounds every parser in `KubeModel` enforces, so hostile input gets an error instead of
/// exhausting the stack or memory.
public enum JSONLimits {
    /// Deepest nesting of arrays and objects accepted (Kubernetes objects stay far below this).
    public static let maxDepth = 512
    /// Most values one YAML document may expand to (aliases make small text large); JSON input is
    /// bounded by its size instead.
    public static let maxValues = 1_000_000
}
