import GuardRules
import KubeModel
import NIOCore

extension ImageProvenanceService {
    /// The verdict on the vulnerability-scan attestations of `digest` in the reference's repository
    /// against `keys`, keeping findings at or above `threshold`; cached per (repository, digest, key
    /// set, threshold, credentials). The scan's age is judged by the rule, so a cached verdict never
    /// hides an ageing scan.
    public func verifyScan(of reference: ImageReference, digest: String, keys: [TrustedKey], threshold: VulnerabilitySeverity,
                           access: RegistryClient.Access, policy: ProvenancePolicy, deadline: ContinuousClock.Instant) async -> ScanVerdict {
        let name = reference.name
        let key = cacheKey(reference, access: access) + "@" + digest + "|" + keys.map(\.fingerprint).sorted().joined(separator: ",")
            + "|" + threshold.description
        let value = await cached(scans, key: key, deadline: deadline, policy: policy) { client, registryDeadline in
            await Self.checkScans(client, reference: reference, digest: digest, keys: keys, threshold: threshold, access: access,
                                  deadline: registryDeadline)
        }
        return value ?? .unavailable("\(name)@\(digest): no answer within the \(Self.text(policy.budget)) budget")
    }

    /// Reads the attestation artefact of `digest` and judges each vulnerability-scan envelope in it.
    private static func checkScans(_ client: RegistryClient, reference: ImageReference, digest: String, keys: [TrustedKey],
                                   threshold: VulnerabilitySeverity, access: RegistryClient.Access, deadline: NIODeadline) async -> ScanVerdict {
        let layers: [String]
        do throws(ImageProvenanceError) {
            let manifest = try await client.manifest(reference, target: CosignAttestations.attestationTag(for: digest),
                                                     accept: "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json",
                                                     access: access, deadline: deadline)
            layers = try CosignAttestations.envelopeDigests(ofManifest: manifest.bytes)
        } catch {
            switch error {
            case .notFound: return .missing
            case .invalidResponse: return .malformed(error.message)
            default: return .unavailable(error.message)
            }
        }
        var outcomes: [CosignAttestations.Outcome] = []
        for layer in layers {
            let envelope: [UInt8]
            do throws(ImageProvenanceError) {
                envelope = try await client.blob(reference, digest: layer, limit: CosignAttestations.maximumEnvelopeBytes,
                                                 access: access, deadline: deadline)
            } catch {
                switch error {
                case .notFound, .invalidResponse: return .malformed("envelope \(layer): \(error.message)")
                default: return .unavailable(error.message)
                }
            }
            outcomes.append(CosignAttestations.judge(envelope: envelope, keys: keys, digest: digest, threshold: threshold))
        }
        return CosignAttestations.verdict(outcomes, keys: keys)
    }
}
