/// Why provisioning a tenant's database or Redis user failed.
public struct ProvisioningError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: String, Sendable {
        /// A name cannot be used as an SQL identifier or Redis user (it would need quoting odoo-guard
        /// refuses, or is too long).
        case invalidName
        /// The server could not be reached or refused the login.
        case unreachable
        /// The server refused a statement or command.
        case refused
        /// The role, database or user exists and belongs to someone else (another environment, or
        /// nothing odoo-guard created).
        case ownershipConflict
        /// A value the caller passed cannot be used (an empty password, a malformed DSN).
        case invalidInput
    }

    /// The kind.
    public let code: Code
    /// What failed, with the server's own message; never a password.
    public let message: String

    /// An error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
