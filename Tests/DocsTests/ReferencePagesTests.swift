import Foundation
import ReferenceDocs
import Testing
import TestSupport

/// The generated references (issue #39) equal what the code generates now: the rule catalogue under
/// the default policy, the CRDs, the metric registries and every command's `--help`.
@Suite("Generated references")
struct ReferencePagesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func everyGeneratedPageIsCurrent() throws {
        // The commands the CLI page runs, from the build the tests run in.
        let binaries = URL(fileURLWithPath: ExecutablePath.built("guardctl")).deletingLastPathComponent().path
        let pages = try ReferencePages.generate(root: Self.root, binaries: binaries)
        #expect(pages.count == 4)
        for page in pages {
            let current = try? String(contentsOf: Self.root.appendingPathComponent(page.path), encoding: .utf8)
            #expect(current == page.text, "\(page.path) differs from what the code generates: run scripts/gen-docs")
        }
    }

    @Test func thePagesCoverEverything() throws {
        let binaries = URL(fileURLWithPath: ExecutablePath.built("guardctl")).deletingLastPathComponent().path
        let pages = Dictionary(uniqueKeysWithValues: try ReferencePages.generate(root: Self.root, binaries: binaries).map { ($0.path, $0.text) })
        let rules = pages["docs/reference/rules.md"] ?? ""
        for id in ["image.no-latest", "expiry.stamp", "podsecurity.run-as-user", "scaling.connection-budget"] {
            #expect(rules.contains("| `\(id)` |"), "\(id) is missing from the rules page")
        }
        #expect(rules.contains("| `odoo.production-never-sleeps` | validation; cannot be waived | enforce |"))
        let crds = pages["docs/reference/crds.md"] ?? ""
        for kind in ["ChangeApproval", "GuardException", "GuardPolicy", "OdooEnvironment", "OdooRelease", "OdooRestore"] {
            #expect(crds.contains("## \(kind)\n"), "\(kind) is missing from the CRD page")
        }
        #expect(crds.contains("| `spec.expiresIn` |"))
        let metrics = pages["docs/reference/metrics.md"] ?? ""
        for name in ["odoo_guard_admission_requests_total", "odoo_guard_operator_reconcile_total", "odoo_guard_operator_environment_condition",
                     "odoo_guard_audit_dropped_total"] {
            #expect(metrics.contains("| `\(name)` |"), "\(name) is missing from the metrics page")
        }
        let cli = pages["docs/reference/cli.md"] ?? ""
        for command in ["guardctl check", "guardctl policy masking-sql", "guardctl audit verify", "guardctl certs rotate", "guard-webhook", "guard-operator"] {
            #expect(cli.contains("`\(command)`"), "\(command) is missing from the CLI page")
        }
    }
}
