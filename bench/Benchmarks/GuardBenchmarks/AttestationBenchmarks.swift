import Benchmark
import Crypto
import Foundation
import GuardRules
import ImageProvenance
import KubeModel

/// A signed cosign vulnerability-scan envelope whose Trivy report holds `count` findings (each with
/// the description, references and CVSS block Trivy writes), as the webhook reads it from a registry.
func scanEnvelope(findings count: Int, digest: String, key: P256.Signing.PrivateKey) -> [UInt8] {
    let severities = ["LOW", "MEDIUM", "HIGH", "CRITICAL"]
    let vulnerabilities: [JSONValue] = (0..<count).map { index in
        ["VulnerabilityID": .string(String(format: "CVE-2024-%05d", index)), "PkgName": .string("package-\(index % 300)"),
         "InstalledVersion": "1.2.3-4", "FixedVersion": index % 3 == 0 ? "" : "1.2.3-5", "Severity": .string(severities[index % 4]),
         "Title": "a buffer overflow in the parser of a package", "PrimaryURL": .string("https://avd.aquasec.com/nvd/cve-2024-\(index)"),
         "Description": .string(String(repeating: "An attacker may cause a denial of service with a crafted input. ", count: 6)),
         "References": .array((0..<6).map { .string("https://security.example.org/advisory/\(index)/\($0)") }),
         "CVSS": ["nvd": ["V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", "V3Score": 7.5]]]
    }
    let statement: JSONValue = [
        "_type": "https://in-toto.io/Statement/v0.1", "predicateType": "https://cosign.sigstore.dev/attestation/vuln/v1",
        "subject": [["name": "registry.example.com/odoo/odoo", "digest": ["sha256": .string(String(digest.dropFirst(7)))]]],
        "predicate": ["scanner": ["uri": "pkg:github/aquasecurity/trivy", "version": "0.58.1",
                                  "result": ["SchemaVersion": 2, "Results": [["Target": "odoo", "Vulnerabilities": .array(vulnerabilities)]]]],
                      "metadata": ["scanStartedOn": "2026-12-01T10:00:00Z", "scanFinishedOn": "2026-12-01T10:01:00Z"]],
    ]
    let payload = statement.serializedBytes()
    let type = "application/vnd.in-toto+json"
    let signed = CosignAttestations.preAuthenticationEncoding(payloadType: type, payload: payload)
    let signature = (try? key.signature(for: signed).derRepresentation.base64EncodedString()) ?? ""
    let envelope: JSONValue = ["payloadType": .string(type), "payload": .string(Data(payload).base64EncodedString()),
                               "signatures": [["keyid": "", "sig": .string(signature)]]]
    return envelope.serializedBytes()
}

/// Issue #23: reading a scan attestation (verify the DSSE signature, parse the statement, merge the
/// findings) is done once per digest and cached; these measure that once, at realistic report sizes.
func attestationBenchmarks() {
    let key = P256.Signing.PrivateKey()
    let trusted = TrustedKey(name: "scanner", publicKey: key.publicKey)
    let digest = "sha256:" + String(repeating: "ab", count: 32)
    for count in [300, 3_000] {
        let envelope = scanEnvelope(findings: count, digest: digest, key: key)
        Benchmark("attestation: judge a signed Trivy scan with \(count) findings (\(envelope.count / 1024) KiB envelope)",
                  configuration: .init(metrics: [.wallClock, .mallocCountTotal, .peakMemoryResident], maxDuration: .seconds(3), maxIterations: 200)) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(CosignAttestations.judge(envelope: envelope, keys: [trusted], digest: digest, threshold: .high))
            }
        }
    }
}
