import AuditTrail
import Foundation
import Logging
import PostgresAccess
import TestSupport
import Testing

/// The audit chain against a real PostgreSQL 15 started by the test.
@Suite(.serialized) struct PostgresAuditTests {
    static let logger: Logger = {
        var logger = Logger(label: "audit-test")
        logger.logLevel = .critical
        return logger
    }()

    static func writer(_ dsn: String, table: String = AuditTable.defaultName, capacity: Int = 10_000) throws -> PostgresAuditWriter {
        PostgresAuditWriter(configuration: .init(dsn: try PostgresDSN(dsn), table: try AuditTable(table), capacity: capacity, batchSize: 7),
                            logger: logger)
    }

    static func verify(_ dsn: String, table: String = AuditTable.defaultName) async throws -> AuditVerifier.Report {
        try await AuditVerifier(dsn: try PostgresDSN(dsn), table: try AuditTable(table)).verify(logger: logger)
    }

    @Test func recordsAreChainedAndTamperingIsReportedAtTheRow() async throws {
        let server = try await offPool { try PostgresServer() }
        defer { server.stop() }
        let writer = try Self.writer(server.dsn)
        for index in 1...20 { writer.submit(AuditFixtures.record(index)) }
        #expect(await writer.flush())
        await writer.close()
        let statistics = writer.statistics
        #expect(statistics.queued == 0 && statistics.dropped == 0 && statistics.written == 20 && statistics.failedFlushes == 0)

        let intact = try await Self.verify(server.dsn)
        #expect(intact.rows == 20)
        #expect(intact.firstBreak == nil)
        // The stored record is the decision's metadata and never the object's content.
        let stored = try await offPool { try server.psql("SELECT record FROM odoo_guard_audit ORDER BY seq LIMIT 1") }
        #expect(stored.contains("\"uid\":\"uid-1\""))
        #expect(stored.contains("secrets.no-literal-credentials"))
        #expect(!stored.contains(AuditFixtures.secretValue))

        try await offPool { try server.psql("UPDATE odoo_guard_audit SET record = replace(record, 'denied', 'allowed') WHERE seq = 5") }
        let edited = try await Self.verify(server.dsn)
        #expect(edited.firstBreak?.sequence == 5)
        #expect(edited.firstBreak?.reason.contains("does not match its content") == true)

        try await offPool { try server.psql("UPDATE odoo_guard_audit SET record = replace(record, '\"allowed\"', '\"denied\"') WHERE seq = 5") }
        #expect(try await Self.verify(server.dsn).firstBreak == nil)
        try await offPool { try server.psql("DELETE FROM odoo_guard_audit WHERE seq = 9") }
        let removed = try await Self.verify(server.dsn)
        #expect(removed.firstBreak?.sequence == 10)
        #expect(removed.rows == 19)

        // guardctl's report of the same table, through the real executable's exit codes.
        #expect(try await offPool { try GuardctlAudit.run(["--dsn", server.dsn]) }.status == 1)
        #expect(try await offPool { try GuardctlAudit.run(["--dsn", "mysql://nope"]) }.status == 2)
        // The DSN from a file (out of the process list), as the webhook's --audit-dsn-file; one of the two is required.
        let dsnFile = NSTemporaryDirectory() + "audit-dsn-\(UUID().uuidString.prefix(8))"
        try Data(server.dsn.utf8).write(to: URL(fileURLWithPath: dsnFile))
        defer { unlink(dsnFile) }
        #expect(try await offPool { try GuardctlAudit.run(["--dsn-file", dsnFile]) }.output.contains("BROKEN at row 10"))
        let neither = try await offPool { try GuardctlAudit.run([]) }
        #expect(neither.status == 2 && neither.output.contains("--dsn-file"), "\(neither.output)")
    }

    @Test func twoWritersKeepOneChain() async throws {
        let server = try await offPool { try PostgresServer() }
        defer { server.stop() }
        let first = try Self.writer(server.dsn)
        let second = try Self.writer(server.dsn)
        for index in 0..<60 { (index.isMultiple(of: 2) ? first : second).submit(AuditFixtures.record(index)) }
        async let a = first.flush()
        async let b = second.flush()
        let (flushedA, flushedB) = await (a, b)
        #expect(flushedA && flushedB)
        await first.close()
        await second.close()
        let report = try await Self.verify(server.dsn)
        #expect(report.rows == 60)
        #expect(report.firstBreak == nil)
        #expect(try await offPool { try GuardctlAudit.run(["--dsn", server.dsn]) }.output.contains("intact: 60 rows"))
    }

    @Test func databaseDownQueuesUpToTheBoundThenFlushesWhenItReturns() async throws {
        let port = try FreePort.next()
        let dsn = "postgres://postgres@127.0.0.1:\(port)/postgres?sslmode=disable"
        let writer = try Self.writer(dsn, capacity: 25)
        for index in 1...30 { writer.submit(AuditFixtures.record(index)) }
        #expect(await writer.flush() == false)
        #expect(writer.statistics.queued == 25)
        #expect(writer.statistics.dropped == 5)
        #expect(writer.statistics.failedFlushes == 1)

        let server = try await offPool { try PostgresServer(port: port) }
        defer { server.stop() }
        #expect(await writer.flush())
        #expect(writer.statistics.queued == 0)
        #expect(writer.statistics.written == 25)
        #expect(try await Self.verify(dsn).rows == 25)

        // The server goes away mid-life and comes back: the writer reconnects and the chain continues.
        try await offPool { try server.halt() }
        for index in 31...33 { writer.submit(AuditFixtures.record(index)) }
        #expect(await writer.flush() == false)
        try await offPool { try server.start() }
        #expect(await writer.flush())
        await writer.close()
        let report = try await Self.verify(dsn)
        #expect(report.rows == 28)
        #expect(report.firstBreak == nil)
    }

    @Test(arguments: [
        ("postgres://u:p@db.example:6543/audit?sslmode=require", "postgres://u@db.example:6543/audit?sslmode=require"),
        ("postgresql://u%40corp:p%2Fw@db/audit", "postgres://u@corp@db:5432/audit?sslmode=prefer"),
    ])
    func dsnsParseAndNeverShowThePassword(text: String, shown: String) throws {
        let dsn = try PostgresDSN(text)
        #expect(dsn.description == shown)
        #expect(!dsn.description.contains("p%2Fw") && !dsn.description.contains("p/w"))
    }

    @Test(arguments: ["mysql://u@h/db", "postgres://h/db", "postgres://u@h/", "postgres://u:secret@h/db?sslmode=verify-full", "postgres://u:secret@h/db?x=1"])
    func badDSNsAreRefusedWithoutTheirPassword(text: String) {
        #expect(throws: PostgresAccessError.invalidDSN) { try PostgresDSN(text) }
        do { _ = try PostgresDSN(text) } catch { #expect(!error.description.contains("secret")) }
    }

    @Test func dsnFilesAreReadTrimmedAndNamedInErrors() throws {
        let file = NSTemporaryDirectory() + "audit-dsn-\(UUID().uuidString.prefix(8))"
        defer { unlink(file) }
        try Data("postgres://u:secret@db:5433/audit?sslmode=require\n".utf8).write(to: URL(fileURLWithPath: file))
        #expect(try PostgresDSN(contentsOfFile: file).description == "postgres://u@db:5433/audit?sslmode=require")
        #expect(try PostgresDSN(contentsOfFile: file).password == "secret")
        for content in ["", "  \n", "mysql://u:secret@db/audit"] {
            try Data(content.utf8).write(to: URL(fileURLWithPath: file))
            let error = #expect(throws: PostgresAccessError.invalidDSN) { try PostgresDSN(contentsOfFile: file) }
            #expect(error?.message.hasPrefix(file) == true && error?.message.contains("secret") == false, "\(String(describing: error))")
        }
        let missing = #expect(throws: PostgresAccessError.invalidDSN) { try PostgresDSN(contentsOfFile: file + "-missing") }
        #expect(missing?.message.contains("-missing") == true)
    }

    @Test(arguments: ["", "Audit", "audit-log", "1audit", "audit;drop table x", String(repeating: "a", count: 64)])
    func hostileTableNamesAreRefused(name: String) {
        #expect(throws: AuditTrailError.invalidTableName) { try AuditTable(name) }
    }
}

/// Runs the built `guardctl audit verify`.
enum GuardctlAudit {
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try Subprocess.run(ExecutablePath.built("guardctl"), ["audit", "verify"] + arguments)
    }
}
