import ArgumentParser
import AuditTrail
import Foundation
import GuardCheck
import GuardCtlCommands
import Logging
import PostgresAccess

/// Where the audit chain is and how it is checked: the options `guardctl audit verify` and
/// `guardctl evidence` share.
struct AuditSource: ParsableArguments {
    @Option(name: .long, help: "PostgreSQL DSN: postgres://user:password@host:port/db?sslmode=disable|prefer|require (visible in the process list; prefer --dsn-file).")
    var dsn: String?
    @Option(name: .long, help: "A file holding the DSN (as the webhook's --audit-dsn-file).") var dsnFile: String?
    @Option(name: .long, help: "Audit table name.") var table: String = AuditTable.defaultName
    @Option(name: .long, help: "The webhook's --audit-key-file: keyed links are checked with it.") var keyFile: String?
    @Option(name: .long, help: "The webhook's JSON log lines (any number of lines; its \"audit checkpoint\" lines are used): the table must still hold every recorded head.")
    var checkpoints: [String] = []
    @Option(name: .long, help: "With --key-file: the last row written before the key was configured (earlier rows may be unkeyed).")
    var unkeyedThrough: Int64?

    func validate() throws {
        if (dsn == nil) == (dsnFile == nil) { throw ValidationError("give the audit database with --dsn-file FILE (or --dsn DSN), exactly one") }
    }

    /// The verifier these options describe.
    /// - Throws: ``AuditTrailError`` or ``PostgresAccessError`` naming the unusable option.
    func verifier() throws -> AuditVerifier {
        let tableName = try AuditTable(table)
        let key = try keyFile.map { try AuditKey(contentsOfFile: $0) }
        var recorded: [AuditChain.Checkpoint] = []
        for file in checkpoints {
            guard let data = FileManager.default.contents(atPath: file) else { throw AuditTrailError.checkpointFileUnreadable(file) }
            recorded += try AuditChain.Checkpoint.read(logLines: String(decoding: data, as: UTF8.self), table: tableName.name, key: key, source: file)
        }
        let database = try dsnFile.map { try PostgresDSN(contentsOfFile: $0) } ?? PostgresDSN(dsn ?? "")
        return AuditVerifier(dsn: database, table: tableName, key: key, unkeyedThrough: unkeyedThrough, checkpoints: recorded)
    }

    /// Runs `body`, turning the audit and database errors into exit status 2 with the command's name.
    static func reporting(_ command: String, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as AuditTrailError {
            Console.err("guardctl \(command): \(error)\n")
            throw ExitCode(2)
        } catch let error as PostgresAccessError {
            Console.err("guardctl \(command): the audit database: \(error)\n")
            throw ExitCode(2)
        } catch let error as GuardCheckError {
            Console.err("guardctl \(command): \(error)\n")
            throw ExitCode(2)
        }
    }
}

/// `guardctl audit verify`: checks the hash chain of the webhook's audit table.
struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: Companion.Command.audit.abstract, subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify every link of the audit table's hash chain and report the first broken one.",
            discussion: "Exit status: 0 chain intact, 1 a broken link (tampering, removal or reordering), 2 bad DSN or database unreachable.")

        @OptionGroup var source: AuditSource

        func run() async throws {
            var logger = Logger(label: "guardctl")
            logger.logLevel = .critical
            try await AuditSource.reporting("audit verify") {
                let report = try await source.verifier().verify(logger: logger)
                if let broken = report.firstBreak {
                    Console.out("audit chain BROKEN at \(broken) (\(report.rows) rows read)\n")
                    throw ExitCode(1)
                }
                var notes: [String] = []
                if !source.checkpoints.isEmpty { notes.append("\(report.checkpoints) checkpoints hold") }
                if source.keyFile != nil && report.unkeyedRows > 0 { notes.append("the first \(report.unkeyedRows) rows are unkeyed (written before the key)") }
                if source.keyFile == nil && source.checkpoints.isEmpty {
                    notes.append("without --key-file and --checkpoints, a chain re-linked from its first row would also verify")
                }
                Console.out("audit chain intact: \(report.rows) rows, head \(report.head)\(notes.isEmpty ? "" : "; " + notes.joined(separator: "; "))\n")
            }
        }
    }
}
