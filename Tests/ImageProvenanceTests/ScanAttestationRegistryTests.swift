import Crypto
import Foundation
import GuardRules
import ImageProvenance
import KubeModel
import Testing
import TestSupport

/// Scan attestations pushed in cosign's layout to a real registry (`docker-registry`), read back
/// through the provenance service: trusted, replayed, tampered, foreign-key and mixed artefacts.
@Suite("Scan attestations against a real registry", .serialized)
struct ScanAttestationRegistryTests {
    static func verdict(_ facts: ImageProvenanceFacts, _ fixture: RegistryFixture, _ digest: String) -> ScanVerdict? {
        facts.scans[ImageProvenanceFacts.signatureKey(name: fixture.name, digest: digest)]
    }

    @Test("a trusted scan is read with its findings; replayed, tampered, foreign-key and absent ones are refused, each for its reason")
    func verdicts() async throws {
        try await withRegistry { fixture, service in
            let good = try await fixture.pushImage(tag: "good")
            try await fixture.pushAttestations(for: good, layers: [(try fixture.scanEnvelope(good, findings: [
                ("CVE-2024-0001", "CRITICAL", "3.0.13-1"), ("CVE-2024-0001", "HIGH", ""), ("CVE-2024-0002", "HIGH", ""),
                ("CVE-2024-0003", "MEDIUM", ""), ("CVE-2024-0004", "LOW", ""),
            ]), CosignTestAttester.vulnerabilityType)])

            // Replayed: the good image's attestation copied to another digest's tag.
            let replayed = try await fixture.pushImage(tag: "replayed")
            try await fixture.pushAttestations(for: replayed, layers: [(try fixture.scanEnvelope(good), CosignTestAttester.vulnerabilityType)])

            // Tampered: a critical finding rewritten as low after signing (the signature stays).
            let tampered = try await fixture.pushImage(tag: "tampered")
            let signed = try fixture.scanEnvelope(tampered, findings: [("CVE-2024-0005", "CRITICAL", "1.1")])
            let changed = try Self.rewritePayload(signed) { $0.replacingOccurrences(of: "CRITICAL", with: "LOW") }
            try await fixture.pushAttestations(for: tampered, layers: [(changed, CosignTestAttester.vulnerabilityType)])

            // Signed with a key the policy does not trust.
            let foreign = try await fixture.pushImage(tag: "foreign")
            try await fixture.pushAttestations(for: foreign, layers: [(try fixture.scanEnvelope(foreign, key: P256.Signing.PrivateKey()), nil)])

            let absent = try await fixture.pushImage(tag: "absent")

            let images = [good, replayed, tampered, foreign, absent].map { "\(fixture.name)@\($0)" }
            let facts = await service.facts(for: try images.map { try fixture.scanLookup($0) }, policy: fixture.policy(), credentials: CredentialStore())

            guard case .attested(let attestation)? = Self.verdict(facts, fixture, good) else {
                Issue.record("expected an attested scan, got \(String(describing: Self.verdict(facts, fixture, good)))"); return
            }
            #expect(attestation.key == "release" && attestation.scanner == "pkg:github/aquasecurity/trivy 0.58.1")
            #expect(attestation.vulnerabilities.map(\.id) == ["CVE-2024-0001", "CVE-2024-0002"], "only high and above are kept")
            #expect(attestation.vulnerabilities.first?.severity == .critical && attestation.vulnerabilities.first?.fixAvailable == true)
            #expect(attestation.vulnerabilities.last?.fixAvailable == false)
            #expect(attestation.counts == [.critical: 1, .high: 1, .medium: 1, .low: 1])
            #expect(Date().timeIntervalSince(attestation.finishedAt) > 86_000)

            #expect(Self.verdict(facts, fixture, replayed) == .replayed(subjectDigests: [good]))
            #expect(Self.verdict(facts, fixture, tampered) == .untrusted(attestations: 1, keys: [fixture.trustedKey.description]))
            #expect(Self.verdict(facts, fixture, foreign) == .untrusted(attestations: 1, keys: [fixture.trustedKey.description]))
            #expect(Self.verdict(facts, fixture, absent) == .missing)
        }
    }

    @Test("the newest trusted scan wins; other predicate types are skipped, and alone they mean no scan")
    func mixedArtefacts() async throws {
        try await withRegistry { fixture, service in
            let digest = try await fixture.pushImage(tag: "17.0")
            let old = try fixture.scanEnvelope(digest, findings: [("CVE-2024-0001", "CRITICAL", "1.1")], daysAgo: 3)
            let new = try fixture.scanEnvelope(digest, daysAgo: 1)
            let provenance = try CosignTestAttester.envelope(CosignTestAttester.statement(
                digest: digest, repository: fixture.name, finishedOn: "2026-01-01T00:00:00Z", result: [:],
                predicateType: "https://slsa.dev/provenance/v0.2"), key: fixture.signingKey)
            try await fixture.pushAttestations(for: digest, layers: [(old, CosignTestAttester.vulnerabilityType),
                                                                     (provenance, "https://slsa.dev/provenance/v0.2"),
                                                                     (new, nil)])
            let onlyProvenance = try await fixture.pushImage(tag: "17.1")
            try await fixture.pushAttestations(for: onlyProvenance, layers: [(try CosignTestAttester.envelope(CosignTestAttester.statement(
                digest: onlyProvenance, repository: fixture.name, finishedOn: "2026-01-01T00:00:00Z", result: [:],
                predicateType: "https://slsa.dev/provenance/v0.2"), key: fixture.signingKey), nil)])

            let lookups = try [digest, onlyProvenance].map { try fixture.scanLookup("\(fixture.name)@\($0)") }
            let facts = await service.facts(for: lookups, policy: fixture.policy(), credentials: CredentialStore())
            guard case .attested(let attestation)? = Self.verdict(facts, fixture, digest) else {
                Issue.record("expected the newest scan, got \(String(describing: Self.verdict(facts, fixture, digest)))"); return
            }
            #expect(attestation.vulnerabilities.isEmpty && Date().timeIntervalSince(attestation.finishedAt) < 2 * 86_400)
            #expect(Self.verdict(facts, fixture, onlyProvenance) == .missing)
        }
    }

    @Test("a scan verdict is cached: a second admission of the same digest asks the registry nothing")
    func cached() async throws {
        try await withRegistry { fixture, service in
            let digest = try await fixture.pushImage(tag: "17.0")
            try await fixture.pushAttestations(for: digest, layers: [(try fixture.scanEnvelope(digest), CosignTestAttester.vulnerabilityType)])
            let lookup = try fixture.scanLookup("\(fixture.name)@\(digest)")
            let first = await service.facts(for: [lookup], policy: fixture.policy(), credentials: CredentialStore())
            try await Task.sleep(for: .milliseconds(200))  // the access log is written after the response
            let before = fixture.registry.requests().count
            let second = await service.facts(for: [lookup], policy: fixture.policy(), credentials: CredentialStore())
            try await Task.sleep(for: .milliseconds(200))
            #expect(first == second)
            if case .attested? = Self.verdict(second, fixture, digest) {} else { Issue.record("expected attested, got \(second)") }
            #expect(fixture.registry.requests().count == before, "\(fixture.registry.requests().dropFirst(before))")
        }
    }

    /// Decodes an envelope's payload, rewrites it, and encodes it back without re-signing.
    static func rewritePayload(_ envelope: [UInt8], _ change: (String) -> String) throws -> [UInt8] {
        var json = try JSONParser.parse(envelope)
        let payload = try #require(json["payload"]?.stringValue.flatMap { Data(base64Encoded: $0) })
        let rewritten = change(String(decoding: payload, as: UTF8.self))
        json.set(.string(Data(rewritten.utf8).base64EncodedString()), at: "payload")
        return json.serializedBytes()
    }
}
