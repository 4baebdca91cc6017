import PostgresAccess

/// Why the audit trail could not be configured, written or verified. Descriptions never contain a
/// password: DSNs are shown redacted.
public struct AuditTrailError: Error, Sendable, Equatable, CustomStringConvertible {
    enum Code: Sendable, Equatable {
        case invalidDSN
        case invalidTableName
        case database
        case malformedRow
        case invalidKey
        case invalidCheckpoint
    }

    let code: Code
    /// What went wrong, naming the DSN part, table or row.
    public let message: String
    /// The error underneath (postgres-nio's, the DSN's), kept as a value.
    public let cause: (any Error & Sendable)?

    init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// A database that cannot be used with `dsn`'s settings.
    static func unusableDSN(_ error: PostgresAccessError) -> AuditTrailError {
        AuditTrailError(.database, error.message, cause: error)
    }

    /// The `--audit-dsn`/`--dsn` value is not a `postgres://` URL odoo-guard can use.
    public static let invalidDSN = AuditTrailError(.invalidDSN, "")
    /// The audit table name is not a plain SQL identifier (`[a-z_][a-z0-9_]*`, at most 63 bytes).
    public static let invalidTableName = AuditTrailError(.invalidTableName, "")
    /// PostgreSQL refused a connection or a statement; the message carries the server's own words.
    public static let database = AuditTrailError(.database, "")
    /// A row of the audit table does not have the columns and types the chain needs.
    public static let malformedRow = AuditTrailError(.malformedRow, "")
    /// The audit key file cannot be read or is shorter than ``AuditKey/minimumBytes``.
    public static let invalidKey = AuditTrailError(.invalidKey, "")
    /// A checkpoint log line is incomplete, or (with a key) not authenticated by it.
    public static let invalidCheckpoint = AuditTrailError(.invalidCheckpoint, "")

    /// A checkpoint file that cannot be read.
    public static func checkpointFileUnreadable(_ path: String) -> AuditTrailError {
        AuditTrailError(.invalidCheckpoint, "the checkpoint file \(path) cannot be read")
    }

    /// Errors match by kind, whatever their message.
    public static func == (lhs: AuditTrailError, rhs: AuditTrailError) -> Bool { lhs.code == rhs.code }

    /// The message.
    public var description: String { message }
}
