import KubeModel

/// The one error type of `OdooPlan`.
///
/// Callers match on ``code``; ``fieldErrors`` lists every problem of the input with its JSON path,
/// and ``description`` renders them one per line under the message.
public struct OdooPlanError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable {
        /// The OdooEnvironment has invalid fields; see ``OdooPlanError/fieldErrors``.
        case invalidEnvironment
        /// The operator's configuration has invalid fields; see ``OdooPlanError/fieldErrors``.
        case invalidConfiguration
        /// The environment asks for more than its tier allows (quota, server, storage class).
        case exceedsTier
    }

    /// What went wrong.
    public let code: Code
    /// A sentence naming the input and the problem.
    public let message: String
    /// Every field problem, with its path.
    public let fieldErrors: [FieldError]

    /// An error.
    public init(_ code: Code, _ message: String, fieldErrors: [FieldError] = []) {
        self.code = code
        self.message = message
        self.fieldErrors = fieldErrors
    }

    /// The message, then one line per field error.
    public var description: String {
        ([message] + fieldErrors.map { "  \($0)" }).joined(separator: "\n")
    }
}
