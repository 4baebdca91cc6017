import Crypto
import Foundation
import GuardRules
import ImageProvenance
import KubeModel
import Testing
import TestSupport

/// DSSE envelopes and scan reports, judged without a registry.
@Suite("Cosign attestations")
struct CosignAttestationTests {
    static let digest = "sha256:" + String(repeating: "ab", count: 32)
    nonisolated(unsafe) static let key = P256.Signing.PrivateKey()
    static var trusted: TrustedKey { TrustedKey(name: "scanner", publicKey: key.publicKey) }

    @Test("the pre-authentication encoding is DSSE's (the specification's own example)")
    func pae() {
        let encoded = CosignAttestations.preAuthenticationEncoding(payloadType: "http://example.com/HelloWorld", payload: Array("hello world".utf8))
        #expect(String(decoding: encoded, as: UTF8.self) == "DSSEv1 29 http://example.com/HelloWorld 11 hello world")
    }

    @Test("Trivy, Grype and SARIF reports are read: severities, packages and fixes merged per id")
    func reports() throws {
        let grype: JSONValue = ["matches": [
            ["vulnerability": ["id": "CVE-2024-0002", "severity": "High", "fix": ["state": "not-fixed"]], "artifact": ["name": "libxml2"]],
            ["vulnerability": ["id": "CVE-2024-0002", "severity": "Critical", "fix": ["state": "fixed"]], "artifact": ["name": "libxml2-utils"]],
            ["vulnerability": ["id": "GHSA-aaaa", "severity": "Negligible", "fix": ["state": "fixed"]], "artifact": ["name": "pip"]],
        ]]
        let read = try ScanResultReader.read(grype, threshold: .high).get()
        #expect(read.kept == [ScanAttestation.Vulnerability(id: "CVE-2024-0002", severity: .critical, packages: ["libxml2", "libxml2-utils"], fixAvailable: true)])
        #expect(read.counts == [.critical: 1, .low: 1])

        let sarif: JSONValue = ["version": "2.1.0", "runs": [[
            "tool": ["driver": ["name": "Trivy", "rules": [["id": "CVE-2024-0003", "properties": ["security-severity": "9.8"]]]]],
            "results": [["ruleId": "CVE-2024-0003", "level": "error"], ["ruleId": "CVE-2024-0004", "level": "warning"]],
        ]]]
        let fromSarif = try ScanResultReader.read(sarif, threshold: .medium).get()
        #expect(fromSarif.kept.map { "\($0.id) \($0.severity)" } == ["CVE-2024-0003 critical", "CVE-2024-0004 medium"])

        let trivy = CosignTestAttester.trivyReport([("CVE-2024-0001", "HIGH", ""), ("CVE-2024-0009", "UNKNOWN", "")])
        let fromTrivy = try ScanResultReader.read(trivy, threshold: .low).get()
        #expect(fromTrivy.kept.map(\.id) == ["CVE-2024-0001"], "unknown severities never block")
        #expect(fromTrivy.counts == [.high: 1, .unknown: 1])
        let clean = try ScanResultReader.read(["SchemaVersion": 2, "ArtifactName": "odoo"], threshold: .low).get()
        #expect(clean.kept.isEmpty && clean.omitted == 0)

        for bad: JSONValue? in [nil, .null, "text", ["hello": "world"]] {
            guard case .failure(let error) = ScanResultReader.read(bad, threshold: .high) else { Issue.record("\(String(describing: bad)) was read"); continue }
            #expect(error.message.contains("predicate.scanner.result"))
        }
    }

    @Test("more findings than are kept are counted, most severe first")
    func bounded() throws {
        let findings = (0..<250).map { (id: String(format: "CVE-2024-%04d", $0), severity: $0 < 10 ? "CRITICAL" : "HIGH", fixed: "1") }
        let read = try ScanResultReader.read(CosignTestAttester.trivyReport(findings), threshold: .high).get()
        #expect(read.kept.count == ScanAttestation.maximumKept && read.omitted == 50)
        #expect(read.kept.prefix(10).allSatisfy { $0.severity == .critical } && read.kept[10].severity == .high)
    }

    @Test("absurd reports are read without a trap: wrong JSON types, scores beyond range, 20,000 findings of one id")
    func absurdReports() throws {
        let sarif: JSONValue = ["runs": [[
            "tool": ["driver": ["rules": [["id": "A", "properties": ["security-severity": "1e400"]], ["id": "B", "properties": ["security-severity": "nan"]],
                                          ["id": "C", "properties": ["security-severity": -5]], ["id": "D", "properties": ["security-severity": ["x"]]]]]],
            "results": [["ruleId": "A"], ["ruleId": "B"], ["ruleId": "C"], ["ruleId": "D", "level": 7], ["ruleId": 12], "text"],
        ], "not a run"]]
        let read = try ScanResultReader.read(sarif, threshold: .low).get()
        #expect(read.kept.map { "\($0.id) \($0.severity)" } == ["A critical"], "an infinite score is critical; NaN, negative and wrong types are unknown")
        let wrongTypes: JSONValue = ["SchemaVersion": "two", "Results": [["Vulnerabilities": "none"], 5, ["Vulnerabilities": [["VulnerabilityID": 1, "Severity": "HIGH"]]]]]
        #expect(try ScanResultReader.read(wrongTypes, threshold: .low).get().kept.isEmpty)
        let repeated = CosignTestAttester.trivyReport((0..<20_000).map { _ in (id: "CVE-2024-0001", severity: "HIGH", fixed: "") })
        let merged = try ScanResultReader.read(repeated, threshold: .high).get()
        #expect(merged.kept.count == 1 && merged.kept[0].packages == ["openssl"] && merged.omitted == 0)
        // A finish time at the edge of the calendar is still a date the rule can age.
        guard case .attested(let old) = CosignAttestations.judge(envelope: try Self.envelope(Self.statement(finishedOn: "0001-01-01T00:00:00Z")),
                                                                  keys: [Self.trusted], digest: Self.digest, threshold: .high) else {
            Issue.record("not attested"); return
        }
        #expect(old.finishedAt < Date(timeIntervalSince1970: 0))
    }

    static func envelope(_ statement: [UInt8], payloadType: String = "application/vnd.in-toto+json") throws -> [UInt8] {
        try CosignTestAttester.envelope(statement, key: key, payloadType: payloadType)
    }

    static func statement(finishedOn: String = "2026-11-30T10:00:00.123456789Z", result: JSONValue = CosignTestAttester.trivyReport([])) -> [UInt8] {
        CosignTestAttester.statement(digest: digest, repository: "registry.example.com/odoo/odoo", finishedOn: finishedOn, result: result)
    }

    @Test("a trusted envelope that is not a readable scan is malformed, naming what is wrong", arguments: [
        ("not JSON", Array("nonsense".utf8), "not a DSSE envelope"),
        ("no finish time", try envelope(Array(String(decoding: statement(), as: UTF8.self)
            .replacingOccurrences(of: "scanFinishedOn", with: "finished").utf8)), "scanFinishedOn"),
        ("a bad finish time", try envelope(statement(finishedOn: "yesterday")), "not an RFC 3339 time"),
        ("an unknown report", try envelope(statement(result: ["hello": "world"])), "not a Trivy, Grype or SARIF report"),
        ("another payload type", try envelope(statement(), payloadType: "text/plain"), "does not carry an in-toto statement"),
    ] as [(String, [UInt8], String)])
    func malformed(_ label: String, _ bytes: [UInt8], _ words: String) {
        let outcome = CosignAttestations.judge(envelope: bytes, keys: [Self.trusted], digest: Self.digest, threshold: .high)
        guard case .malformed(let reason) = outcome else { Issue.record("\(label): \(outcome)"); return }
        #expect(reason.contains(words), "\(label): \(reason)")
    }

    @Test("the finish time keeps its nanoseconds' second; an untrusted key and a missing artefact layer list are told apart")
    func outcomes() throws {
        guard case .attested(let attestation) = CosignAttestations.judge(envelope: try Self.envelope(Self.statement()), keys: [Self.trusted],
                                                                         digest: Self.digest, threshold: .high) else {
            Issue.record("not attested"); return
        }
        #expect(Timestamp.format(attestation.finishedAt) == "2026-11-30T10:00:00Z")
        let stranger = TrustedKey(name: "other", publicKey: P256.Signing.PrivateKey().publicKey)
        #expect(CosignAttestations.judge(envelope: try Self.envelope(Self.statement()), keys: [stranger], digest: Self.digest, threshold: .high) == .untrusted)
        #expect(CosignAttestations.verdict([], keys: [Self.trusted]) == .missing)
        #expect(CosignAttestations.verdict([.otherPredicate, .untrusted], keys: [stranger]) == .untrusted(attestations: 1, keys: [stranger.description]))
        let manifest: JSONValue = ["schemaVersion": 2, "layers": [
            ["mediaType": "application/vnd.dsse.envelope.v1+json", "digest": "sha256:1", "annotations": ["predicateType": "https://slsa.dev/provenance/v0.2"]],
            ["mediaType": "application/vnd.dsse.envelope.v1+json", "digest": "sha256:2"],
            ["mediaType": "application/vnd.dev.cosign.simplesigning.v1+json", "digest": "sha256:3"],
        ]]
        #expect(try CosignAttestations.envelopeDigests(ofManifest: manifest.serializedBytes()) == ["sha256:2"])
        #expect(throws: ImageProvenanceError.self) { try CosignAttestations.envelopeDigests(ofManifest: Array("{}".utf8)) }
    }
}
