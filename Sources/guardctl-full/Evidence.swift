import ArgumentParser
import AuditTrail
import Foundation
import GuardCheck
import GuardCtlCommands
import KubeModel
import Logging

/// `guardctl evidence`: an auditor's report of a period from the audit chain and the cluster's
/// environments and exceptions.
struct Evidence: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: Companion.Command.evidence.abstract,
        discussion: """
            The cluster's state comes from --context files, e.g. `kubectl get odooenvironments,odooreleases,guardexceptions -A -o yaml > cluster.yaml`.
            The same inputs give the same report. Exit status: 0 report written and the chain intact, 1 report written and the chain BROKEN (the report says so first), 2 bad options or the database unreachable.
            """)

    @OptionGroup var source: AuditSource
    @Option(name: .long, help: "Start of the period (RFC 3339, inclusive). Default: 30 days before --to.") var from: String?
    @Option(name: .long, help: "End of the period (RFC 3339, exclusive); exceptions in force at this time are listed. Default: now.") var to: String?
    @Option(name: .long, help: ArgumentHelp("OdooEnvironments, OdooReleases and GuardExceptions as the cluster holds them (repeatable; files or directories).", valueName: "path"))
    var context: [String] = []
    @Option(name: .long, help: "Report format: html or json.") var output: String = "html"

    func validate() throws {
        guard ["html", "json"].contains(output) else { throw ValidationError("--output must be html or json") }
        for (name, value) in [("--from", from), ("--to", to)] where value.map({ Timestamp.parse($0) == nil }) ?? false {
            throw ValidationError("\(name) must be an RFC 3339 time such as 2026-12-01T00:00:00Z")
        }
    }

    func run() async throws {
        var logger = Logger(label: "guardctl")
        logger.logLevel = .critical
        let end = to.flatMap(Timestamp.parse) ?? Date()
        let start = from.flatMap(Timestamp.parse) ?? end.addingTimeInterval(-30 * 86_400)
        guard start < end else { throw ValidationError("--from must be before --to") }
        var intact = true
        try await AuditSource.reporting("evidence") {
            let objects = try ManifestSource.objects(context)
            let report = try await EvidenceCollector(verifier: try source.verifier()).collect(from: start, to: end, objects: objects, logger: logger)
            Console.out(output == "json" ? report.jsonText : report.html)
            intact = report.chainIntact
        }
        if !intact { throw ExitCode(1) }
    }
}
