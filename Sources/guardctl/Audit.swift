import ArgumentParser
import AuditTrail
import GuardCheck
import Logging

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

        func run() async throws {
            var logger = Logger(label: "guardctl")
            logger.logLevel = .critical
            do {
                let verifier = AuditVerifier(dsn: try PostgresDSN(dsn), table: try AuditTable(table))
                let report = try await verifier.verify(logger: logger)
                if let broken = report.firstBreak {
                    Console.out("audit chain BROKEN at \(broken) (\(report.rows) rows read)\n")
                    throw ExitCode(1)
                }
                Console.out("audit chain intact: \(report.rows) rows, head \(report.head)\n")
            } catch let error as AuditTrailError {
                Console.err("guardctl audit verify: \(error)\n")
                throw ExitCode(2)
            }
        }
    }
}
