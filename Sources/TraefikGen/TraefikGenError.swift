import KubeModel

/// The one error type of `TraefikGen`.
///
/// Callers match on ``code``; ``fieldErrors`` lists every problem of an input with its path, and
/// ``description`` renders them one per line, prefixed by the input's name when known.
public struct TraefikGenError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable {
        /// A routing spec or OdooEnvironment has invalid fields; see ``TraefikGenError/fieldErrors``.
        case invalidSpec
        /// A single value (a CIDR, a host, a duration, a size) is malformed; the message says how.
        case invalidValue
        /// A document is neither an OdooEnvironment nor a routing spec.
        case unsupportedDocument
        /// Two inputs describe the same environment (namespace and name), so their objects would collide.
        case duplicateEnvironment
    }

    /// What went wrong.
    public let code: Code
    /// A sentence naming the input and the problem.
    public let message: String
    /// Every field problem, for ``Code/invalidSpec``.
    public let fieldErrors: [FieldError]

    /// Creates an error.
    public init(_ code: Code, _ message: String, fieldErrors: [FieldError] = []) {
        self.code = code
        self.message = message
        self.fieldErrors = fieldErrors
    }

    /// A malformed value.
    static func invalidValue(_ message: String) -> TraefikGenError { TraefikGenError(.invalidValue, message) }

    /// The message, then one line per field error.
    public var description: String {
        ([message] + fieldErrors.map { "  \($0)" }).joined(separator: "\n")
    }
}
