/// The one error type of `KubeModel`: bad input to a parser, a pointer, a patch, a quantity, a selector,
/// an image reference or a policy.
///
/// Callers match on ``code``; ``description`` names the input and, for documents, the position
/// (document index and line) so a person can find the problem.
public struct KubeModelError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: String, Sendable, Equatable {
        case invalidJSON
        case invalidYAML
        case invalidUTF8
        case limitExceeded
        case invalidPointer
        case patchFailed
        case invalidQuantity
        case invalidSelector
        case invalidImageReference
        case invalidObject
    }

    /// A sentence naming the input and the problem.
    public let message: String
    /// The 1-based document index in a multi-document stream, when known.
    public var document: Int?
    /// The 1-based line, when known.
    public var line: Int?
    /// The 1-based column, when known.
    public var column: Int?

    private let code: Code
    /// The error underneath (a transport, database or parser error), kept as a value; `nil` when there is none.
    public let cause: (any Error)?

    private init(_ code: Code, _ message: String, document: Int? = nil, line: Int? = nil, column: Int? = nil, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.document = document
        self.line = line
        self.column = column
        self.cause = cause
    }

    /// Text that is not valid JSON (position in ``KubeModelError/line``/``KubeModelError/column``).
    public static let invalidJSON = Self(.invalidJSON, "")
    /// `invalidJSON` with its message, and the error underneath when there is one.
    public static func invalidJSON(_ message: String, document: Int? = nil, line: Int? = nil, column: Int? = nil, cause: (any Error)? = nil) -> Self {
        Self(.invalidJSON, message, document: document, line: line, column: column, cause: cause)
    }

    /// Text that is not valid YAML, or YAML that has no JSON equivalent (non-scalar keys, NaN).
    public static let invalidYAML = Self(.invalidYAML, "")
    /// `invalidYAML` with its message, and the error underneath when there is one.
    public static func invalidYAML(_ message: String, document: Int? = nil, line: Int? = nil, column: Int? = nil, cause: (any Error)? = nil) -> Self {
        Self(.invalidYAML, message, document: document, line: line, column: column, cause: cause)
    }

    /// Bytes that are not valid UTF-8.
    public static let invalidUTF8 = Self(.invalidUTF8, "")
    /// `invalidUTF8` with its message, and the error underneath when there is one.
    public static func invalidUTF8(_ message: String, document: Int? = nil, line: Int? = nil, column: Int? = nil, cause: (any Error)? = nil) -> Self {
        Self(.invalidUTF8, message, document: document, line: line, column: column, cause: cause)
    }

    /// Nesting deeper than ``JSONLimits/maxDepth`` or more values than ``JSONLimits/maxValues``.
    public static let limitExceeded = Self(.limitExceeded, "")
    /// `limitExceeded` with its message, and the error underneath when there is one.
    public static func limitExceeded(_ message: String, document: Int? = nil, line: Int? = nil, column: Int? = nil, cause: (any Error)? = nil) -> Self {
        Self(.limitExceeded, message, document: document, line: line, column: column, cause: cause)
    }

    /// A JSON Pointer that is malformed (RFC 6901) or names a location that does not exist.
    public static let invalidPointer = Self(.invalidPointer, "")
    /// `invalidPointer` with its message, and the error underneath when there is one.
    public static func invalidPointer(_ message: String, document: Int? = nil, line: Int? = nil, column: Int? = nil, cause: (any Error)? = nil) -> Self {
        Self(.invalidPointer, message, document: document, line: line, column: column, cause: cause)
    }

    /// A JSON Patch that is malformed or does not apply (RFC 6902), including a failed `test`.
    public static let patchFailed = Self(.patchFailed, "")
    /// `patchFailed` with its message, and the error underneath when there is one.
    public static func patchFailed(_ message: String, document: Int? = nil, line: Int? = nil, column: Int? = nil, cause: (any Error)? = nil) -> Self {
        Self(.patchFailed, message, document: document, line: line, column: column, cause: cause)
    }

    /// A `resource.Quantity` that Kubernetes would reject.
    public static let invalidQuantity = Self(.invalidQuantity, "")
    /// `invalidQuantity` with its message, and the error underneath when there is one.
    public static func invalidQuantity(_ message: String, document: Int? = nil, line: Int? = nil, column: Int? = nil, cause: (any Error)? = nil) -> Self {
        Self(.invalidQuantity, message, document: document, line: line, column: column, cause: cause)
    }

    /// A label selector that Kubernetes would reject.
    public static let invalidSelector = Self(.invalidSelector, "")
    /// `invalidSelector` with its message, and the error underneath when there is one.
    public static func invalidSelector(_ message: String, document: Int? = nil, line: Int? = nil, column: Int? = nil, cause: (any Error)? = nil) -> Self {
        Self(.invalidSelector, message, document: document, line: line, column: column, cause: cause)
    }

    /// A container image reference that a container runtime would reject.
    public static let invalidImageReference = Self(.invalidImageReference, "")
    /// `invalidImageReference` with its message, and the error underneath when there is one.
    public static func invalidImageReference(_ message: String, document: Int? = nil, line: Int? = nil, column: Int? = nil, cause: (any Error)? = nil) -> Self {
        Self(.invalidImageReference, message, document: document, line: line, column: column, cause: cause)
    }

    /// A value of the wrong type or shape for what the caller expected.
    public static let invalidObject = Self(.invalidObject, "")
    /// `invalidObject` with its message, and the error underneath when there is one.
    public static func invalidObject(_ message: String, document: Int? = nil, line: Int? = nil, column: Int? = nil, cause: (any Error)? = nil) -> Self {
        Self(.invalidObject, message, document: document, line: line, column: column, cause: cause)
    }

    /// Errors match by kind (as the static constants name them), whatever their message.
    public static func == (lhs: KubeModelError, rhs: KubeModelError) -> Bool { lhs.code == rhs.code }

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
