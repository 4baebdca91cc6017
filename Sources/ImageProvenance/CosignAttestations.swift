import Crypto
import Foundation
import GuardRules
import KubeModel

/// Cosign attestations, read and judged without I/O: the layers of a `sha256-<hex>.att` artefact are
/// DSSE envelopes (`application/vnd.dsse.envelope.v1+json`) whose payload is an in-toto statement;
/// each signature is ECDSA P-256 (SHA-256, ASN.1 DER, base64) over the envelope's pre-authentication
/// encoding (DSSE's PAE), never over the statement's bytes alone.
public enum CosignAttestations {
    /// The media type of an attestation layer.
    public static let envelopeMediaType = "application/vnd.dsse.envelope.v1+json"
    /// The DSSE payload type of an in-toto statement.
    public static let inTotoPayloadType = "application/vnd.in-toto+json"
    /// The predicate types of a cosign vulnerability scan (cosign's current and its older spelling).
    public static let vulnerabilityPredicateTypes: Set<String> = [
        "https://cosign.sigstore.dev/attestation/vuln/v1", "cosign.sigstore.dev/attestation/vuln/v1",
    ]
    /// Largest envelope read: a full Trivy or Grype report of a large image, base64-encoded.
    public static let maximumEnvelopeBytes = 6 << 20
    /// At most this many attestation layers are read per artefact.
    public static let maximumLayers = 16

    /// The tag cosign stores the attestations of `digest` under: `sha256-<hex>.att`.
    public static func attestationTag(for digest: String) -> String {
        digest.replacingOccurrences(of: ":", with: "-") + ".att"
    }

    /// The envelope layers of an attestation manifest worth reading: DSSE layers whose (unsigned)
    /// `predicateType` annotation, when present, is a vulnerability scan. Empty when there is none.
    /// - Throws: ``ImageProvenanceError`` `invalidResponse` when it is not a manifest with layers.
    public static func envelopeDigests(ofManifest bytes: [UInt8]) throws(ImageProvenanceError) -> [String] {
        guard let json = try? JSONParser.parse(bytes), case .array(let layers)? = json["layers"] else {
            throw ImageProvenanceError.invalidResponse("the attestation artefact is not an image manifest with layers")
        }
        return layers.compactMap { layer -> String? in
            guard layer["mediaType"]?.stringValue == envelopeMediaType, let digest = layer["digest"]?.stringValue else { return nil }
            if let type = layer["annotations"]?["predicateType"]?.stringValue, !vulnerabilityPredicateTypes.contains(type) { return nil }
            return digest
        }.prefix(maximumLayers).map { $0 }
    }

    /// DSSE's pre-authentication encoding: `DSSEv1 <len(type)> <type> <len(body)> <body>`.
    public static func preAuthenticationEncoding(payloadType: String, payload: [UInt8]) -> [UInt8] {
        Array("DSSEv1 \(payloadType.utf8.count) \(payloadType) \(payload.count) ".utf8) + payload
    }

    /// What one envelope says about `digest`.
    public enum Outcome: Sendable, Equatable {
        /// A trusted vulnerability scan of this digest.
        case attested(ScanAttestation)
        /// A trusted vulnerability scan of other digests.
        case otherSubject([String])
        /// Not a vulnerability scan (another predicate type); not counted.
        case otherPredicate
        /// A trusted envelope that cannot be read as a vulnerability scan.
        case malformed(String)
        /// No signature verifies with a trusted key.
        case untrusted
    }

    /// Judges one envelope: a signature must verify over the PAE with one of `keys`; the statement
    /// must be a vulnerability scan whose subject names `digest`; findings below `threshold` are only counted.
    public static func judge(envelope bytes: [UInt8], keys: [TrustedKey], digest: String, threshold: VulnerabilitySeverity) -> Outcome {
        guard let envelope = try? JSONParser.parse(bytes), let type = envelope["payloadType"]?.stringValue,
              let encoded = envelope["payload"]?.stringValue, let payload = Data(base64Encoded: encoded).map(Array.init) else {
            return .malformed("an attestation layer is not a DSSE envelope with payloadType and base64 payload")
        }
        let statement = try? JSONParser.parse(payload)
        // The predicate type is read before the signature only to skip other attestations (SLSA, SBOM).
        if let predicateType = statement?["predicateType"]?.stringValue, !vulnerabilityPredicateTypes.contains(predicateType) {
            return .otherPredicate
        }
        let signed = preAuthenticationEncoding(payloadType: type, payload: payload)
        let signatures = (envelope["signatures"]?.arrayValue ?? []).compactMap { entry -> P256.Signing.ECDSASignature? in
            guard let text = entry["sig"]?.stringValue, let der = Data(base64Encoded: text) else { return nil }
            return try? P256.Signing.ECDSASignature(derRepresentation: der)
        }
        guard let key = keys.first(where: { key in signatures.contains { key.publicKey?.isValidSignature($0, for: signed) ?? false } }) else {
            return .untrusted
        }
        guard type == inTotoPayloadType, let statement else {
            return .malformed("the envelope signed with \(key.name) does not carry an in-toto statement (payloadType \(type))")
        }
        let subjects = (statement["subject"]?.arrayValue ?? []).compactMap { $0["digest"]?["sha256"]?.stringValue.map { "sha256:" + $0 } }
        guard subjects.contains(digest) else { return .otherSubject(subjects) }
        return predicate(statement["predicate"], key: key.name, threshold: threshold)
    }

    /// Reads a trusted vulnerability predicate: scanner, finish time and findings.
    static func predicate(_ predicate: JSONValue?, key: String, threshold: VulnerabilitySeverity) -> Outcome {
        guard let finished = predicate?["metadata"]?["scanFinishedOn"]?.stringValue else {
            return .malformed("the scan signed with \(key) has no predicate.metadata.scanFinishedOn")
        }
        guard let finishedAt = Timestamp.parse(finished) else {
            return .malformed("predicate.metadata.scanFinishedOn \"\(finished.prefix(40))\" is not an RFC 3339 time")
        }
        let scanner = predicate?["scanner"]
        let name = [scanner?["uri"]?.stringValue, scanner?["version"]?.stringValue].compactMap { $0 }.filter { !$0.isEmpty }
        switch ScanResultReader.read(scanner?["result"], threshold: threshold) {
        case .success(let summary):
            return .attested(ScanAttestation(key: key, scanner: name.isEmpty ? "an unnamed scanner" : name.joined(separator: " ").prefix(120).description,
                                             finishedAt: finishedAt, vulnerabilities: summary.kept, omitted: summary.omitted,
                                             counts: summary.counts))
        case .failure(let error):
            return .malformed("the scan signed with \(key): \(error.message)")
        }
    }

    /// The verdict over all envelopes: the newest trusted scan of this digest; else the most
    /// specific reason (replayed, malformed, untrusted); missing when no envelope is a scan.
    public static func verdict(_ outcomes: [Outcome], keys: [TrustedKey]) -> ScanVerdict {
        var newest: ScanAttestation?
        var replayed: [String]?
        var malformed: String?
        var untrusted = 0
        for outcome in outcomes {
            switch outcome {
            case .attested(let attestation):
                if newest.map({ attestation.finishedAt > $0.finishedAt }) ?? true { newest = attestation }
            case .otherSubject(let subjects): replayed = replayed ?? subjects
            case .malformed(let reason): malformed = malformed ?? reason
            case .untrusted: untrusted += 1
            case .otherPredicate: break
            }
        }
        if let newest { return .attested(newest) }
        if let replayed { return .replayed(subjectDigests: replayed) }
        if let malformed { return .malformed(malformed) }
        if untrusted > 0 { return .untrusted(attestations: untrusted, keys: keys.map(\.description)) }
        return .missing
    }
}
