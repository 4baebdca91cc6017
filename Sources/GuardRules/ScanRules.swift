import Foundation
import KubeModel

/// `image.scan-attested`: in a stage that requires it, every image a change introduces needs a
/// cosign vulnerability-scan attestation, signed with a trusted key, of a scan younger than
/// `scanAttestation.maxAgeDays`, without findings at or above `scanAttestation.severity` — except
/// those an active GuardException names under `spec.vulnerabilities`. Judged from the registry
/// facts the caller looked up (``EvaluationContext/provenance``); without facts (offline) it does
/// not run.
///
/// Only what a change brings is judged: images already in the old object, and objects Kubernetes'
/// own controllers create from a judged template (a Deployment's ReplicaSets and Pods), are not
/// judged again, so an ageing scan never stops a pod from being rescheduled.
enum ScanRules {
    /// One place an image is written: a container, or an OdooEnvironment's image or addon image.
    struct Site {
        /// Its path from the object root.
        let path: FieldPath
        /// For messages: `container "web"`, `spec.image`.
        let label: String
        /// The image as written.
        let image: String
        /// The parsed image.
        let reference: ImageReference
    }

    /// Whether a user is one of Kubernetes' own controllers (they create objects from templates
    /// that were judged when a person or an operator wrote them).
    static func isKubernetesController(_ user: String) -> Bool {
        user == "system:kube-controller-manager" || user.hasPrefix("system:serviceaccount:kube-system:")
    }

    /// The images of the request that need a scan attestation: new in this change, from a registry
    /// the stage allows (others are refused by `image.registry-allowed` without a look-up).
    /// An OdooEnvironment's images count only when pinned by digest (the operator pins the workloads).
    static func sites(_ input: RuleInput) -> [Site] {
        guard input.stage != nil, input.stagePolicy.requireScanAttestation,
              !isKubernetesController(input.request.userInfo.username) else { return [] }
        let old = input.oldObject.map(images(of:)) ?? []
        var result: [Site] = []
        func add(_ image: String?, path: @autoclosure () -> FieldPath, label: @autoclosure () -> String, pinnedOnly: Bool) {
            guard let image, !image.isEmpty, !old.contains(image), let reference = try? ImageReference(parsing: image),
                  input.stagePolicy.allows(reference.nameSlice), !pinnedOnly || reference.hasDigest else { return }
            result.append(Site(path: path(), label: label(), image: image, reference: reference))
        }
        for container in input.pod?.containers ?? [] {
            add(container.image, path: container.path / "image", label: container.label, pinnedOnly: false)
        }
        if let environment = OdooEnvironmentView(input.object) {
            add(environment.image, path: "spec.image", label: "spec.image", pinnedOnly: true)
            for (index, image) in environment.addonImages {
                add(image, path: FieldPath("spec.addons") / index / "image", label: "addon \(index)", pinnedOnly: true)
            }
        }
        return result
    }

    /// Every image an object runs (containers, an OdooEnvironment's image and addon images).
    static func images(of object: KubeObject) -> Set<String> {
        var result = Set(object.podTemplate?.containers.compactMap(\.image) ?? [])
        if let environment = OdooEnvironmentView(object) {
            if let image = environment.image { result.insert(image) }
            result.formUnion(environment.addonImages.map(\.image))
        }
        return result
    }

    /// Judges the new images; returns the audit evidence (`scan`: each digest's scan, signer,
    /// counts and waived findings).
    static func check(_ input: RuleInput, into findings: inout [Finding]) -> [String: String] {
        guard let facts = input.context.provenance else { return [:] }
        let sites = sites(input)
        guard !sites.isEmpty else { return [:] }
        let waivers = vulnerabilityWaivers(input)
        var evidence: [String] = []
        for site in sites {
            guard let digest = digest(of: site, facts: facts, into: &findings) else { continue }
            let name = site.reference.name
            if input.policy.scanAttestation.keys(for: name, provenance: input.policy.provenance).isEmpty {
                findings.append(Finding(rule: .imageScanAttested, path: site.path, message:
                    "stage \(input.stage?.rawValue ?? "") requires scanned images, but the policy trusts no key for scan attestations of \(name); add one under spec.scanAttestation.trustedKeys or spec.provenance.trustedKeys"))
                continue
            }
            switch facts.scans[ImageProvenanceFacts.signatureKey(name: name, digest: digest)] {
            case .attested(let attestation)?:
                if let line = judge(attestation, site: site, digest: digest, input: input, waivers: waivers, into: &findings),
                   !evidence.contains(line) {
                    evidence.append(line)
                }
            case let verdict?:
                findings.append(Finding(rule: .imageScanAttested, path: site.path, message:
                    "\(site.label) image \(name)@\(digest) is refused: \(verdict.explanation)"))
            case nil:
                findings.append(Finding(rule: .imageScanAttested, path: site.path, message:
                    "the scan attestation of \(name)@\(digest) was not checked (more than \(ProvenanceRules.maximumLookups) images in one object?)"))
            }
        }
        return evidence.isEmpty ? [:] : ["scan": evidence.joined(separator: "; ")]
    }

    /// The digest a site runs: written, else resolved; a finding when neither.
    private static func digest(of site: Site, facts: ImageProvenanceFacts, into findings: inout [Finding]) -> String? {
        if let digest = site.reference.digest { return digest }
        let reason: String
        switch facts.resolutions[site.image] {
        case .resolved(let digest)?: return digest
        case .notFound(let why)?: reason = "the registry does not have it (\(why))"
        case .unavailable(let why)?: reason = "the registry is unreachable (\(why))"
        case nil: reason = "it has no digest and was not resolved"
        }
        findings.append(Finding(rule: .imageScanAttested, path: site.path, message:
            "\(site.label) uses \(site.image): its scan attestation cannot be checked because \(reason); pin it by digest"))
        return nil
    }

    /// Age and findings of a verified attestation; returns the evidence line when the image passes.
    private static func judge(_ attestation: ScanAttestation, site: Site, digest: String, input: RuleInput,
                              waivers: [String: String], into findings: inout [Finding]) -> String? {
        let policy = input.policy.scanAttestation
        let image = "\(site.reference.name)@\(digest)"
        let now = input.context.now
        let finished = Timestamp.format(attestation.finishedAt)
        let age = now.timeIntervalSince(attestation.finishedAt)
        if age < -300 {
            findings.append(Finding(rule: .imageScanAttested, path: site.path, message:
                "the scan of \(image) is dated \(finished), in the future; the scanner's clock is wrong: scan again"))
            return nil
        }
        if age > TimeInterval(policy.maxAgeDays) * 86_400 {
            findings.append(Finding(rule: .imageScanAttested, path: site.path, message:
                "the scan of \(image) finished at \(finished), \(Int(age / 86_400)) days ago; the policy accepts scans younger than \(policy.maxAgeDays) days: scan it again and attest the result"))
            return nil
        }
        let blocking = attestation.vulnerabilities.filter { $0.severity >= policy.severity && (!policy.ignoreUnfixed || $0.fixAvailable) }
        let open = blocking.filter { waivers[$0.id.uppercased()] == nil }
        if !open.isEmpty || attestation.omitted > 0 {
            let listed = open.prefix(5).map { vulnerability in
                "\(vulnerability.id) (\(vulnerability.severity), \(vulnerability.packages.joined(separator: ", "))\(vulnerability.fixAvailable ? ", fix available" : ""))"
            }
            let more = open.count - listed.count + attestation.omitted
            findings.append(Finding(rule: .imageScanAttested, path: site.path, message:
                "\(site.label) image \(image) has \(open.count + attestation.omitted) finding\(open.count + attestation.omitted == 1 ? "" : "s") at or above \(policy.severity) in its scan of \(finished): \(listed.joined(separator: "; "))\(more > 0 ? "; and \(more) more" : ""): rebuild it on fixed packages, or have an approver accept them in a GuardException listing them under spec.vulnerabilities"))
            return nil
        }
        var line = "\(image) scanned \(finished) by \(attestation.scanner), signed with \(attestation.key): \(attestation.summary)"
        let waived = blocking.compactMap { vulnerability in waivers[vulnerability.id.uppercased()].map { "\(vulnerability.id) by \($0)" } }
        if !waived.isEmpty { line += "; accepted \(waived.joined(separator: ", "))" }
        return line
    }

    /// The vulnerability ids that active GuardExceptions covering the object accept, with which
    /// exception accepts each (upper-cased ids).
    private static func vulnerabilityWaivers(_ input: RuleInput) -> [String: String] {
        guard !input.policy.exceptions.nonExemptibleRules.contains(.imageScanAttested) else { return [:] }
        var result: [String: String] = [:]
        for exception in input.context.exceptions {
            guard !exception.vulnerabilities.isEmpty,
                  exception.rules.contains(.imageScanAttested), exception.covers(input.object),
                  exception.isActive(at: input.context.now) else { continue }
            for id in exception.vulnerabilities where result[id.uppercased()] == nil {
                result[id.uppercased()] = "GuardException \(exception.namespace)/\(exception.name) (approved by \(exception.approver), expires \(Timestamp.format(exception.expiresAt)))"
            }
        }
        return result
    }
}
