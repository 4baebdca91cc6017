import GuardRules
import KubeModel

/// Reads the `scanner.result` of a cosign vulnerability-scan predicate, in the formats scanners
/// attest: Trivy JSON (`Results[].Vulnerabilities[]`, what `trivy image --format cosign-vuln`
/// embeds), Grype JSON (`matches[]`) and SARIF 2.1 (`runs[].results[]`, severity from the rule's
/// `security-severity` score, else the result's level). Pure; bounded by what it keeps.
public enum ScanResultReader {
    /// What a scan found, merged per vulnerability id.
    public struct Summary: Sendable, Equatable {
        /// Vulnerabilities at or above the threshold, most severe first, at most ``ScanAttestation/maximumKept``.
        public var kept: [ScanAttestation.Vulnerability]
        /// Vulnerabilities at or above the threshold beyond the kept ones.
        public var omitted: Int
        /// Distinct vulnerabilities per severity, over the whole scan.
        public var counts: [VulnerabilitySeverity: Int]
    }

    /// One entry as read from a report, before merging.
    struct Entry {
        let id: String
        let severity: VulnerabilitySeverity
        let package: String
        let fixAvailable: Bool
    }

    /// Reads a result, keeping the findings at or above `threshold`.
    /// - Returns: the summary, or why the result is not a report of a known format.
    public static func read(_ result: JSONValue?, threshold: VulnerabilitySeverity) -> Result<Summary, ImageProvenanceError> {
        guard let result, case .object = result else {
            return .failure(.invalidResponse("predicate.scanner.result is missing or not an object"))
        }
        let entries: [Entry]
        if result["SchemaVersion"] != nil || result["Results"] != nil {
            entries = trivy(result)
        } else if case .array? = result["matches"] {
            entries = grype(result)
        } else if case .array? = result["runs"] {
            entries = sarif(result)
        } else {
            return .failure(.invalidResponse("predicate.scanner.result is not a Trivy, Grype or SARIF report"))
        }
        return .success(summarize(entries, threshold: threshold))
    }

    /// Trivy: `Results[].Vulnerabilities[]` with `VulnerabilityID`, `Severity`, `PkgName`, `FixedVersion`.
    static func trivy(_ result: JSONValue) -> [Entry] {
        (result["Results"]?.arrayValue ?? []).flatMap { target in
            (target["Vulnerabilities"]?.arrayValue ?? []).compactMap { item -> Entry? in
                guard let id = item["VulnerabilityID"]?.stringValue, !id.isEmpty else { return nil }
                let fixed = !(item["FixedVersion"]?.stringValue ?? "").isEmpty || item["Status"]?.stringValue == "fixed"
                return Entry(id: id, severity: severity(item["Severity"]?.stringValue),
                             package: item["PkgName"]?.stringValue ?? "", fixAvailable: fixed)
            }
        }
    }

    /// Grype: `matches[]` with `vulnerability.{id, severity, fix.state}` and `artifact.name`.
    static func grype(_ result: JSONValue) -> [Entry] {
        (result["matches"]?.arrayValue ?? []).compactMap { match -> Entry? in
            let vulnerability = match["vulnerability"]
            guard let id = vulnerability?["id"]?.stringValue, !id.isEmpty else { return nil }
            return Entry(id: id, severity: severity(vulnerability?["severity"]?.stringValue),
                         package: match["artifact"]?["name"]?.stringValue ?? "",
                         fixAvailable: vulnerability?["fix"]?["state"]?.stringValue == "fixed")
        }
    }

    /// SARIF: `runs[].results[]` with `ruleId`; severity from the rule's `properties.security-severity`
    /// (a CVSS score), else the result's `level` (error → high, warning → medium, note → low).
    /// SARIF says nothing of fixes: every finding counts as fixable.
    static func sarif(_ result: JSONValue) -> [Entry] {
        (result["runs"]?.arrayValue ?? []).flatMap { run -> [Entry] in
            var scores: [String: Double] = [:]
            for rule in run["tool"]?["driver"]?["rules"]?.arrayValue ?? [] {
                guard let id = rule["id"]?.stringValue, let raw = rule["properties"]?["security-severity"] else { continue }
                if let score = raw.stringValue.flatMap(Double.init) ?? raw.doubleValue { scores[id] = score }
            }
            return (run["results"]?.arrayValue ?? []).compactMap { item -> Entry? in
                guard let id = item["ruleId"]?.stringValue, !id.isEmpty else { return nil }
                let level: VulnerabilitySeverity
                switch item["level"]?.stringValue {
                case "error"?: level = .high
                case "warning"?: level = .medium
                case "note"?: level = .low
                default: level = .unknown
                }
                return Entry(id: id, severity: scores[id].map(VulnerabilitySeverity.init(score:)) ?? level, package: "", fixAvailable: true)
            }
        }
    }

    private static func severity(_ word: String?) -> VulnerabilitySeverity {
        word.flatMap(VulnerabilitySeverity.init(word:)) ?? .unknown
    }

    /// Merges entries per id (highest severity, up to 3 packages, fixable if any package is) and
    /// keeps those at or above the threshold.
    static func summarize(_ entries: [Entry], threshold: VulnerabilitySeverity) -> Summary {
        var merged: [String: ScanAttestation.Vulnerability] = [:]
        for entry in entries {
            var vulnerability = merged[entry.id] ?? ScanAttestation.Vulnerability(id: entry.id, severity: entry.severity, packages: [], fixAvailable: false)
            vulnerability.severity = max(vulnerability.severity, entry.severity)
            vulnerability.fixAvailable = vulnerability.fixAvailable || entry.fixAvailable
            if !entry.package.isEmpty, vulnerability.packages.count < 3, !vulnerability.packages.contains(entry.package) {
                vulnerability.packages.append(entry.package)
            }
            merged[entry.id] = vulnerability
        }
        var counts: [VulnerabilitySeverity: Int] = [:]
        for vulnerability in merged.values { counts[vulnerability.severity, default: 0] += 1 }
        let blocking = merged.values.filter { $0.severity >= threshold && $0.severity != .unknown }
            .sorted { ($0.severity, $1.id) > ($1.severity, $0.id) }
        let kept = Array(blocking.prefix(ScanAttestation.maximumKept))
        return Summary(kept: kept, omitted: blocking.count - kept.count, counts: counts)
    }
}
