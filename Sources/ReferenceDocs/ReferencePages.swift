import Foundation
import GuardRules
import KubeModel

/// Every generated page of `docs/reference/`, keyed by its path from the project root.
public enum ReferencePages {
    /// The pages: rules (default policy), CRDs (from `root/crds`), metrics, and the CLI (the executables
    /// in `binaries`, built beforehand).
    public static func generate(root: URL, binaries: String) throws -> [(path: String, text: String)] {
        var crds: [(file: String, object: JSONValue)] = []
        let directory = root.appendingPathComponent("crds")
        for file in try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() where file.hasSuffix(".yaml") {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            do { crds.append((file, try ManifestReader.parseSingle(yaml: text))) } catch {
                throw ReferenceDocsError.unreadable("crds/\(file): \(error)")
            }
        }
        return [
            ("docs/reference/rules.md", RulesReference.page(policy: try GuardPolicy.builtIn())),
            ("docs/reference/crds.md", CRDReference.page(crds)),
            ("docs/reference/metrics.md", MetricsReference.page()),
            ("docs/reference/cli.md", try CLIReference.page { try CLIReference.runHelp(directory: binaries, $0, $1) }),
        ]
    }
}
