import ArgumentParser
import Foundation
import ReferenceDocs

/// `gen-docs`: writes the generated pages of `docs/reference/` (scripts/gen-docs builds the commands first).
@main
struct GenDocs: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gen-docs",
        abstract: "Write docs/reference/ (rules, CRDs, metrics, CLI) from the code; with --check, only say which pages differ.")

    @Option(help: "The project root.")
    var root = "."

    @Option(help: "The directory holding the built guardctl, guardctl-full, guard-webhook, guard-operator and guard-traefik.")
    var binaries = ".build/debug"

    @Flag(help: "Write nothing; exit 1 naming each page that differs from what the code generates.")
    var check = false

    mutating func run() throws {
        let rootURL = URL(fileURLWithPath: root)
        var stale: [String] = []
        for page in try ReferencePages.generate(root: rootURL, binaries: binaries) {
            let url = rootURL.appendingPathComponent(page.path)
            let current = try? String(contentsOf: url, encoding: .utf8)
            guard current != page.text else { continue }
            stale.append(page.path)
            if !check {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(page.text.utf8).write(to: url)
            }
        }
        let verb = check ? "differs" : "written"
        for path in stale { FileHandle.standardOutput.write(Data("\(path): \(verb)\n".utf8)) }
        if check && !stale.isEmpty { throw ExitCode(1) }
    }
}
