import DequeModule
import Logging
import NIOConcurrencyHelpers
import PostgresAccess
import PostgresNIO
import ServiceLifecycle

/// Appends decisions to the hash-chained PostgreSQL table, asynchronously and in batches, off the
/// request path.
///
/// `submit` only appends to a bounded in-memory queue under a lock. The service's `run` loop flushes
/// the queue every `flushInterval` in batches of at most `batchSize`, each batch one transaction
/// (lock table, read head, insert linked rows). When PostgreSQL is down or slow, records wait in the
/// queue (up to `capacity`, then they are counted as dropped and an error is logged) and the loop
/// retries with backoff; nothing on the request path ever waits for the database. Delivery is
/// at-least-once: a batch whose COMMIT succeeded but whose reply was lost is written again.
public final class PostgresAuditWriter: AuditSink, Service {
    /// Tuning.
    public struct Configuration: Sendable {
        /// Where to write.
        public var dsn: PostgresDSN
        /// Which table.
        public var table: AuditTable
        /// Records held while the database is unavailable before new ones are dropped.
        public var capacity: Int
        /// Records per transaction.
        public var batchSize: Int
        /// Time between flushes.
        public var flushInterval: Duration
        /// Longest wait between retries while the database fails.
        public var maxBackoff: Duration
        /// How long a flush at shutdown may take before the rest is given up (and counted as dropped).
        public var shutdownFlushTimeout: Duration
        /// The key links are made with (``AuditKey``); `nil` writes plain SHA-256 links.
        public var key: AuditKey?

        /// A configuration with the defaults: 10,000 records, batches of 500, every 200 ms, backoff up to 5 s.
        public init(dsn: PostgresDSN, table: AuditTable, capacity: Int = 10_000, batchSize: Int = 500,
                    flushInterval: Duration = .milliseconds(200), maxBackoff: Duration = .seconds(5),
                    shutdownFlushTimeout: Duration = .seconds(5), key: AuditKey? = nil) {
            self.key = key
            self.dsn = dsn
            self.table = table
            self.capacity = max(1, capacity)
            self.batchSize = min(max(1, batchSize), 5_000)
            self.flushInterval = flushInterval
            self.maxBackoff = maxBackoff
            self.shutdownFlushTimeout = shutdownFlushTimeout
        }
    }

    /// Counters for `/metrics`.
    public struct Statistics: Sendable, Equatable {
        /// Records waiting to be written.
        public var queued: Int
        /// Records dropped because the queue was full.
        public var dropped: Int
        /// Records written.
        public var written: Int
        /// Flushes that failed.
        public var failedFlushes: Int
    }

    private struct Queue {
        var records: Deque<AuditRecord> = []
        var dropped = 0
        var reportedDropped = 0
        var written = 0
        var failedFlushes = 0
    }

    /// The configuration.
    public let configuration: Configuration
    private let logger: Logger
    private let queue = NIOLockedValueBox(Queue())
    private let connection: ConnectionHolder

    /// A writer; nothing connects until `run` or `flush`.
    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        connection = ConnectionHolder(configuration: configuration, logger: logger)
    }

    /// Queues a record; never blocks. A full queue drops the record and counts it.
    public func submit(_ record: AuditRecord) {
        let capacity = configuration.capacity
        queue.withLockedValue { queue in
            if queue.records.count >= capacity {
                queue.dropped += 1
            } else {
                queue.records.append(record)
            }
        }
    }

    /// The current counters.
    public var statistics: Statistics {
        queue.withLockedValue { Statistics(queued: $0.records.count, dropped: $0.dropped, written: $0.written, failedFlushes: $0.failedFlushes) }
    }

    /// Flushes until the queue is empty or a write fails.
    /// - Returns: whether everything queued was written.
    @discardableResult
    public func flush() async -> Bool {
        while true {
            let batchSize = configuration.batchSize
            let batch = queue.withLockedValue { Array($0.records.prefix(batchSize)) }
            if batch.isEmpty { return true }
            do {
                let checkpoint = try await connection.append(batch.map { $0.jsonValue.serialized() })
                queue.withLockedValue { queue in
                    queue.records.removeFirst(batch.count)
                    queue.written += batch.count
                }
                // The head, outside the table: `guardctl audit verify --checkpoints` holds the table to it.
                logger.notice(Logger.Message(stringLiteral: AuditChain.Checkpoint.message), metadata: checkpoint.logMetadata)
            } catch {
                queue.withLockedValue { $0.failedFlushes += 1 }
                logger.error("audit records could not be written; they stay queued", metadata: [
                    "audit.queued": .stringConvertible(statistics.queued), "error": .string(error.description),
                ])
                return false
            }
        }
    }

    /// Flushes periodically until graceful shutdown or cancellation, then makes a last bounded flush
    /// and counts what is left as dropped.
    public func run() async throws {
        var backoff = configuration.flushInterval
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            reportDrops()
            let succeeded = await flush()
            backoff = succeeded ? configuration.flushInterval : min(backoff * 2, configuration.maxBackoff)
            do { try await Task.sleep(for: backoff) } catch { break }
        }
        let timeout = configuration.shutdownFlushTimeout
        let finished = await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.flush() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        if !finished {
            queue.withLockedValue { queue in
                queue.dropped += queue.records.count
                queue.records.removeAll()
            }
        }
        reportDrops()
        await connection.close()
    }

    /// Closes the database connection (``run()`` does this on its way out). A connection must be closed
    /// before the writer is released; later flushes reconnect.
    public func close() async { await connection.close() }

    private func reportDrops() {
        let newlyDropped = queue.withLockedValue { queue -> Int in
            defer { queue.reportedDropped = queue.dropped }
            return queue.dropped - queue.reportedDropped
        }
        if newlyDropped > 0 {
            logger.error("audit queue full: records dropped", metadata: [
                "audit.dropped": .stringConvertible(newlyDropped), "audit.capacity": .stringConvertible(configuration.capacity),
            ])
        }
    }
}

/// The writer's one connection, used by one flush at a time.
private actor ConnectionHolder {
    let configuration: PostgresAuditWriter.Configuration
    let logger: Logger
    var connection: PostgresConnection?
    var tableReady = false
    var nextID = 1

    init(configuration: PostgresAuditWriter.Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    func append(_ records: [String]) async throws(AuditTrailError) -> AuditChain.Checkpoint {
        do {
            let connection = try await connected()
            if !tableReady {
                try await configuration.table.create(on: connection, logger: logger)
                tableReady = true
            }
            return try await configuration.table.append(records, key: configuration.key, on: connection, logger: logger)
        } catch let error as AuditTrailError {
            throw error
        } catch {
            await close()
            throw AuditTrailError.database("\(configuration.dsn): \(PostgresErrorText.describe(error))", cause: error)
        }
    }

    private func connected() async throws -> PostgresConnection {
        if let connection {
            if !connection.isClosed { return connection }
            try? await connection.close()
            self.connection = nil
        }
        let configuration: PostgresConnection.Configuration
        do { configuration = try self.configuration.dsn.configuration() } catch { throw AuditTrailError.unusableDSN(error) }
        nextID += 1
        let connection = try await PostgresConnection.connect(configuration: configuration, id: nextID, logger: logger)
        self.connection = connection
        tableReady = false  // the server may be a new one (restored, failed over): create the table again if missing
        return connection
    }

    func close() async {
        if let connection {
            try? await connection.close()
        }
        connection = nil
    }
}
