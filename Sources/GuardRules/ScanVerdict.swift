/// The outcome of looking up the vulnerability-scan attestations of one image digest.
public enum ScanVerdict: Sendable, Hashable {
    /// The newest attestation that verifies with a trusted key and names this digest.
    case attested(ScanAttestation)
    /// No attestation artefact (`sha256-<hex>.att`), or none of its attestations is a vulnerability scan.
    case missing
    /// A trusted scan attestation exists but its subject is another digest (copied from another image).
    case replayed(subjectDigests: [String])
    /// Scan attestations exist, but none verifies with a trusted key: signed with another key, or
    /// changed after signing.
    case untrusted(attestations: Int, keys: [String])
    /// The artefact or a trusted attestation cannot be read (message says what is wrong).
    case malformed(String)
    /// The registry could not be asked or did not answer in time.
    case unavailable(String)

    /// A sentence for the tenant, for every verdict but ``attested(_:)``.
    public var explanation: String {
        switch self {
        case .attested(let attestation): return "scanned by \(attestation.scanner), signed with \(attestation.key): \(attestation.summary)"
        case .missing:
            return "no vulnerability-scan attestation exists for this digest; scan it and attach the result with `cosign attest --type vuln --key …`"
        case .replayed(let subjects):
            return "the scan attestation was made for another digest (\(subjects.prefix(3).joined(separator: ", "))) and copied to this one; scan this digest itself"
        case .untrusted(let count, let keys):
            return "\(count == 1 ? "the scan attestation does not verify" : "none of the \(count) scan attestations verifies") with a trusted key (\(keys.joined(separator: ", "))): it was signed with another key, or changed after signing"
        case .malformed(let reason): return "the scan attestation cannot be read: \(reason)"
        case .unavailable(let reason): return "registry unreachable, the scan attestation could not be checked: \(reason)"
        }
    }
}
