import AuditTrail
import CommandLineSupport
import Foundation
import Logging
import PostgresAccess
import TestSupport
import Testing

/// The keyed chain and its checkpoints against a real PostgreSQL 15: someone who can write the audit
/// table, but holds neither the key nor the webhook's log stream, cannot rewrite history unseen.
@Suite(.serialized) struct KeyedChainTests {
    static let keyBytes = Array("an audit key of at least 32 bytes, for tests only".utf8)

    /// A writer whose log lines (its checkpoints among them) go to `logFile` as the webhook's would.
    static func writer(_ dsn: String, logFile: URL, key: AuditKey?) throws -> (PostgresAuditWriter, FileHandle) {
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let handle = try FileHandle(forWritingTo: logFile)
        let descriptor = handle.fileDescriptor
        let logger = Logger(label: "guard-webhook") { JSONLogHandler(label: $0, level: .notice, fileDescriptor: descriptor) }
        let writer = PostgresAuditWriter(configuration: .init(dsn: try PostgresDSN(dsn), table: try AuditTable(), batchSize: 7, key: key),
                                         logger: logger)
        return (writer, handle)
    }

    /// What an attacker with write access but no key does after editing row `from`: recompute every
    /// later link so the plain chain holds again.
    static func relink(_ server: PostgresServer, from: Int64, keyedLookalike: Bool = false) throws {
        let stored = try server.psql("SELECT seq, hash FROM odoo_guard_audit WHERE seq < \(from) ORDER BY seq DESC LIMIT 1")
        var head = stored.split(separator: "|").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? AuditChain.genesis
        if head.isEmpty { head = AuditChain.genesis }
        var statements: [String] = []
        let records = try server.psql("SELECT seq, record FROM odoo_guard_audit WHERE seq >= \(from) ORDER BY seq")
        for line in records.split(separator: "\n") {
            let parts = line.split(separator: "|", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let sequence = Int64(parts[0]) else { continue }
            var hash = AuditChain.link(previousHash: head, record: parts[1])
            if keyedLookalike { hash = AuditChain.keyedPrefix + hash }
            statements.append("UPDATE odoo_guard_audit SET prev_hash = '\(head)', hash = '\(hash)' WHERE seq = \(sequence);")
            head = hash
        }
        _ = try server.psql(statements.joined(separator: "\n"))
    }

    static func verify(_ dsn: String, key: AuditKey?, checkpoints: [AuditChain.Checkpoint] = []) async throws -> AuditVerifier.Report {
        var logger = Logger(label: "audit-test")
        logger.logLevel = .critical
        return try await AuditVerifier(dsn: try PostgresDSN(dsn), table: try AuditTable(), key: key, checkpoints: checkpoints).verify(logger: logger)
    }

    @Test func reLinkingAfterAnEditIsDetectedWithTheKeyAndWithTheCheckpoints() async throws {
        let server = try await offPool { try PostgresServer() }
        defer { server.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("odoo-guard-audit-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = try AuditKey(bytes: Self.keyBytes)
        let logFile = directory.appendingPathComponent("webhook.log")
        let keyFile = directory.appendingPathComponent("audit.key")
        try Data(Self.keyBytes + [0x0A]).write(to: keyFile)

        let (writer, handle) = try Self.writer(server.dsn, logFile: logFile, key: key)
        for index in 1...20 { writer.submit(AuditFixtures.record(index)) }
        #expect(await writer.flush())
        await writer.close()
        try handle.close()
        let log = try String(contentsOf: logFile, encoding: .utf8)
        let checkpoints = try AuditChain.Checkpoint.read(logLines: log, table: AuditTable.defaultName, key: key, source: "webhook.log")
        #expect(checkpoints.map(\.sequence) == [7, 14, 20])

        let intact = try await Self.verify(server.dsn, key: key, checkpoints: checkpoints)
        #expect(intact.firstBreak == nil && intact.rows == 20 && intact.unkeyedRows == 0)
        #expect(intact.head.hasPrefix(AuditChain.keyedPrefix))
        // Without the key a keyed chain is not taken as intact.
        #expect(try await Self.verify(server.dsn, key: nil).firstBreak?.sequence == 1)

        // Edit row 5 and re-link the rest with plain hashes: the key catches it at row 5.
        try await offPool {
            _ = try server.psql("UPDATE odoo_guard_audit SET record = replace(record, 'denied', 'allowed') WHERE seq = 5")
            try Self.relink(server, from: 5)
        }
        let relinked = try await Self.verify(server.dsn, key: key)
        #expect(relinked.firstBreak?.sequence == 5)
        #expect(relinked.firstBreak?.reason.contains("re-linked without the key") == true, "\(String(describing: relinked.firstBreak))")
        // A look-alike keyed hash does not verify either.
        try await offPool { try Self.relink(server, from: 5, keyedLookalike: true) }
        #expect(try await Self.verify(server.dsn, key: key).firstBreak?.reason.contains("keyed hash does not match") == true)

        // Re-linked from the first row with plain hashes, the chain verifies without key or checkpoints
        // (what an unkeyed chain cannot prevent); the checkpoints from the log stream reveal it.
        try await offPool { try Self.relink(server, from: 1) }
        #expect(try await Self.verify(server.dsn, key: nil).firstBreak == nil)
        let held = try await Self.verify(server.dsn, key: nil, checkpoints: checkpoints)
        #expect(held.firstBreak?.sequence == 7)
        #expect(held.firstBreak?.reason.contains("rewritten and re-linked") == true)
        #expect(try await Self.verify(server.dsn, key: key).firstBreak?.sequence == 1)

        // Truncation: the newest rows removed, the rest intact; only the last checkpoint knows.
        try await offPool {
            _ = try server.psql("DELETE FROM odoo_guard_audit")
        }
        let (again, againHandle) = try Self.writer(server.dsn, logFile: directory.appendingPathComponent("second.log"), key: key)
        for index in 1...20 { again.submit(AuditFixtures.record(index)) }
        #expect(await again.flush())
        await again.close()
        try againHandle.close()
        let second = try AuditChain.Checkpoint.read(logLines: try String(contentsOf: directory.appendingPathComponent("second.log"), encoding: .utf8),
                                                    table: AuditTable.defaultName, key: key, source: "second.log")
        try await offPool { _ = try server.psql("DELETE FROM odoo_guard_audit WHERE seq > (SELECT max(seq) - 3 FROM odoo_guard_audit)") }
        #expect(try await Self.verify(server.dsn, key: key).firstBreak == nil)
        let truncated = try await Self.verify(server.dsn, key: key, checkpoints: second)
        #expect(truncated.firstBreak?.reason.contains("rows were removed") == true, "\(String(describing: truncated.firstBreak))")

        // guardctl: the same verdicts through the executable.
        let secondLog = directory.appendingPathComponent("second.log").path
        let cli = try await offPool { try GuardctlAudit.run(["--dsn", server.dsn, "--key-file", keyFile.path, "--checkpoints", secondLog]) }
        #expect(cli.status == 1 && cli.output.contains("rows were removed"), "\(cli)")
        // A forged checkpoint line is refused by name.
        let forged = directory.appendingPathComponent("forged.log")
        try Data(#"{"message":"audit checkpoint","audit.table":"odoo_guard_audit","audit.sequence":3,"audit.head":"x","audit.mac":"00"}"#.utf8).write(to: forged)
        let refused = try await offPool { try GuardctlAudit.run(["--dsn", server.dsn, "--key-file", keyFile.path, "--checkpoints", forged.path]) }
        #expect(refused.status == 2 && refused.output.contains("forged.log line 1"), "\(refused)")
    }

    @Test func shortOrMissingKeysAreRefusedByName() {
        #expect(throws: AuditTrailError.invalidKey) { try AuditKey(bytes: Array("short".utf8)) }
        do { _ = try AuditKey(contentsOfFile: "/nonexistent/audit.key") } catch {
            #expect(error.message.contains("/nonexistent/audit.key"))
        }
    }
}
