import Crypto
import Foundation
import GuardRules
import KubeModel

/// Cosign key-based signatures, read and judged without I/O: the layers of a `sha256-<hex>.sig`
/// artefact each carry a "simple signing" JSON payload (the layer blob) and, in the
/// `dev.cosignproject.cosign/signature` annotation, a base64 ASN.1 ECDSA P-256 signature over the
/// payload's bytes (SHA-256).
public enum CosignSignatures {
    /// The annotation holding the signature.
    public static let signatureAnnotation = "dev.cosignproject.cosign/signature"
    /// The media type of a simple-signing payload layer.
    public static let payloadMediaType = "application/vnd.dev.cosign.simplesigning.v1+json"
    /// Largest payload read (cosign's are a few hundred bytes).
    public static let maximumPayloadBytes = 64 << 10
    /// At most this many signature layers are checked per artefact.
    public static let maximumLayers = 16

    /// One signature layer of the artefact.
    public struct Layer: Sendable, Equatable {
        /// The payload blob's digest.
        public let payloadDigest: String
        /// The decoded signature bytes (DER).
        public let signature: [UInt8]
    }

    /// The tag cosign stores the signatures of `digest` under: `sha256-<hex>.sig`.
    public static func signatureTag(for digest: String) -> String {
        digest.replacingOccurrences(of: ":", with: "-") + ".sig"
    }

    /// The signature layers of an artefact manifest.
    /// - Throws: ``ImageProvenanceError`` `invalidResponse` when it is not a manifest with signature layers.
    public static func layers(ofManifest bytes: [UInt8]) throws(ImageProvenanceError) -> [Layer] {
        guard let json = try? JSONParser.parse(bytes), case .array(let layers)? = json["layers"] else {
            throw ImageProvenanceError.invalidResponse("the signature artefact is not an image manifest with layers")
        }
        var result: [Layer] = []
        for layer in layers.prefix(maximumLayers) {
            guard let encoded = layer["annotations"]?[signatureAnnotation]?.stringValue,
                  let digest = layer["digest"]?.stringValue else { continue }
            guard let signature = Data(base64Encoded: encoded), !signature.isEmpty else {
                throw ImageProvenanceError.invalidResponse("a signature annotation is not base64")
            }
            result.append(Layer(payloadDigest: digest, signature: Array(signature)))
        }
        guard !result.isEmpty else {
            throw ImageProvenanceError.invalidResponse("no layer carries the \(signatureAnnotation) annotation")
        }
        return result
    }

    /// What one signature layer says about `digest` of `name` (`registry/repository`).
    public enum Outcome: Sendable, Equatable {
        /// It verifies with this key and covers this digest and repository.
        case verified(key: String)
        /// It verifies with a trusted key, for another digest.
        case otherDigest(String)
        /// It verifies with a trusted key, for another repository.
        case otherRepository(String)
        /// It verifies with a trusted key, but the payload is not simple-signing JSON.
        case malformedPayload(String)
        /// It verifies with no trusted key.
        case untrusted
    }

    /// Judges one layer: the signature must verify over the payload's exact bytes with one of `keys`,
    /// and the payload must name `digest` and the repository of `name`.
    public static func judge(payload: [UInt8], signature: [UInt8], keys: [TrustedKey], digest: String, name: String) -> Outcome {
        guard let parsed = try? P256.Signing.ECDSASignature(derRepresentation: signature),
              let key = keys.first(where: { $0.publicKey?.isValidSignature(parsed, for: payload) ?? false }) else {
            return .untrusted
        }
        guard let json = try? JSONParser.parse(payload), let critical = json["critical"],
              let signedDigest = critical["image"]?["docker-manifest-digest"]?.stringValue,
              let reference = critical["identity"]?["docker-reference"]?.stringValue else {
            return .malformedPayload("the payload signed with \(key.name) lacks critical.image.docker-manifest-digest or critical.identity.docker-reference")
        }
        guard signedDigest == digest else { return .otherDigest(signedDigest) }
        guard referenceMatches(reference, name: name) else { return .otherRepository(reference) }
        return .verified(key: key.name)
    }

    /// Whether a signed `docker-reference` (a repository, possibly with tag or digest, in any of
    /// Docker Hub's spellings) names the repository of `name`.
    static func referenceMatches(_ reference: String, name: String) -> Bool {
        guard let parsed = try? ImageReference(parsing: reference) else { return false }
        return parsed.name == name
    }

    /// The verdict over all layers: verified if any layer is; else the most specific reason.
    public static func verdict(_ outcomes: [Outcome], keys: [TrustedKey]) -> SignatureVerdict {
        var replayed: String?
        var repository: String?
        var malformed: String?
        for outcome in outcomes {
            switch outcome {
            case .verified(let key): return .verified(key: key)
            case .otherDigest(let digest): replayed = replayed ?? digest
            case .otherRepository(let reference): repository = repository ?? reference
            case .malformedPayload(let reason): malformed = malformed ?? reason
            case .untrusted: break
            }
        }
        if let replayed { return .replayed(signedDigest: replayed) }
        if let repository { return .wrongRepository(signedReference: repository) }
        if let malformed { return .malformed(malformed) }
        return .untrusted(signatures: outcomes.count, keys: keys.map(\.description))
    }
}
