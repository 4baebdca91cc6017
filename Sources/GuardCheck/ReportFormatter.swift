import GuardRules
import KubeModel

/// Renders check results for people (`text`) or machines (`json`).
public enum ReportFormatter {
    /// The output formats.
    public enum Format: String, Sendable, CaseIterable {
        /// One block per document, then a summary line.
        case text
        /// One JSON array of result objects.
        case json
    }

    /// Renders results.
    public static func render(_ results: [CheckResult], format: Format) -> String {
        switch format {
        case .json:
            return JSONValue.array(results.map(\.jsonValue)).serialized(.prettyPrinted) + "\n"
        case .text:
            return text(results)
        }
    }

    static func text(_ results: [CheckResult]) -> String {
        // Each document's block is independent: written on all cores, joined in order.
        var lines = Parallel.map(count: results.count) { block(results[$0]) }.filter { !$0.isEmpty }
        let errors = results.filter { $0.error != nil }.count
        let denied = results.filter { $0.error == nil && !$0.allowed }.count
        let allowed = results.count - errors - denied
        let warned = results.filter { !($0.decision?.warnings.isEmpty ?? true) }.count
        lines.append("")
        lines.append("\(results.count) document\(results.count == 1 ? "" : "s"): \(allowed) allowed, \(denied) denied, \(errors) unreadable, \(warned) with warnings")
        return lines.joined(separator: "\n") + "\n"
    }

    /// One document's lines (no trailing newline), or `""` for a result with neither error nor decision.
    private static func block(_ result: CheckResult) -> String {
        if let error = result.error { return "ERROR \(result.location): \(error)" }
        guard let object = result.object, let decision = result.decision else { return "" }
        var lines = ["\(decision.allowed ? "ALLOW" : "DENY ") \(result.location) \(object.reference)"]
        for violation in decision.denials { lines.append("    deny  \(violation)") }
        for warning in decision.warnings { lines.append("    warn  \(warning)") }
        for violation in decision.audited { lines.append("    audit \(violation)") }
        for exempted in decision.exempted { lines.append("    exempt \(exempted.violation) — by \(exempted.by)") }
        if !decision.patch.isEmpty {
            let rules = decision.auditAnnotations["mutations"] ?? "mutation"
            lines.append("    patch \(decision.patch.operations.count) operation\(decision.patch.operations.count == 1 ? "" : "s") (\(rules)): \(decision.patch)")
        }
        return lines.joined(separator: "\n")
    }
}
