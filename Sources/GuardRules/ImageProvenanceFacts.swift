import KubeModel

/// What the registry said about the images of one request, looked up by the caller before evaluation
/// (rules do no I/O). `nil` in ``EvaluationContext/provenance`` means no look-up was made (offline
/// checks): the provenance rules then do not run, and `guardctl verify-image` is the offline tool.
public struct ImageProvenanceFacts: Sendable, Equatable {
    /// Tag → digest results, by image as written in the object.
    public var resolutions: [String: DigestResolution]
    /// Signature verdicts, by `registry/repository@digest`.
    public var signatures: [String: SignatureVerdict]
    /// Vulnerability-scan attestation verdicts, by `registry/repository@digest`.
    public var scans: [String: ScanVerdict]

    /// Facts.
    public init(resolutions: [String: DigestResolution] = [:], signatures: [String: SignatureVerdict] = [:],
                scans: [String: ScanVerdict] = [:]) {
        self.resolutions = resolutions
        self.signatures = signatures
        self.scans = scans
    }

    /// The key of ``signatures`` for an image name and digest.
    public static func signatureKey(name: String, digest: String) -> String { name + "@" + digest }
}

/// The outcome of resolving a tag to a digest.
public enum DigestResolution: Sendable, Hashable {
    /// The tag points at this manifest or index digest (`sha256:…`).
    case resolved(String)
    /// The registry answered that the tag or repository does not exist (message says which).
    case notFound(String)
    /// The registry could not be asked or did not answer in time (message says why; never credentials).
    case unavailable(String)

    /// The digest, when resolved.
    public var digest: String? {
        if case .resolved(let digest) = self { return digest }
        return nil
    }
}

/// The outcome of checking the cosign signatures of one digest against the trusted keys.
public enum SignatureVerdict: Sendable, Hashable {
    /// A signature over this digest and repository verifies with the named trusted key.
    case verified(key: String)
    /// No signature artefact (`sha256-<hex>.sig`) exists for the digest.
    case unsigned
    /// A trusted signature exists but was made for another digest (copied from another image).
    case replayed(signedDigest: String)
    /// A trusted signature exists but names another repository.
    case wrongRepository(signedReference: String)
    /// Signatures exist, but none verifies with a trusted key: signed by another key, or the payload
    /// was changed after signing (for key-based ECDSA signatures the two cannot be told apart).
    case untrusted(signatures: Int, keys: [String])
    /// The signature artefact is not a cosign simple-signing artefact (message says what is wrong).
    case malformed(String)
    /// The registry could not be asked or did not answer in time.
    case unavailable(String)

    /// Whether the image may run.
    public var isVerified: Bool {
        if case .verified = self { return true }
        return false
    }

    /// A sentence for the tenant.
    public var explanation: String {
        switch self {
        case .verified(let key): return "signature verified with trusted key \(key)"
        case .unsigned: return "no cosign signature exists for this digest; sign it with `cosign sign --key` using a key the policy trusts"
        case .replayed(let signed):
            return "the signature was made for another digest (\(signed)) and copied to this one; sign this digest itself"
        case .wrongRepository(let reference):
            return "the signature was made for repository \(reference), not this one; sign the image where it is pulled from"
        case .untrusted(let count, let keys):
            return "\(count == 1 ? "the signature does not verify" : "none of the \(count) signatures verifies") with a trusted key (\(keys.joined(separator: ", "))): it was made with another key, or its payload was changed after signing"
        case .malformed(let reason): return "the signature artefact is malformed: \(reason)"
        case .unavailable(let reason): return "registry unreachable, the signature could not be checked: \(reason)"
        }
    }
}

/// One image the caller must look up before evaluating a request: resolve its tag, verify its
/// signature with ``keys``, read its scan attestation with ``scanKeys``, or several of these.
/// Produced by ``GuardEvaluator/imageLookups(for:context:)``.
public struct ImageLookup: Sendable, Hashable {
    /// The image as written.
    public let image: String
    /// The parsed reference.
    public let reference: ImageReference
    /// Whether its tag must be resolved to a digest (it has none and the stage resolves digests).
    public let resolve: Bool
    /// Whether a signature must be checked (the stage requires signatures).
    public let verify: Bool
    /// The keys trusted for its repository (may be empty: the rule then denies without a look-up).
    public let keys: [TrustedKey]
    /// Whether its vulnerability-scan attestation must be read (the stage requires one and the image is new).
    public let scan: Bool
    /// The keys trusted to sign its scan attestations.
    public let scanKeys: [TrustedKey]
    /// Findings below this severity are only counted, not kept (the policy's threshold).
    public let scanThreshold: VulnerabilitySeverity

    /// A look-up.
    public init(image: String, reference: ImageReference, resolve: Bool, verify: Bool, keys: [TrustedKey],
                scan: Bool = false, scanKeys: [TrustedKey] = [], scanThreshold: VulnerabilitySeverity = .critical) {
        self.image = image
        self.reference = reference
        self.resolve = resolve
        self.verify = verify
        self.keys = keys
        self.scan = scan
        self.scanKeys = scanKeys
        self.scanThreshold = scanThreshold
    }
}
