/// `spec.scanAttestation` of a GuardPolicy: what a vulnerability-scan attestation must show for an
/// image to run in a stage that requires one (``StagePolicy/requireScanAttestation``,
/// rule `image.scan-attested`).
public struct ScanAttestationPolicy: Sendable, Equatable {
    /// The oldest scan accepted, in days since it finished.
    public var maxAgeDays: Int
    /// Findings at or above this severity refuse the image (unless a GuardException names them).
    public var severity: VulnerabilitySeverity
    /// Whether findings with no fixed version yet are ignored (Trivy's `--ignore-unfixed`).
    public var ignoreUnfixed: Bool
    /// Keys trusted to sign scan attestations, per repository pattern; empty: the provenance keys.
    public var trustedKeys: [TrustedKeySet]

    /// A scan policy; the defaults are those of an empty `spec.scanAttestation`.
    public init(maxAgeDays: Int = 7, severity: VulnerabilitySeverity = .critical, ignoreUnfixed: Bool = false,
                trustedKeys: [TrustedKeySet] = []) {
        self.maxAgeDays = maxAgeDays
        self.severity = severity
        self.ignoreUnfixed = ignoreUnfixed
        self.trustedKeys = trustedKeys
    }

    /// The keys trusted for the scan attestations of an image name: the scan keys matching it when
    /// the policy names any, else the provenance keys for it.
    public func keys(for name: String, provenance: ProvenancePolicy) -> [TrustedKey] {
        guard !trustedKeys.isEmpty else { return provenance.keys(for: name) }
        return ProvenancePolicy(trustedKeys: trustedKeys).keys(for: name)
    }
}
