import Foundation

/// A verified cosign vulnerability-scan attestation (predicate
/// `https://cosign.sigstore.dev/attestation/vuln/v1`) of one image digest, reduced to what the
/// rules judge: who signed it, when the scan finished, and the findings at or above the threshold
/// it was read with. Built by the registry look-up; the rule decides age and severity.
public struct ScanAttestation: Sendable, Hashable {
    /// One vulnerability of the scan (findings of several packages for one id are merged).
    public struct Vulnerability: Sendable, Hashable {
        /// The id (`CVE-2024-1234`, `GHSA-…`).
        public var id: String
        /// The highest severity any package was rated with.
        public var severity: VulnerabilitySeverity
        /// Affected packages (at most 3 kept, for messages).
        public var packages: [String]
        /// Whether a fixed version exists for at least one affected package.
        public var fixAvailable: Bool

        /// A vulnerability.
        public init(id: String, severity: VulnerabilitySeverity, packages: [String], fixAvailable: Bool) {
            self.id = id
            self.severity = severity
            self.packages = packages
            self.fixAvailable = fixAvailable
        }
    }

    /// Most vulnerabilities kept per attestation; the rest are only counted (``omitted``).
    public static let maximumKept = 200

    /// The trusted key whose signature verified.
    public var key: String
    /// The scanner, as the predicate names it (`pkg:github/aquasecurity/trivy 0.58.1`).
    public var scanner: String
    /// When the scan finished (`metadata.scanFinishedOn`).
    public var finishedAt: Date
    /// The vulnerabilities at or above the threshold, most severe first, then by id.
    public var vulnerabilities: [Vulnerability]
    /// Vulnerabilities at or above the threshold beyond ``maximumKept``.
    public var omitted: Int
    /// Distinct vulnerabilities per severity, over the whole scan.
    public var counts: [VulnerabilitySeverity: Int]

    /// An attestation.
    public init(key: String, scanner: String, finishedAt: Date, vulnerabilities: [Vulnerability], omitted: Int = 0,
                counts: [VulnerabilitySeverity: Int] = [:]) {
        self.key = key
        self.scanner = scanner
        self.finishedAt = finishedAt
        self.vulnerabilities = vulnerabilities
        self.omitted = omitted
        self.counts = counts
    }

    /// `2 critical, 5 high, 0 medium, 11 low` (from ``counts``).
    public var summary: String {
        [VulnerabilitySeverity.critical, .high, .medium, .low].map { "\(counts[$0] ?? 0) \($0)" }.joined(separator: ", ")
    }
}
