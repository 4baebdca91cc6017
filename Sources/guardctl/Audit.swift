import ArgumentParser
import AuditTrail
import Foundation
import GuardCheck
import Logging
import PostgresAccess

/// `guardctl audit verify`: checks the hash chain of the webhook's audit table.
struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Inspect the webhook's audit evidence.", subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify every link of the audit table's hash chain and report the first broken one.",
            discussion: "Exit status: 0 chain intact, 1 a broken link (tampering, removal or reordering), 2 bad DSN or database unreachable.")

        @Option(name: .long, help: "PostgreSQL DSN: postgres://user:password@host:port/db?sslmode=disable|prefer|require")
        var dsn: String
        @Option(name: .long, help: "Audit table name.") var table: String = AuditTable.defaultName
        @Option(name: .long, help: "The webhook's --audit-key-file: keyed links are checked with it.") var keyFile: String?
        @Option(name: .long, help: "The webhook's JSON log lines (any number of lines; its \"audit checkpoint\" lines are used): the table must still hold every recorded head.")
        var checkpoints: [String] = []
        @Option(name: .long, help: "With --key-file: the last row written before the key was configured (earlier rows may be unkeyed).")
        var unkeyedThrough: Int64?

        func run() async throws {
            var logger = Logger(label: "guardctl")
            logger.logLevel = .critical
            do {
                let tableName = try AuditTable(table)
                let key = try keyFile.map { try AuditKey(contentsOfFile: $0) }
                var recorded: [AuditChain.Checkpoint] = []
                for file in checkpoints {
                    guard let data = FileManager.default.contents(atPath: file) else {
                        throw AuditTrailError.checkpointFileUnreadable(file)
                    }
                    recorded += try AuditChain.Checkpoint.read(logLines: String(decoding: data, as: UTF8.self), table: tableName.name, key: key, source: file)
                }
                let verifier = AuditVerifier(dsn: try PostgresDSN(dsn), table: tableName, key: key, unkeyedThrough: unkeyedThrough, checkpoints: recorded)
                let report = try await verifier.verify(logger: logger)
                if let broken = report.firstBreak {
                    Console.out("audit chain BROKEN at \(broken) (\(report.rows) rows read)\n")
                    throw ExitCode(1)
                }
                var notes: [String] = []
                if !checkpoints.isEmpty { notes.append("\(report.checkpoints) checkpoints hold") }
                if key != nil && report.unkeyedRows > 0 { notes.append("the first \(report.unkeyedRows) rows are unkeyed (written before the key)") }
                if key == nil && checkpoints.isEmpty { notes.append("without --key-file and --checkpoints, a chain re-linked from its first row would also verify") }
                Console.out("audit chain intact: \(report.rows) rows, head \(report.head)\(notes.isEmpty ? "" : "; " + notes.joined(separator: "; "))\n")
            } catch let error as AuditTrailError {
                Console.err("guardctl audit verify: \(error)\n")
                throw ExitCode(2)
            } catch let error as PostgresAccessError {
                Console.err("guardctl audit verify: --dsn: \(error)\n")
                throw ExitCode(2)
            }
        }
    }
}
