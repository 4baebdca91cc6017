import Crypto
import Foundation
import GuardRules
import ImageProvenance
import KubeModel
import Testing
import TestSupport

/// Resolution and verification against Debian's docker-registry with images and signatures pushed by skopeo.
@Suite("Provenance against a real registry", .serialized)
struct ProvenanceRegistryTests {
    @Test("a signed tag resolves to its digest and verifies with the trusted key")
    func signedAndValid() async throws {
        try await withRegistry { fixture, service in
            let digest = try await fixture.pushImage(tag: "17.0")
            try await fixture.sign(digest)
            let image = "\(fixture.name):17.0"
            let facts = await service.facts(for: [try fixture.lookup(image)], policy: fixture.policy(), credentials: CredentialStore())
            #expect(facts.resolutions[image] == .resolved(digest))
            #expect(facts.signatures[ImageProvenanceFacts.signatureKey(name: fixture.name, digest: digest)] == .verified(key: "release"))
        }
    }

    @Test("each refusal says why: unsigned, unknown key, replayed, tampered payload, other repository")
    func refusals() async throws {
        try await withRegistry { fixture, service in
            let policy = fixture.policy()
            func verdict(_ digest: String) async -> SignatureVerdict {
                await service.verifySignature(of: try! fixture.reference("x"), digest: digest, keys: [fixture.trustedKey],
                                              access: .init(insecureRegistries: [fixture.registry.host]), policy: policy,
                                              deadline: .now + .seconds(30))
            }
            let unsigned = try await fixture.pushImage(tag: "unsigned")
            #expect(await verdict(unsigned) == .unsigned)

            let otherKey = try await fixture.pushImage(tag: "other-key")
            try await fixture.sign(otherKey, key: P256.Signing.PrivateKey())
            #expect(await verdict(otherKey) == .untrusted(signatures: 1, keys: [fixture.trustedKey.description]))

            // The signature of a signed image copied to another digest's signature tag.
            let signed = try await fixture.pushImage(tag: "signed")
            let payload = CosignTestSigner.payload(digest: signed, reference: fixture.name)
            let signature = try CosignTestSigner.sign(payload, with: fixture.signingKey)
            let victim = try await fixture.pushImage(tag: "victim")
            try await fixture.pushSignature(for: victim, layers: [(payload, signature)])
            #expect(await verdict(victim) == .replayed(signedDigest: signed))

            // A payload edited after signing to name this digest: the signature no longer verifies.
            let tamperedDigest = try await fixture.pushImage(tag: "tampered")
            let original = CosignTestSigner.payload(digest: signed, reference: fixture.name)
            let originalSignature = try CosignTestSigner.sign(original, with: fixture.signingKey)
            try await fixture.pushSignature(for: tamperedDigest, layers: [(CosignTestSigner.payload(digest: tamperedDigest, reference: fixture.name), originalSignature)])
            let tampered = await verdict(tamperedDigest)
            #expect(tampered == .untrusted(signatures: 1, keys: [fixture.trustedKey.description]))
            #expect(tampered.explanation.contains("payload was changed after signing"))

            let elsewhere = try await fixture.pushImage(tag: "elsewhere")
            try await fixture.sign(elsewhere, reference: "registry.example.com/other/app")
            #expect(await verdict(elsewhere) == .wrongRepository(signedReference: "registry.example.com/other/app"))

            // One bad and one good signature: the good one wins.
            let mixed = try await fixture.pushImage(tag: "mixed")
            let good = CosignTestSigner.payload(digest: mixed, reference: fixture.name)
            try await fixture.pushSignature(for: mixed, layers: [(good, try CosignTestSigner.sign(good, with: P256.Signing.PrivateKey())),
                                                           (good, try CosignTestSigner.sign(good, with: fixture.signingKey))])
            #expect(await verdict(mixed) == .verified(key: "release"))
        }
    }

    @Test("a tag moved to a new digest after signing is unsigned at its new digest")
    func tagMoved() async throws {
        try await withRegistry { fixture, service in
            let first = try await fixture.pushImage(tag: "17.0")
            try await fixture.sign(first)
            let moved = try await fixture.pushImage(tag: "17.0")
            #expect(moved != first)
            let image = "\(fixture.name):17.0"
            let facts = await service.facts(for: [try fixture.lookup(image)], policy: fixture.policy(), credentials: CredentialStore())
            #expect(facts.resolutions[image] == .resolved(moved))
            #expect(facts.signatures[ImageProvenanceFacts.signatureKey(name: fixture.name, digest: moved)] == .unsigned)
        }
    }

    @Test("a multi-arch tag pins the index digest, and the index's signature verifies")
    func multiArchIndex() async throws {
        try await withRegistry { fixture, service in
            let index = try await fixture.pushImage(tag: "17.0", index: true)
            try await fixture.sign(index)
            let image = "\(fixture.name):17.0"
            let facts = await service.facts(for: [try fixture.lookup(image)], policy: fixture.policy(), credentials: CredentialStore())
            #expect(facts.resolutions[image] == .resolved(index))
            #expect(facts.signatures[ImageProvenanceFacts.signatureKey(name: fixture.name, digest: index)] == .verified(key: "release"))
        }
    }

    @Test("a missing tag is not found, with the tag named")
    func tagNotFound() async throws {
        try await withRegistry { fixture, service in
            try await fixture.pushImage(tag: "17.0")
            let result = await service.resolve(try fixture.reference("99.0"), access: .init(insecureRegistries: [fixture.registry.host]),
                                               policy: fixture.policy(), deadline: .now + .seconds(30))
            guard case .notFound(let message) = result else { Issue.record("expected notFound, got \(result)"); return }
            #expect(message.contains("99.0"))
        }
    }

    @Test("a stopped registry is unavailable at once, with the registry named")
    func registryStopped() async throws {
        try await withRegistry { fixture, service in
            try await offPool { fixture.registry.stop() }
            let image = "\(fixture.name):17.0"
            let start = ContinuousClock.now
            let facts = await service.facts(for: [try fixture.lookup(image)], policy: fixture.policy(budget: .seconds(60)), credentials: CredentialStore())
            #expect(ContinuousClock.now - start < .seconds(30), "a refused connection is not retried until the budget is spent")
            guard case .unavailable(let reason)? = facts.resolutions[image] else {
                Issue.record("expected unavailable, got \(String(describing: facts.resolutions[image]))"); return
            }
            #expect(reason.contains("127.0.0.1"))
        }
    }

    @Test("a registry that accepts connections but never answers cannot outlast the budget")
    func slowRegistry() async throws {
        let silent = try SilentListener()
        defer { silent.close() }
        try await withProvenanceService { service in
            let host = "127.0.0.1:\(silent.port)"
            let image = "\(host)/odoo/odoo:17.0"
            let reference = try ImageReference(parsing: image)
            let key = TrustedKey(name: "release", publicKey: P256.Signing.PrivateKey().publicKey)
            let policy = ProvenancePolicy(budget: .milliseconds(400), insecureRegistries: [host])
            let start = ContinuousClock.now
            let facts = await service.facts(for: [ImageLookup(image: image, reference: reference, resolve: true, verify: true, keys: [key])],
                                            policy: policy, credentials: CredentialStore())
            let elapsed = ContinuousClock.now - start
            // The 400 ms budget ends it; the bound only catches a look-up that waits for the silent registry.
            #expect(elapsed < .seconds(10), "took \(elapsed)")
            guard case .unavailable? = facts.resolutions[image] else {
                Issue.record("expected unavailable, got \(String(describing: facts.resolutions[image]))"); return
            }
        }
    }

    @Test("concurrent look-ups of one never-seen image make one manifest, one signature and one payload request")
    func singleFlight() async throws {
        try await withRegistry { fixture, service in
            let digest = try await fixture.pushImage(tag: "17.0")
            try await fixture.sign(digest)
            let before = fixture.registry.requests().count
            let image = "\(fixture.name):17.0"
            let lookup = try fixture.lookup(image)
            let policy = fixture.policy()
            let verified = await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<200 {
                    group.addTask {
                        let facts = await service.facts(for: [lookup], policy: policy, credentials: CredentialStore())
                        return facts.signatures[ImageProvenanceFacts.signatureKey(name: fixture.name, digest: digest)] == .verified(key: "release")
                    }
                }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(verified == 200)
            try await Task.sleep(for: .milliseconds(200))  // the access log is written after the response
            let requests = Array(fixture.registry.requests().dropFirst(before))
            #expect(requests.filter { $0.hasPrefix("HEAD /v2/odoo/odoo/manifests/17.0") }.count == 1, "\(requests)")
            #expect(requests.filter { $0.hasPrefix("GET /v2/odoo/odoo/manifests/sha256-") }.count == 1, "\(requests)")
            #expect(requests.filter { $0.hasPrefix("GET /v2/odoo/odoo/blobs/") }.count == 1, "\(requests)")
            let statistics = service.statistics
            #expect(statistics.misses == 2)
            #expect(statistics.cacheHits + statistics.joined == 398)
        }
    }
}
