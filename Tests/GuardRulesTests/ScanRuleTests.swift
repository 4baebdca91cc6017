import Crypto
import Foundation
import GuardRules
import KubeModel
import Testing

/// `image.scan-attested`: new images need a trusted, recent vulnerability-scan attestation without
/// findings at or above the policy's severity, unless a GuardException names them (no I/O here).
@Suite("Scan attestation rules")
struct ScanRuleTests {
    static let keyPEM = P256.Signing.PrivateKey().publicKey.pemRepresentation
    static let digest = "sha256:" + String(repeating: "cd", count: 32)
    static let other = "sha256:" + String(repeating: "ef", count: 32)
    static let name = "registry.example.com/odoo/odoo"
    static let image = name + "@" + digest

    static func policy(severity: String = "high", ignoreUnfixed: Bool = false, keys: Bool = true, extra: String = "") throws -> GuardPolicy {
        let pem = String(decoding: JSONValue.string(keyPEM).serializedBytes(), as: UTF8.self)
        let repository = keys ? "registry.example.com/odoo/*" : "registry.example.com/other/*"
        return try Fixture.policy("""
          rules: {image.scan-attested: enforce}
          stages:
            production: {allowedRegistries: [registry.example.com/*], requireDigest: true, requireScanAttestation: true}
            staging: {allowedRegistries: [registry.example.com/*]}
          scanAttestation:
            maxAgeDays: 7
            severity: \(severity)
            ignoreUnfixed: \(ignoreUnfixed)
            trustedKeys: [{repositories: ["\(repository)"], keys: [{name: scanner, publicKey: \(pem)}]}]
        \(extra)
        """)
    }

    static func deployment(_ image: String = image, name: String = "web") -> JSONValue {
        Fixture.workload("Deployment", podSpec: Fixture.podSpec(Fixture.container(image: image)), name: name, replicas: 1)
    }

    static func vulnerability(_ id: String, _ severity: VulnerabilitySeverity, fixed: Bool = true) -> ScanAttestation.Vulnerability {
        ScanAttestation.Vulnerability(id: id, severity: severity, packages: ["openssl"], fixAvailable: fixed)
    }

    static func attested(daysAgo: Double = 1, _ vulnerabilities: [ScanAttestation.Vulnerability] = []) -> ScanVerdict {
        .attested(ScanAttestation(key: "scanner", scanner: "pkg:github/aquasecurity/trivy 0.58.1",
                                  finishedAt: Fixture.now.addingTimeInterval(-daysAgo * 86_400), vulnerabilities: vulnerabilities,
                                  counts: [.low: 4]))
    }

    static func facts(_ verdict: ScanVerdict?, digest: String = digest) -> ImageProvenanceFacts {
        var facts = ImageProvenanceFacts()
        if let verdict { facts.scans[ImageProvenanceFacts.signatureKey(name: name, digest: digest)] = verdict }
        return facts
    }

    static func findings(_ decision: Decision) -> [Violation] { decision.violations.filter { $0.rule == .imageScanAttested } }

    @Test("each scan verdict is judged: age, severity and trust", arguments: [
        ("a clean scan of yesterday", attested(), nil),
        ("a scan 6.9 days old", attested(daysAgo: 6.9), nil),
        ("a scan 10 days old", attested(daysAgo: 10), "10 days ago; the policy accepts scans younger than 7 days"),
        ("a scan dated tomorrow", attested(daysAgo: -1), "in the future"),
        ("a critical finding", attested([vulnerability("CVE-2024-0001", .critical)]), "CVE-2024-0001 (critical, openssl, fix available)"),
        ("a high finding at severity high", attested([vulnerability("CVE-2024-0002", .high)]), "1 finding at or above high"),
        ("a medium finding at severity high", attested([vulnerability("CVE-2024-0003", .medium)]), nil),
        ("no attestation", .missing, "no vulnerability-scan attestation exists"),
        ("an attestation of another digest", .replayed(subjectDigests: [other]), "made for another digest (\(other))"),
        ("signed with another key or changed", .untrusted(attestations: 1, keys: ["scanner"]), "does not verify with a trusted key"),
        ("unreadable", .malformed("predicate.scanner.result is not a Trivy, Grype or SARIF report"), "cannot be read"),
        ("registry down", .unavailable("connection refused"), "registry unreachable"),
        ("not looked up", nil, "was not checked"),
    ] as [(String, ScanVerdict?, String?)])
    func verdicts(_ label: String, _ verdict: ScanVerdict?, _ words: String?) throws {
        let decision = Fixture.evaluate(Self.deployment(), policy: try Self.policy(), provenance: Self.facts(verdict))
        let found = Self.findings(decision)
        if let words {
            #expect(!decision.allowed, "\(label)")
            #expect(found.count == 1 && found[0].message.contains(words), "\(label): \(found.map(\.message))")
            #expect(found.first?.path.description == "spec.template.spec.containers[0].image")
            #expect(decision.auditAnnotations["scan"] == nil)
        } else {
            #expect(decision.allowed, "\(label): \(decision.violations)")
            let evidence = try #require(decision.auditAnnotations["scan"])
            #expect(evidence.contains("\(Self.image) scanned") && evidence.contains("signed with scanner") && evidence.contains("4 low"), "\(evidence)")
        }
    }

    static func exception(_ vulnerabilities: [String], rules: [JSONValue] = ["image.scan-attested"],
                          expiresAt: String = "2026-12-01T00:00:00Z") -> JSONValue {
        var spec: JSONObject = ["rules": .array(rules), "targets": [["kind": "Deployment", "name": "web"]], "approver": "ciso",
                                "reason": "no fixed package yet", "expiresAt": .string(expiresAt)]
        if !vulnerabilities.isEmpty { spec["vulnerabilities"] = .array(vulnerabilities.map(JSONValue.string)) }
        return ["apiVersion": "odooguard.io/v1alpha1", "kind": "GuardException", "metadata": ["name": "accept-cve", "namespace": "clinic"],
                "spec": .object(spec)]
    }

    @Test("a GuardException accepts only the findings it names, while active and exemptible", arguments: [
        ("names the CVE", [exception(["cve-2024-0001"])], "", true),
        ("names another CVE", [exception(["CVE-2024-9999"])], "", false),
        ("has expired", [exception(["CVE-2024-0001"], expiresAt: "2026-11-01T00:00:00Z")], "", false),
        ("covers another object", [exception(["CVE-2024-0001"])].map { exception -> JSONValue in
            var copy = exception
            copy.set([["kind": "Deployment", "name": "billing"]], at: "spec.targets")
            return copy
        }, "", false),
        ("names it, but the rule is non-exemptible", [exception(["CVE-2024-0001"])],
         "  exceptions: {nonExemptibleRules: [image.scan-attested]}", false),
    ] as [(String, [JSONValue], String, Bool)])
    func vulnerabilityExceptions(_ label: String, _ peers: [JSONValue], _ extra: String, _ allowed: Bool) throws {
        let verdict = Self.attested([Self.vulnerability("CVE-2024-0001", .critical), Self.vulnerability("CVE-2024-0004", .low)])
        let decision = Fixture.evaluate(Self.deployment(), peers: peers, policy: try Self.policy(extra: extra), provenance: Self.facts(verdict))
        #expect(decision.allowed == allowed, "\(label): \(decision.violations)")
        if allowed {
            let evidence = decision.auditAnnotations["scan"] ?? ""
            #expect(evidence.contains("accepted CVE-2024-0001 by GuardException clinic/accept-cve (approved by ciso"), "\(evidence)")
        } else {
            #expect(Self.findings(decision).first?.message.contains("CVE-2024-0001") == true)
        }
    }

    @Test("an exception naming vulnerabilities never excuses a missing or old scan; one without them waives the rule")
    func exceptionScope() throws {
        let named = [Self.exception(["CVE-2024-0001"])]
        #expect(!Fixture.evaluate(Self.deployment(), peers: named, policy: try Self.policy(), provenance: Self.facts(.missing)).allowed)
        #expect(!Fixture.evaluate(Self.deployment(), peers: named, policy: try Self.policy(), provenance: Self.facts(Self.attested(daysAgo: 30))).allowed)
        let whole = Fixture.evaluate(Self.deployment(), peers: [Self.exception([])], policy: try Self.policy(), provenance: Self.facts(.missing))
        #expect(whole.allowed)
        #expect(whole.exempted.first?.violation.rule == .imageScanAttested)
    }

    @Test("ignoreUnfixed lets findings without a fixed version pass, and only those")
    func ignoreUnfixed() throws {
        let unfixed = Self.attested([Self.vulnerability("CVE-2024-0005", .critical, fixed: false)])
        #expect(!Fixture.evaluate(Self.deployment(), policy: try Self.policy(), provenance: Self.facts(unfixed)).allowed)
        #expect(Fixture.evaluate(Self.deployment(), policy: try Self.policy(ignoreUnfixed: true), provenance: Self.facts(unfixed)).allowed)
        let fixed = Self.attested([Self.vulnerability("CVE-2024-0006", .critical, fixed: true)])
        #expect(!Fixture.evaluate(Self.deployment(), policy: try Self.policy(ignoreUnfixed: true), provenance: Self.facts(fixed)).allowed)
    }

    @Test("only what a change brings is judged: unchanged images and Kubernetes' own controllers are not")
    func onlyChanges() throws {
        let policy = try Self.policy()
        let missing = Self.facts(.missing)
        // An update that keeps the image (scaling) passes even though the scan is missing by now.
        var scaled = Self.deployment()
        scaled.set(3, at: "spec.replicas")
        let kept = Fixture.evaluate(scaled, policy: policy, operation: .update, oldObject: Self.deployment(), provenance: missing)
        #expect(Self.findings(kept).isEmpty, "\(kept.violations)")
        // A new image in an update is judged.
        let newImage = Self.name + "@" + Self.other
        let changed = Fixture.evaluate(Self.deployment(newImage), policy: policy, operation: .update, oldObject: Self.deployment(),
                                       provenance: Self.facts(.missing, digest: Self.other))
        #expect(Self.findings(changed).count == 1)
        // A ReplicaSet's pod, created by the controller manager, is not judged; the same pod by a person is.
        let pod = Fixture.workload("Pod", podSpec: Fixture.podSpec(Fixture.container(image: Self.image)))
        for user in ["system:serviceaccount:kube-system:replicaset-controller", "system:kube-controller-manager"] {
            #expect(Self.findings(Fixture.evaluate(pod, policy: policy, user: user, provenance: missing)).isEmpty, "\(user)")
        }
        #expect(Self.findings(Fixture.evaluate(pod, policy: policy, user: "alice", provenance: missing)).count == 1)
        // Offline (no registry facts) the rule does not run.
        #expect(Self.findings(Fixture.evaluate(Self.deployment(), policy: policy)).isEmpty)
    }

    static func environment(image: String, addons: [String] = []) -> JSONValue {
        var spec: JSONObject = ["version": "17.0", "stage": "production", "tier": "dedicated", "image": .string(image)]
        if !addons.isEmpty { spec["addons"] = .array(addons.map { ["image": .string($0)] }) }
        return ["apiVersion": "odooguard.io/v1alpha1", "kind": "OdooEnvironment",
                "metadata": ["name": "clinic", "namespace": "clinic", "annotations": [GuardLabels.changeReference: "CHG-1"]],
                "spec": .object(spec)]
    }

    @Test("an OdooEnvironment's pinned image and addon images are judged at their fields; tags are left to its workloads")
    func environments() throws {
        let addon = "registry.example.com/odoo/addons@" + Self.other
        var facts = Self.facts(Self.attested([Self.vulnerability("CVE-2024-0007", .critical)]))
        facts.scans[ImageProvenanceFacts.signatureKey(name: "registry.example.com/odoo/addons", digest: Self.other)] = .missing
        let decision = Fixture.evaluate(Self.environment(image: Self.image, addons: [addon]), policy: try Self.policy(), provenance: facts)
        #expect(Self.findings(decision).map(\.path.description).sorted() == ["spec.addons[0].image", "spec.image"])
        let tagged = Fixture.evaluate(Self.environment(image: Self.name + ":17.0"), policy: try Self.policy(), provenance: ImageProvenanceFacts())
        #expect(Self.findings(tagged).isEmpty)
    }

    @Test("look-ups ask for the scan of new images only, with the scan keys and threshold; stages without the requirement ask nothing")
    func lookups() throws {
        let evaluator = GuardEvaluator(policy: try Self.policy())
        func lookups(_ object: JSONValue, old: JSONValue? = nil, stage: String = "production") -> [ImageLookup] {
            let view = KubeObject(object)
            let request = AdmissionRequest(uid: "l", kind: view.gvk, resource: ResourceType.of(view.gvk).gvr, name: view.name,
                                           namespace: "clinic", operation: old == nil ? .create : .update,
                                           userInfo: UserInfo(username: "alice"), object: object, oldObject: old)
            let context = EvaluationContext(namespace: NamespaceContext(name: "clinic", labels: [GuardLabels.stage: stage]), now: Fixture.now)
            return evaluator.imageLookups(for: request, context: context)
        }
        let created = lookups(Self.deployment())
        #expect(created.count == 1 && created[0].scan && created[0].scanKeys.map(\.name) == ["scanner"] && created[0].scanThreshold == .high)
        #expect(!created[0].verify && !created[0].resolve)
        #expect(lookups(Self.deployment(), old: Self.deployment()).isEmpty)
        #expect(lookups(Self.deployment(), stage: "staging").isEmpty)
        let environment = lookups(Self.environment(image: Self.image))
        #expect(environment.map(\.image) == [Self.image] && environment.first?.scan == true)
    }

    @Test("no trusted key for scan attestations denies and says where to add one")
    func noKey() throws {
        let decision = Fixture.evaluate(Self.deployment(), policy: try Self.policy(keys: false), provenance: Self.facts(nil))
        #expect(Self.findings(decision).first?.message.contains("spec.scanAttestation.trustedKeys") == true)
    }

    @Test("bad scanAttestation settings and vulnerability lists are field errors with their paths")
    func invalidSettings() throws {
        do {
            _ = try Fixture.policy("  scanAttestation: {maxAgeDays: 0, severity: urgent, ignoreUnfixed: \"no\", trustedKeys: {}}\n")
            Issue.record("the policy was accepted")
        } catch let error as GuardRulesError {
            let paths = Set(error.fieldErrors.map(\.path.description))
            #expect(paths == ["spec.scanAttestation.maxAgeDays", "spec.scanAttestation.severity", "spec.scanAttestation.ignoreUnfixed",
                              "spec.scanAttestation.trustedKeys"], "\(error.fieldErrors)")
        }
        let bad = Self.exception(["CVE-2024-0001", "not an id"], rules: ["pdb.required"])
        guard case .failure(let error) = GuardException.decode(KubeObject(bad), now: Date()) else {
            Issue.record("the exception was accepted")
            return
        }
        #expect(Set(error.fieldErrors.map(\.path.description)) == ["spec.vulnerabilities[1]", "spec.vulnerabilities"], "\(error.fieldErrors)")
    }
}
