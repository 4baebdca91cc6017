import KubeModel

/// `image.digest-resolve` (mutation) and `image.signature-required`, judged from the registry facts
/// the caller looked up (``EvaluationContext/provenance``). Without facts (offline checks) neither runs.
enum ProvenanceRules {
    /// At most this many distinct images are looked up per request; more are reported, not fetched.
    static let maximumLookups = 32

    /// The images of a request that need a registry look-up. Only images from registries the stage
    /// allows are looked up, so a tenant cannot make the webhook contact an arbitrary host.
    /// Container images are resolved and verified; the images a change introduces (``ScanRules/sites(_:)``,
    /// which include an OdooEnvironment's pinned images) also have their scan attestation read.
    static func lookups(_ input: RuleInput, resolve: Bool, verify: Bool, scan: Bool) -> [ImageLookup] {
        guard input.stage != nil, resolve || verify || scan else { return [] }
        let containerImages = input.pod?.containers.compactMap(\.image) ?? []
        let scanned = scan ? ScanRules.sites(input).map(\.image) : []
        let inTemplate = Set(containerImages)
        let needsScan = Set(scanned)
        var seen = Set<String>()
        var result: [ImageLookup] = []
        for image in containerImages + scanned where !image.isEmpty && seen.insert(image).inserted {
            guard let reference = try? ImageReference(parsing: image), input.stagePolicy.allows(reference.nameSlice) else { continue }
            let container = inTemplate.contains(image)
            let keys = verify && container ? input.policy.provenance.keys(for: reference.name) : []
            let scanKeys = needsScan.contains(image) ? input.policy.scanAttestation.keys(for: reference.name, provenance: input.policy.provenance) : []
            let lookup = ImageLookup(image: image, reference: reference, resolve: resolve && container && !reference.hasDigest,
                                     verify: !keys.isEmpty, keys: keys, scan: !scanKeys.isEmpty, scanKeys: scanKeys,
                                     scanThreshold: input.policy.scanAttestation.severity)
            guard lookup.resolve || lookup.verify || lookup.scan else { continue }
            result.append(lookup)
            if result.count == maximumLookups { break }
        }
        return result
    }

    /// Pins every `repo:tag` image to its resolved digest; a tag that could not be resolved is a
    /// finding under `image.digest-resolve` (its mode decides). Returns whether the document changed.
    static func resolveDigests(_ input: RuleInput, to document: inout JSONValue, findings: inout [Finding]) -> Bool {
        guard input.stage != nil, input.stagePolicy.resolveDigests, let facts = input.context.provenance,
              let pod = input.pod else { return false }
        var changed = false
        for container in pod.containers {
            guard let image = container.image, let reference = try? ImageReference(parsing: image), !reference.hasDigest,
                  input.stagePolicy.allows(reference.nameSlice) else { continue }
            switch facts.resolutions[image] {
            case .resolved(let digest)?:
                document.set(.string(image + "@" + digest), at: container.path / "image")
                changed = true
            case .notFound(let reason)?:
                findings.append(Finding(rule: .imageDigestResolve, path: container.path / "image", message:
                    "\(container.label) uses \(image), which the registry does not have: \(reason)"))
            case .unavailable(let reason)?:
                findings.append(Finding(rule: .imageDigestResolve, path: container.path / "image", message:
                    "registry unreachable, \(image) could not be resolved to a digest: \(reason)"))
            case nil:
                findings.append(Finding(rule: .imageDigestResolve, path: container.path / "image", message:
                    "\(image) was not resolved to a digest (more than \(maximumLookups) images in one object?); pin it by digest yourself"))
            }
        }
        return changed
    }

    /// Every image (as mutated) needs a signature by a trusted key over the digest it runs.
    static func checkSignatures(_ input: RuleInput, into findings: inout [Finding]) {
        guard input.stage != nil, input.stagePolicy.requireSignatures, let facts = input.context.provenance,
              let pod = input.pod else { return }
        for container in pod.containers {
            guard let image = container.image, let reference = try? ImageReference(parsing: image),
                  input.stagePolicy.allows(reference.nameSlice) else { continue }
            let path = container.path / "image"
            let name = reference.name
            if input.policy.provenance.keys(for: name).isEmpty {
                findings.append(Finding(rule: .imageSignatureRequired, path: path, message:
                    "stage \(input.stage?.rawValue ?? "") requires signed images, but the policy trusts no key for \(name); add one under spec.provenance.trustedKeys"))
                continue
            }
            let digest: String
            if let written = reference.digest {
                digest = written
            } else {
                switch facts.resolutions[image] {
                case .resolved(let resolved)?: digest = resolved
                case .notFound(let reason)?:
                    findings.append(Finding(rule: .imageSignatureRequired, path: path, message:
                        "\(container.label) uses \(image), which the registry does not have, so no signature can be checked: \(reason)"))
                    continue
                case .unavailable(let reason)?:
                    findings.append(Finding(rule: .imageSignatureRequired, path: path, message:
                        "registry unreachable, the signature of \(image) could not be checked: \(reason)"))
                    continue
                case nil:
                    findings.append(Finding(rule: .imageSignatureRequired, path: path, message:
                        "\(image) has no digest and was not resolved, so its signature cannot be checked; pin it by digest"))
                    continue
                }
            }
            guard let verdict = facts.signatures[ImageProvenanceFacts.signatureKey(name: name, digest: digest)] else {
                findings.append(Finding(rule: .imageSignatureRequired, path: path, message:
                    "the signature of \(name)@\(digest) was not checked (more than \(maximumLookups) images in one object?)"))
                continue
            }
            if !verdict.isVerified {
                findings.append(Finding(rule: .imageSignatureRequired, path: path, message:
                    "\(container.label) image \(name)@\(digest) is refused: \(verdict.explanation)"))
            }
        }
    }
}
