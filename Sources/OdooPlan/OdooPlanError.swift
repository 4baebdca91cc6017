import KubeModel

/// The one error type of `OdooPlan`.
///
/// Callers match on ``code``; ``fieldErrors`` lists every problem of the input with its JSON path,
/// and ``description`` renders them one per line under the message.
public struct OdooPlanError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: String, Sendable, Equatable {
        case invalidEnvironment
        case invalidConfiguration
        case exceedsTier
        case invalidRelease
    }

    /// A sentence naming the input and the problem.
    public let message: String
    /// Every field problem, with its path.
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

    /// The OdooEnvironment has invalid fields; see ``OdooPlanError/fieldErrors``.
    public static let invalidEnvironment = Self(.invalidEnvironment, "")
    /// `invalidEnvironment` with its message, and the error underneath when there is one.
    public static func invalidEnvironment(_ message: String, fieldErrors: [FieldError] = [], cause: (any Error)? = nil) -> Self {
        Self(.invalidEnvironment, message, fieldErrors: fieldErrors, cause: cause)
    }

    /// The operator's configuration has invalid fields; see ``OdooPlanError/fieldErrors``.
    public static let invalidConfiguration = Self(.invalidConfiguration, "")
    /// `invalidConfiguration` with its message, and the error underneath when there is one.
    public static func invalidConfiguration(_ message: String, fieldErrors: [FieldError] = [], cause: (any Error)? = nil) -> Self {
        Self(.invalidConfiguration, message, fieldErrors: fieldErrors, cause: cause)
    }

    /// The environment asks for more than its tier allows (quota, server, storage class).
    public static let exceedsTier = Self(.exceedsTier, "")
    /// `exceedsTier` with its message, and the error underneath when there is one.
    public static func exceedsTier(_ message: String, fieldErrors: [FieldError] = [], cause: (any Error)? = nil) -> Self {
        Self(.exceedsTier, message, fieldErrors: fieldErrors, cause: cause)
    }

    /// The OdooRelease has invalid fields; see ``OdooPlanError/fieldErrors``.
    public static let invalidRelease = Self(.invalidRelease, "")
    /// `invalidRelease` with its message, and the error underneath when there is one.
    public static func invalidRelease(_ message: String, fieldErrors: [FieldError] = [], cause: (any Error)? = nil) -> Self {
        Self(.invalidRelease, message, fieldErrors: fieldErrors, cause: cause)
    }

    /// Errors match by kind (as the static constants name them), whatever their message.
    public static func == (lhs: OdooPlanError, rhs: OdooPlanError) -> Bool { lhs.code == rhs.code }

    /// The message, then one line per field error.
    public var description: String {
        ([message] + fieldErrors.map { "  \($0)" }).joined(separator: "\n")
    }
}
