import Logging
import PostgresAccess
import PostgresNIO

/// Reads an audit table in sequence order and checks every link of its hash chain
/// (`guardctl audit verify`). Streams the rows: memory does not grow with the table.
public struct AuditVerifier: Sendable {
    /// What a verification found.
    public struct Report: Sendable, Equatable {
        /// Rows read.
        public var rows: Int
        /// The hash of the last verified row (``AuditChain/genesis`` for an empty table).
        public var head: String
        /// The first broken link, `nil` when the chain is intact.
        public var firstBreak: AuditChain.Break?
        /// Rows with plain links (written before a key was configured).
        public var unkeyedRows = 0
        /// Checkpoints the table was held to.
        public var checkpoints = 0
        /// Whether the links were checked with the audit key.
        public var keyed = false

        /// A report.
        public init(rows: Int, head: String, firstBreak: AuditChain.Break?, unkeyedRows: Int = 0, checkpoints: Int = 0, keyed: Bool = false) {
            self.rows = rows
            self.head = head
            self.firstBreak = firstBreak
            self.unkeyedRows = unkeyedRows
            self.checkpoints = checkpoints
            self.keyed = keyed
        }
    }

    /// The database.
    public let dsn: PostgresDSN
    /// The table.
    public let table: AuditTable

    /// The key links were made with, when the webhook had one.
    public let key: AuditKey?
    /// Checkpoints recorded while the chain was written (authenticated by ``key`` when there is one).
    public let checkpoints: [AuditChain.Checkpoint]

    /// With a key: the last row written before the key was configured (rows up to it may be unkeyed).
    public let unkeyedThrough: Int64?

    /// A verifier.
    public init(dsn: PostgresDSN, table: AuditTable, key: AuditKey? = nil, unkeyedThrough: Int64? = nil, checkpoints: [AuditChain.Checkpoint] = []) {
        self.dsn = dsn
        self.table = table
        self.key = key
        self.unkeyedThrough = unkeyedThrough
        self.checkpoints = checkpoints
    }

    /// Verifies the whole chain.
    /// - Throws: ``AuditTrailError/database`` when the database cannot be read (with the server's message),
    ///   ``AuditTrailError/malformedRow`` when a row has unexpected types.
    public func verify(logger: Logger) async throws(AuditTrailError) -> Report {
        try await verify(logger: logger) { _ in }
    }

    /// Verifies the whole chain, handing every row to `read` as it streams by (`guardctl evidence`).
    /// - Throws: as ``verify(logger:)``.
    public func verify(logger: Logger, read: (AuditChain.Row) -> Void) async throws(AuditTrailError) -> Report {
        let configuration: PostgresConnection.Configuration
        do { configuration = try dsn.configuration() } catch { throw AuditTrailError.unusableDSN(error) }
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        } catch {
            throw AuditTrailError.database("cannot connect to \(dsn): \(PostgresErrorText.describe(error))", cause: error)
        }
        var verifier = AuditChain.Verifier(key: key, unkeyedThrough: unkeyedThrough, checkpoints: checkpoints)
        let failure: AuditTrailError?
        do {
            let rows = try await connection.query(table.readStatement, logger: logger)
            for try await (sequence, record, previous, hash) in rows.decode((Int64, String, String, String).self) {
                let row = AuditChain.Row(sequence: sequence, record: record, previousHash: previous, hash: hash)
                verifier.feed(row)
                read(row)
            }
            failure = nil
        } catch let error as PostgresDecodingError {
            failure = AuditTrailError.malformedRow("table \(table.name) has a row that is not (bigint, text, text, text): \(error.localizedDescription)")
        } catch {
            failure = AuditTrailError.database("cannot read table \(table.name) on \(dsn): \(PostgresErrorText.describe(error))")
        }
        try? await connection.close()
        if let failure { throw failure }
        verifier.finish()
        return Report(rows: verifier.count, head: verifier.head, firstBreak: verifier.firstBreak,
                      unkeyedRows: verifier.unkeyedCount, checkpoints: checkpoints.count, keyed: key != nil)
    }
}
