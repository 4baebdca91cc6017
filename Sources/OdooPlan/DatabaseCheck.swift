import Foundation

/// Whether the environment's database is usable, as the operator checked it.
public struct DatabaseCheck: Sendable, Equatable {
    /// Whether it is.
    public var ready: Bool
    /// CamelCase reason.
    public var reason: String
    /// What was found, with the server's own error when it failed.
    public var message: String

    /// A result.
    public init(ready: Bool, reason: String, message: String) {
        self.ready = ready
        self.reason = reason
        self.message = message
    }
}
