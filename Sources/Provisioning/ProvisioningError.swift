/// Why provisioning a tenant's database or Redis user failed.
public struct ProvisioningError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: String, Sendable, Equatable {
        case invalidName
        case unreachable
        case refused
        case ownershipConflict
        case invalidInput
    }

    /// The kind.
    /// What failed, with the server's own message; never a password.
    public let message: String

    private let code: Code
    /// The error underneath (a transport, database or parser error), kept as a value; `nil` when there is none.
    public let cause: (any Error)?

    private init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// A name cannot be used as an SQL identifier or Redis user (it would need quoting odoo-guard refuses, or is too long).
    public static let invalidName = Self(.invalidName, "")
    /// `invalidName` with its message, and the error underneath when there is one.
    public static func invalidName(_ message: String, cause: (any Error)? = nil) -> Self { Self(.invalidName, message, cause: cause) }

    /// The server could not be reached or refused the login.
    public static let unreachable = Self(.unreachable, "")
    /// `unreachable` with its message, and the error underneath when there is one.
    public static func unreachable(_ message: String, cause: (any Error)? = nil) -> Self { Self(.unreachable, message, cause: cause) }

    /// The server refused a statement or command.
    public static let refused = Self(.refused, "")
    /// `refused` with its message, and the error underneath when there is one.
    public static func refused(_ message: String, cause: (any Error)? = nil) -> Self { Self(.refused, message, cause: cause) }

    /// The role, database or user exists and belongs to someone else (another environment, or nothing odoo-guard created).
    public static let ownershipConflict = Self(.ownershipConflict, "")
    /// `ownershipConflict` with its message, and the error underneath when there is one.
    public static func ownershipConflict(_ message: String, cause: (any Error)? = nil) -> Self { Self(.ownershipConflict, message, cause: cause) }

    /// A value the caller passed cannot be used (an empty password, a malformed DSN).
    public static let invalidInput = Self(.invalidInput, "")
    /// `invalidInput` with its message, and the error underneath when there is one.
    public static func invalidInput(_ message: String, cause: (any Error)? = nil) -> Self { Self(.invalidInput, message, cause: cause) }

    /// Errors match by kind (as the static constants name them), whatever their message.
    public static func == (lhs: ProvisioningError, rhs: ProvisioningError) -> Bool { lhs.code == rhs.code }

    /// The message.
    public var description: String { message }
}
