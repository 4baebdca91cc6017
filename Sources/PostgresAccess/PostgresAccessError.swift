/// Why a PostgreSQL connection string cannot be used. Descriptions never contain the password: DSNs
/// are shown redacted.
public struct PostgresAccessError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Sendable, Equatable {
        case invalidDSN
        case tlsSetup
    }

    private let code: Code
    /// What is wrong, naming the DSN part or the file.
    public let message: String
    /// The error underneath (the TLS library's), kept as a value.
    public let cause: (any Error)?

    private init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// The DSN is not a `postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=…` URL odoo-guard can use,
    /// or the file meant to hold one cannot be read or is empty.
    public static let invalidDSN = Self(.invalidDSN, "")

    /// The TLS context `sslmode=prefer|require` needs could not be built.
    public static let tlsSetup = Self(.tlsSetup, "")

    /// A TLS context that could not be built for `dsn`.
    static func tlsSetup(_ dsn: String, cause: any Error) -> PostgresAccessError {
        PostgresAccessError(.tlsSetup, "could not set up TLS for \(dsn): \(cause)", cause: cause)
    }

    /// An invalid DSN, with what is wrong with it.
    static func invalidDSN(_ message: String, cause: (any Error)? = nil) -> PostgresAccessError {
        PostgresAccessError(.invalidDSN, message, cause: cause)
    }

    /// Errors match by kind, whatever their message.
    public static func == (lhs: PostgresAccessError, rhs: PostgresAccessError) -> Bool { lhs.code == rhs.code }

    /// The message.
    public var description: String { message }
}
