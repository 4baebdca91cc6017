import Foundation
import GuardRules
import ImageProvenance
import KubeModel
import Logging
import Testing
import TestSupport

/// `guardctl verify-image` reports scan attestations too (issue #39), judged as `image.scan-attested`
/// judges them, against a real registry: a clean scan passes, findings and age fail, a missing scan
/// fails only with `--require-scan`.
@Suite("verify-image and scan attestations", .serialized)
struct VerifyImageScanTests {
    static func verify(_ image: String, _ fixture: RegistryFixture, required: Bool, scans: ScanAttestationPolicy = ScanAttestationPolicy(severity: .high),
                       keys: [TrustedKey]? = nil) async throws -> ImageVerification.Report {
        var logger = Logger(label: "verify-image-tests")
        logger.logLevel = .critical
        var policy = fixture.policy()
        policy.trustedKeys = []
        return try await ImageVerification.verify(image, keys: [], policy: policy, insecureRegistries: [], credentials: CredentialStore(),
                                                  trustRoots: [], logger: logger, scans: scans, scanKeys: keys ?? [fixture.trustedKey], requireScan: required)
    }

    @Test func theScanIsReadJudgedAndDecidesOnlyWhenRequired() async throws {
        try await withRegistry { fixture, _ in
            let clean = try await fixture.pushImage(tag: "clean")
            try await fixture.pushAttestations(for: clean, layers: [(try fixture.scanEnvelope(clean, findings: [("CVE-2024-0100", "LOW", "")]),
                                                                     CosignTestAttester.vulnerabilityType)])
            let vulnerable = try await fixture.pushImage(tag: "vulnerable")
            try await fixture.pushAttestations(for: vulnerable, layers: [(try fixture.scanEnvelope(vulnerable, findings: [("CVE-2024-0101", "HIGH", "1.2")]),
                                                                          CosignTestAttester.vulnerabilityType)])
            let stale = try await fixture.pushImage(tag: "stale")
            try await fixture.pushAttestations(for: stale, layers: [(try fixture.scanEnvelope(stale, daysAgo: 9), CosignTestAttester.vulnerabilityType)])
            let unscanned = try await fixture.pushImage(tag: "unscanned")

            // By tag: resolved, then its scan read for the digest.
            let passed = try await Self.verify("\(fixture.name):clean", fixture, required: true)
            #expect(passed.digest == clean && passed.scan?.result == "passed" && passed.exitCode == 0, "\(passed.text)")
            #expect(passed.text.contains("scan:      PASSED: scanned by pkg:github/aquasecurity/trivy"), "\(passed.text)")

            let failed = try await Self.verify("\(fixture.name)@\(vulnerable)", fixture, required: true)
            #expect(failed.scan?.result == "failed" && failed.exitCode == 1 && failed.scan?.blocking.map(\.id) == ["CVE-2024-0101"], "\(failed.text)")
            #expect(failed.text.contains("1 finding at or above high: CVE-2024-0101 (high, fix available)"), "\(failed.text)")
            let json = try JSONParser.parse(Array(failed.json.utf8))
            #expect(json["scan"]?["result"] == "failed" && json["scan"]?["findings"] == ["CVE-2024-0101"] && json["verdict"] == "rejected")

            let old = try await Self.verify("\(fixture.name)@\(stale)", fixture, required: true)
            #expect(old.scan?.result == "too_old" && old.exitCode == 1 && old.scan?.ageDays == 9, "\(old.text)")

            // Reported, not deciding, without --require-scan.
            let missing = try await Self.verify("\(fixture.name)@\(unscanned)", fixture, required: false)
            #expect(missing.scan?.result == "missing" && missing.exitCode == 0, "\(missing.text)")
            #expect(missing.text.contains("(reported; --require-scan makes it decide)"))
            #expect(try await Self.verify("\(fixture.name)@\(unscanned)", fixture, required: true).exitCode == 1)

            // No key trusted for scans: not checked, and with --require-scan that is a refusal it names.
            let keyless = try await Self.verify("\(fixture.name)@\(clean)", fixture, required: false, keys: [])
            #expect(keyless.scan == nil && keyless.text.contains("scan:      not checked"), "\(keyless.text)")
            let keylessRequired = try await Self.verify("\(fixture.name)@\(clean)", fixture, required: true, keys: [])
            #expect(keylessRequired.exitCode == 2 && keylessRequired.text.contains("no key is trusted for scan attestations"), "\(keylessRequired.text)")
        }
    }
}
