/// The one error type of `OdooOperator`.
public struct OperatorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable {
        /// The operator's own settings are unusable (configuration file, policy file, flags).
        case invalidConfiguration
        /// An image tag could not be resolved to a digest; the message says why (not found, no access,
        /// registry unreachable).
        case imageResolution
        /// A tenant's database or Redis user could not be provisioned or released; the message has
        /// the server's own error.
        case provisioning
    }

    /// What went wrong.
    public let code: Code
    /// A sentence naming the input and the problem.
    public let message: String

    /// An error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
