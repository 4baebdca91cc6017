import KubeModel
import Logging
import PostgresNIO

/// The audit table's SQL: one place for its name, its columns and the statements on it.
///
/// ```sql
/// CREATE TABLE odoo_guard_audit (
///   seq bigserial PRIMARY KEY, recorded_at timestamptz NOT NULL DEFAULT now(),
///   record text NOT NULL, prev_hash text NOT NULL, hash text NOT NULL)
/// ```
/// `record` is the decision's JSON text exactly as hashed (query it with `record::jsonb`).
public struct AuditTable: Sendable {
    /// The default table name.
    public static let defaultName = "odoo_guard_audit"
    /// The validated table name.
    public let name: String

    /// A table name: `[a-z_][a-z0-9_]*`, at most 63 bytes, so it never needs quoting rules of its own.
    /// - Throws: ``AuditTrailError/invalidTableName``.
    public init(_ name: String = AuditTable.defaultName) throws(AuditTrailError) {
        let bytes = Array(name.utf8)
        let valid = !bytes.isEmpty && bytes.count <= 63
            && bytes.enumerated().allSatisfy { index, byte in
                byte == 0x5F || (0x61...0x7A).contains(byte) || (index > 0 && (0x30...0x39).contains(byte))
            }
        guard valid else {
            throw AuditTrailError.invalidTableName("the audit table name \"\(name)\" must match [a-z_][a-z0-9_]* and be at most 63 characters")
        }
        self.name = name
    }

    /// Creates the table when missing. `CREATE TABLE IF NOT EXISTS` races with itself in PostgreSQL
    /// (two replicas starting together), so creation runs under a transaction-scoped advisory lock
    /// keyed by the table name.
    func create(on connection: PostgresConnection, logger: Logger) async throws {
        let key = Int64(bitPattern: StableHash.fnv1a(Array("odoo-guard audit table \(name)".utf8)))
        try await connection.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(key))", logger: logger)
            try await connection.query(createStatement, logger: logger)
        }
    }

    var createStatement: PostgresQuery {
        PostgresQuery(unsafeSQL: """
            CREATE TABLE IF NOT EXISTS \(name) (
              seq bigserial PRIMARY KEY,
              recorded_at timestamptz NOT NULL DEFAULT now(),
              record text NOT NULL,
              prev_hash text NOT NULL,
              hash text NOT NULL)
            """)
    }

    /// Serialises appends across every webhook replica writing to the table, so the chain stays one
    /// line; readers are not blocked.
    var lockStatement: PostgresQuery { PostgresQuery(unsafeSQL: "LOCK TABLE \(name) IN EXCLUSIVE MODE") }

    var headStatement: PostgresQuery { PostgresQuery(unsafeSQL: "SELECT hash FROM \(name) ORDER BY seq DESC LIMIT 1") }

    var readStatement: PostgresQuery { PostgresQuery(unsafeSQL: "SELECT seq, record, prev_hash, hash FROM \(name) ORDER BY seq") }

    /// One multi-row INSERT for a chained batch, returning the sequence numbers it took.
    func insertStatement(_ rows: [(record: String, previousHash: String, hash: String)]) -> PostgresQuery {
        var sql = "INSERT INTO \(name) (record, prev_hash, hash) VALUES "
        var binds = PostgresBindings(capacity: rows.count * 3)
        for (index, row) in rows.enumerated() {
            let base = index * 3
            sql += index == 0 ? "" : ","
            sql += "($\(base + 1),$\(base + 2),$\(base + 3))"
            binds.append(row.record)
            binds.append(row.previousHash)
            binds.append(row.hash)
        }
        sql += " RETURNING seq"
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }

    /// Appends records to the chain in one transaction: lock, read the head, insert linked rows (keyed
    /// when there is a key). Returns the checkpoint of the new head.
    func append(_ records: [String], key: AuditKey?, on connection: PostgresConnection, logger: Logger) async throws -> AuditChain.Checkpoint {
        try await connection.withTransaction(logger: logger) { connection in
            try await connection.query(lockStatement, logger: logger)
            var head = AuditChain.genesis
            for try await hash in try await connection.query(headStatement, logger: logger).decode(String.self) {
                head = hash
            }
            var rows: [(record: String, previousHash: String, hash: String)] = []
            rows.reserveCapacity(records.count)
            for record in records {
                let hash = AuditChain.link(previousHash: head, record: record, key: key)
                rows.append((record, head, hash))
                head = hash
            }
            var last: Int64 = 0
            for try await sequence in try await connection.query(insertStatement(rows), logger: logger).decode(Int64.self) {
                last = max(last, sequence)
            }
            return AuditChain.Checkpoint(table: name, sequence: last, head: head, key: key)
        }
    }
}
