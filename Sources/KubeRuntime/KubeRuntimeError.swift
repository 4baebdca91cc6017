/// The one error type of `KubeRuntime`.
public struct KubeRuntimeError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: String, Sendable, Equatable {
        case terminal
        case invalidConfiguration
    }

    /// A sentence for people.
    public let message: String

    private let code: Code
    /// The error underneath (a transport, database or parser error), kept as a value; `nil` when there is none.
    public let cause: (any Error)?

    private init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }


    /// A reconcile failed in a way retrying cannot fix (an invalid spec): the controller logs it and does not requeue until the object changes.
    public static let terminal = Self(.terminal, "")
    /// `terminal` with its message, and the error underneath when there is one.
    public static func terminal(_ message: String, cause: (any Error)? = nil) -> Self { Self(.terminal, message, cause: cause) }

    /// A runtime part was configured wrongly (empty lease name, zero workers, bad selector).
    public static let invalidConfiguration = Self(.invalidConfiguration, "")
    /// `invalidConfiguration` with its message, and the error underneath when there is one.
    public static func invalidConfiguration(_ message: String, cause: (any Error)? = nil) -> Self {
        Self(.invalidConfiguration, message, cause: cause)
    }

    /// Errors match by kind (as the static constants name them), whatever their message.
    public static func == (lhs: KubeRuntimeError, rhs: KubeRuntimeError) -> Bool { lhs.code == rhs.code }

    /// The message.
    public var description: String { message }
}
