import KubeModel

/// The one error type of `TraefikGen`.
///
/// Callers match on ``code``; ``fieldErrors`` lists every problem of an input with its path, and
/// ``description`` renders them one per line, prefixed by the input's name when known.
public struct TraefikGenError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: String, Sendable, Equatable {
        case invalidSpec
        case invalidValue
        case unsupportedDocument
        case duplicateEnvironment
    }

    /// A sentence naming the input and the problem.
    public let message: String
    /// Every field problem, for ``Code/invalidSpec``.
    public let fieldErrors: [FieldError]

    private let code: Code
    /// The error underneath (a transport, database or parser error), kept as a value; `nil` when there is none.
    public let cause: (any Error)?

    private init(_ code: Code, _ message: String, fieldErrors: [FieldError] = [], cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.fieldErrors = fieldErrors
        self.cause = cause
    }


    /// A routing spec or OdooEnvironment has invalid fields; see ``TraefikGenError/fieldErrors``.
    public static let invalidSpec = Self(.invalidSpec, "")
    /// `invalidSpec` with its message, and the error underneath when there is one.
    public static func invalidSpec(_ message: String, fieldErrors: [FieldError] = [], cause: (any Error)? = nil) -> Self {
        Self(.invalidSpec, message, fieldErrors: fieldErrors, cause: cause)
    }

    /// A single value (a CIDR, a host, a duration, a size) is malformed; the message says how.
    public static let invalidValue = Self(.invalidValue, "")
    /// `invalidValue` with its message, and the error underneath when there is one.
    public static func invalidValue(_ message: String, fieldErrors: [FieldError] = [], cause: (any Error)? = nil) -> Self {
        Self(.invalidValue, message, fieldErrors: fieldErrors, cause: cause)
    }

    /// A document is neither an OdooEnvironment nor a routing spec.
    public static let unsupportedDocument = Self(.unsupportedDocument, "")
    /// `unsupportedDocument` with its message, and the error underneath when there is one.
    public static func unsupportedDocument(_ message: String, fieldErrors: [FieldError] = [], cause: (any Error)? = nil) -> Self {
        Self(.unsupportedDocument, message, fieldErrors: fieldErrors, cause: cause)
    }

    /// Two inputs describe the same environment (namespace and name), so their objects would collide.
    public static let duplicateEnvironment = Self(.duplicateEnvironment, "")
    /// `duplicateEnvironment` with its message, and the error underneath when there is one.
    public static func duplicateEnvironment(_ message: String, fieldErrors: [FieldError] = [], cause: (any Error)? = nil) -> Self {
        Self(.duplicateEnvironment, message, fieldErrors: fieldErrors, cause: cause)
    }

    /// Errors match by kind (as the static constants name them), whatever their message.
    public static func == (lhs: TraefikGenError, rhs: TraefikGenError) -> Bool { lhs.code == rhs.code }

    /// The message, then one line per field error.
    public var description: String {
        ([message] + fieldErrors.map { "  \($0)" }).joined(separator: "\n")
    }
}
