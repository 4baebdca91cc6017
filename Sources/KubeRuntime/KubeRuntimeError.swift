/// The one error type of `KubeRuntime`.
public struct KubeRuntimeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable, Equatable {
        /// A reconcile failed in a way retrying cannot fix (an invalid spec): the controller logs
        /// it and does not requeue until the object changes.
        case terminal
        /// A runtime part was configured wrongly (empty lease name, zero workers, bad selector).
        case invalidConfiguration
    }

    /// What went wrong.
    public let code: Code
    /// A sentence for people.
    public let message: String

    /// An error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// A reconcile failure that must not be retried until the object changes.
    public static func terminal(_ message: String) -> KubeRuntimeError { KubeRuntimeError(.terminal, message) }

    /// The message.
    public var description: String { message }
}
