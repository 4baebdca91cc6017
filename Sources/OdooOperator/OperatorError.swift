/// The one error type of `OdooOperator`.
public struct OperatorError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: String, Sendable, Equatable {
        case invalidConfiguration
        case imageResolution
        case provisioning
    }

    /// A sentence naming the input and the problem.
    public let message: String

    private let code: Code
    /// The error underneath (a transport, database or parser error), kept as a value; `nil` when there is none.
    public let cause: (any Error)?

    private init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// The operator's own settings are unusable (configuration file, policy file, flags).
    public static let invalidConfiguration = Self(.invalidConfiguration, "")
    /// `invalidConfiguration` with its message, and the error underneath when there is one.
    public static func invalidConfiguration(_ message: String, cause: (any Error)? = nil) -> Self {
        Self(.invalidConfiguration, message, cause: cause)
    }

    /// An image tag could not be resolved to a digest; the message says why (not found, no access, registry unreachable).
    public static let imageResolution = Self(.imageResolution, "")
    /// `imageResolution` with its message, and the error underneath when there is one.
    public static func imageResolution(_ message: String, cause: (any Error)? = nil) -> Self { Self(.imageResolution, message, cause: cause) }

    /// A tenant's database or Redis user could not be provisioned or released; the message has the server's own error.
    public static let provisioning = Self(.provisioning, "")
    /// `provisioning` with its message, and the error underneath when there is one.
    public static func provisioning(_ message: String, cause: (any Error)? = nil) -> Self { Self(.provisioning, message, cause: cause) }

    /// Errors match by kind (as the static constants name them), whatever their message.
    public static func == (lhs: OperatorError, rhs: OperatorError) -> Bool { lhs.code == rhs.code }

    /// The message.
    public var description: String { message }
}
