import CertKit
import Foundation
import Testing
import TestSupport

/// The CA and serving certificates, checked by an independent implementation (OpenSSL).
@Suite struct CertificateAuthorityTests {
    @Test func servingCertificateVerifiesAgainstTheCAWithEveryServiceName() throws {
        let ca = try CertificateAuthority.generate(commonName: "odoo-guard CA")
        let names = CertificateAuthority.serviceDNSNames(service: "guard-webhook", namespace: "odoo-guard")
        #expect(names == ["guard-webhook", "guard-webhook.odoo-guard", "guard-webhook.odoo-guard.svc", "guard-webhook.odoo-guard.svc.cluster.local"])
        let leaf = try ca.issueServingCertificate(dnsNames: names, ipAddresses: ["127.0.0.1"])
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("certkit-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let caFile = directory.appendingPathComponent("ca.pem").path
        let leafFile = directory.appendingPathComponent("tls.crt").path
        let keyFile = directory.appendingPathComponent("tls.key").path
        try Data(ca.keyPair.certificatePEM.utf8).write(to: URL(fileURLWithPath: caFile))
        try Data(leaf.certificatePEM.utf8).write(to: URL(fileURLWithPath: leafFile))
        try Data(leaf.privateKeyPEM.utf8).write(to: URL(fileURLWithPath: keyFile))

        let verified = try Subprocess.checked("/usr/bin/openssl", ["verify", "-purpose", "sslserver", "-CAfile", caFile, leafFile])
        #expect(verified.contains(": OK"))
        let text = try Subprocess.checked("/usr/bin/openssl", ["x509", "-in", leafFile, "-noout", "-text"])
        for name in names { #expect(text.contains("DNS:\(name)")) }
        #expect(text.contains("IP Address:127.0.0.1"))
        #expect(text.contains("prime256v1") || text.contains("P-256"))
        let caText = try Subprocess.checked("/usr/bin/openssl", ["x509", "-in", caFile, "-noout", "-text"])
        #expect(caText.contains("CA:TRUE"))
        // The key belongs to the certificate: OpenSSL derives the same public key from both.
        let fromCertificate = try Subprocess.checked("/usr/bin/openssl", ["x509", "-in", leafFile, "-noout", "-pubkey"])
        let fromKey = try Subprocess.checked("/usr/bin/openssl", ["pkey", "-in", keyFile, "-pubout"])
        #expect(fromCertificate == fromKey)
        // Validity: about a year for the leaf, ten years for the CA.
        #expect(abs(leaf.notValidAfter.timeIntervalSinceNow - 365 * 86_400) < 3_600)
        #expect(abs(ca.keyPair.notValidAfter.timeIntervalSinceNow - 3_650 * 86_400) < 3_600)
    }

    @Test func badInputIsRefusedWithItsName() throws {
        let ca = try CertificateAuthority.generate(commonName: "odoo-guard CA")
        #expect(throws: CertKitError.invalidName) { try ca.issueServingCertificate(dnsNames: []) }
        #expect(throws: CertKitError.invalidName) { try ca.issueServingCertificate(dnsNames: ["ok"], ipAddresses: ["300.1.1.1"]) }
        let other = try ca.issueServingCertificate(dnsNames: ["other"])
        let leaf = try ca.issueServingCertificate(dnsNames: ["svc"])
        #expect(throws: CertKitError.keyMismatch) {
            try KeyPair(certificatePEM: try leaf.certificatePEM, privateKeyPEM: other.privateKeyPEM)
        }
        #expect(throws: CertKitError.invalidPEM) { try KeyPair(certificatePEM: "nope", privateKeyPEM: other.privateKeyPEM, source: "tls.crt") }
    }
}
