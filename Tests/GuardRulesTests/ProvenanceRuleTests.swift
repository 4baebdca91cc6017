import Crypto
import GuardRules
import KubeModel
import Testing

/// `image.digest-resolve` and `image.signature-required`, judged from registry facts (no I/O here).
@Suite("Provenance rules")
struct ProvenanceRuleTests {
    static let keyPEM = P256.Signing.PrivateKey().publicKey.pemRepresentation
    static let digest = "sha256:" + String(repeating: "cd", count: 32)
    static let other = "sha256:" + String(repeating: "ef", count: 32)
    static let image = "registry.example.com/odoo/odoo:17.0"
    static let name = "registry.example.com/odoo/odoo"

    static func policy(mode: String = "enforce", keys: Bool = true) throws -> GuardPolicy {
        let pem = String(decoding: JSONValue.string(keyPEM).serializedBytes(), as: UTF8.self)
        let repository = keys ? "registry.example.com/odoo/*" : "registry.example.com/other/*"
        return try Fixture.policy("""
          rules: {image.digest-resolve: \(mode), image.signature-required: \(mode)}
          stages:
            production: {allowedRegistries: [registry.example.com/*], resolveDigests: true, requireSignatures: true}
          provenance:
            timeoutSeconds: 2
            trustedKeys: [{repositories: ["\(repository)"], keys: [{name: release, publicKey: \(pem)}]}]
        """)
    }

    static func deployment(_ image: String = image) -> JSONValue {
        Fixture.workload("Deployment", podSpec: Fixture.podSpec(Fixture.container(image: image)), replicas: 1)
    }

    static func facts(_ resolution: DigestResolution?, _ verdict: SignatureVerdict?, digest: String = digest) -> ImageProvenanceFacts {
        var facts = ImageProvenanceFacts()
        if let resolution { facts.resolutions[image] = resolution }
        if let verdict { facts.signatures[ImageProvenanceFacts.signatureKey(name: name, digest: digest)] = verdict }
        return facts
    }

    @Test("a resolved, verified tag is pinned by the patch and allowed")
    func resolvedAndVerified() throws {
        let decision = Fixture.evaluate(Self.deployment(), policy: try Self.policy(),
                                        provenance: Self.facts(.resolved(Self.digest), .verified(key: "release")))
        #expect(decision.allowed, "\(decision.violations)")
        let mutated = try #require(decision.mutatedObject)
        #expect(mutated["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["image"]?.stringValue == Self.image + "@" + Self.digest)
        #expect(decision.auditAnnotations["mutations"]?.contains("image.digest-resolve") == true)
    }

    @Test("each refusal denies with its reason under image.signature-required", arguments: [
        (SignatureVerdict.unsigned, "no cosign signature exists"),
        (.replayed(signedDigest: other), "made for another digest"),
        (.untrusted(signatures: 1, keys: ["release"]), "does not verify with a trusted key"),
        (.wrongRepository(signedReference: "registry.example.com/other/app"), "made for repository registry.example.com/other/app"),
        (.malformed("no layer carries the annotation"), "malformed"),
        (.unavailable("connection refused"), "registry unreachable"),
    ])
    func refusals(verdict: SignatureVerdict, words: String) throws {
        let decision = Fixture.evaluate(Self.deployment(), policy: try Self.policy(), provenance: Self.facts(.resolved(Self.digest), verdict))
        #expect(!decision.allowed)
        let finding = try #require(decision.violations.first { $0.rule == .imageSignatureRequired })
        #expect(finding.message.contains(words), "\(finding.message)")
        #expect(finding.path.description.contains("containers[0].image"))
    }

    @Test("an unreachable registry denies in enforce mode and warns in warn mode, naming it")
    func unreachableByMode() throws {
        let facts = Self.facts(.unavailable("connection refused"), nil)
        let enforced = Fixture.evaluate(Self.deployment(), policy: try Self.policy(), provenance: facts)
        #expect(!enforced.allowed)
        #expect(enforced.denialMessage.contains("registry unreachable"))
        let warned = Fixture.evaluate(Self.deployment(), policy: try Self.policy(mode: "warn"), provenance: facts)
        #expect(warned.allowed)
        #expect(warned.warnings.contains { $0.contains("registry unreachable") })
    }

    @Test("a digest written in the image is verified as written, without resolution")
    func pinnedImage() throws {
        let pinned = Self.image + "@" + Self.other
        var facts = ImageProvenanceFacts()
        facts.signatures[ImageProvenanceFacts.signatureKey(name: Self.name, digest: Self.other)] = .verified(key: "release")
        let decision = Fixture.evaluate(Self.deployment(pinned), policy: try Self.policy(), provenance: facts)
        #expect(decision.allowed, "\(decision.violations)")
        #expect(decision.patch.isEmpty)
    }

    @Test("no trusted key for the repository denies and says where to add one")
    func noKey() throws {
        let decision = Fixture.evaluate(Self.deployment(), policy: try Self.policy(keys: false),
                                        provenance: Self.facts(.resolved(Self.digest), nil))
        let finding = try #require(decision.violations.first { $0.rule == .imageSignatureRequired })
        #expect(finding.message.contains("spec.provenance.trustedKeys"))
    }

    @Test("without facts (offline) the provenance rules do not run")
    func offline() throws {
        let decision = Fixture.evaluate(Self.deployment(), policy: try Self.policy(), provenance: nil)
        #expect(!decision.violations.contains { $0.rule == .imageSignatureRequired || $0.rule == .imageDigestResolve })
    }

    @Test("the validating phase reports a tag the mutating webhook did not pin")
    func validatingPhase() throws {
        let decision = Fixture.evaluate(Self.deployment(), policy: try Self.policy(),
                                        provenance: Self.facts(.resolved(Self.digest), .verified(key: "release")), phase: .validating)
        #expect(decision.violations.contains { $0.rule == .imageDigestResolve })
    }

    @Test("look-ups list each allowed image once, never a disallowed registry")
    func lookups() throws {
        let spec: JSONValue = ["containers": [Fixture.container(name: "a", image: Self.image), Fixture.container(name: "b", image: Self.image),
                                              Fixture.container(name: "c", image: "evil.example.net/x/y:1")]]
        let object = Fixture.workload("Deployment", podSpec: spec, replicas: 1)
        let request = AdmissionRequest(uid: "u", kind: GroupVersionKind(group: "apps", version: "v1", kind: "Deployment"),
                                       resource: GroupVersionResource(group: "apps", version: "v1", resource: "deployments"),
                                       name: "web", namespace: "clinic", operation: .create, userInfo: UserInfo(username: "alice"), object: object)
        let context = EvaluationContext(namespace: NamespaceContext(name: "clinic", labels: [GuardLabels.stage: "production"]), now: Fixture.now)
        let lookups = GuardEvaluator(policy: try Self.policy()).imageLookups(for: request, context: context)
        #expect(lookups.map(\.image) == [Self.image])
        #expect(lookups.first?.resolve == true && lookups.first?.verify == true && lookups.first?.keys.map(\.name) == ["release"])
    }

    @Test("policy errors for provenance name their fields", arguments: [
        ("provenance: {timeoutSeconds: 60}", "spec.provenance.timeoutSeconds"),
        ("provenance: {insecureRegistries: [\"http://x\"]}", "spec.provenance.insecureRegistries[0]"),
        ("provenance: {trustedKeys: [{repositories: [a/*], keys: [{name: k, publicKey: nonsense}]}]}", "spec.provenance.trustedKeys[0].keys[0].publicKey"),
        ("provenance: {trustedKeys: [{keys: []}]}", "spec.provenance.trustedKeys[0].repositories"),
        ("provenance: {cache: {maxEntries: 0}}", "spec.provenance.cache.maxEntries"),
    ])
    func policyErrors(yaml: String, path: String) {
        do throws(GuardRulesError) {
            _ = try GuardPolicy(text: "apiVersion: odooguard.io/v1alpha1\nkind: GuardPolicy\nmetadata: {name: test}\nspec:\n  " + yaml)
            Issue.record("accepted \(yaml)")
        } catch {
            #expect(error.fieldErrors.contains { $0.path.description == path }, "\(error.fieldErrors)")
        }
    }
}
