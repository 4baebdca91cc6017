import PostgresAccess

/// Why the audit trail could not be configured, written or verified. Descriptions never contain a
/// password: DSNs are shown redacted.
public struct AuditTrailError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Sendable, Equatable {
        case invalidTableName
        case database
        case malformedRow
        case invalidKey
        case invalidCheckpoint
    }

    /// What went wrong, naming the DSN part, table or row.
    public let message: String
    private let code: Code
    /// The error underneath (a transport, database or parser error), kept as a value; `nil` when there is none.
    public let cause: (any Error)?

    private init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }



    /// The audit table name is not a plain SQL identifier (`[a-z_][a-z0-9_]*`, at most 63 bytes).
    public static let invalidTableName = Self(.invalidTableName, "")
    /// `invalidTableName` with its message, and the error underneath when there is one.
    public static func invalidTableName(_ message: String, cause: (any Error)? = nil) -> Self { Self(.invalidTableName, message, cause: cause) }

    /// PostgreSQL refused a connection or a statement; the message carries the server's own words.
    public static let database = Self(.database, "")
    /// `database` with its message, and the error underneath when there is one.
    public static func database(_ message: String, cause: (any Error)? = nil) -> Self { Self(.database, message, cause: cause) }

    /// A row of the audit table does not have the columns and types the chain needs.
    public static let malformedRow = Self(.malformedRow, "")
    /// `malformedRow` with its message, and the error underneath when there is one.
    public static func malformedRow(_ message: String, cause: (any Error)? = nil) -> Self { Self(.malformedRow, message, cause: cause) }

    /// The audit key file cannot be read or is shorter than ``AuditKey/minimumBytes``.
    public static let invalidKey = Self(.invalidKey, "")
    /// `invalidKey` with its message, and the error underneath when there is one.
    public static func invalidKey(_ message: String, cause: (any Error)? = nil) -> Self { Self(.invalidKey, message, cause: cause) }

    /// A checkpoint log line is incomplete, or (with a key) not authenticated by it.
    public static let invalidCheckpoint = Self(.invalidCheckpoint, "")
    /// `invalidCheckpoint` with its message, and the error underneath when there is one.
    public static func invalidCheckpoint(_ message: String, cause: (any Error)? = nil) -> Self { Self(.invalidCheckpoint, message, cause: cause) }

    /// Errors match by kind (as the static constants name them), whatever their message.
    public static func == (lhs: AuditTrailError, rhs: AuditTrailError) -> Bool { lhs.code == rhs.code }

    /// A database that cannot be used with `dsn`'s settings.
    static func unusableDSN(_ error: PostgresAccessError) -> AuditTrailError {
        AuditTrailError(.database, error.message, cause: error)
    }

    /// The audit table name is not a plain SQL identifier (`[a-z_][a-z0-9_]*`, at most 63 bytes).
    /// PostgreSQL refused a connection or a statement; the message carries the server's own words.
    /// A row of the audit table does not have the columns and types the chain needs.
    /// The audit key file cannot be read or is shorter than ``AuditKey/minimumBytes``.
    /// A checkpoint log line is incomplete, or (with a key) not authenticated by it.

    /// A checkpoint file that cannot be read.
    public static func checkpointFileUnreadable(_ path: String) -> AuditTrailError {
        AuditTrailError(.invalidCheckpoint, "the checkpoint file \(path) cannot be read")
    }


    /// The message.
    public var description: String { message }
}
