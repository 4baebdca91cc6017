import CertKit
import Foundation
import Testing
import TestSupport

/// `guardctl certs generate` and `rotate` files, checked with OpenSSL as the independent implementation.
@Suite struct CertificateDirectoryTests {
    static let names = CertificateAuthority.serviceDNSNames(service: "odoo-guard-webhook", namespace: "odoo-guard")

    static func temporaryDirectory() -> String {
        (NSTemporaryDirectory() as NSString).appendingPathComponent("certdir-\(UUID().uuidString.prefix(8))")
    }

    static func openssl(_ arguments: [String]) throws -> String { try Subprocess.checked("/usr/bin/openssl", arguments) }

    static func contents(_ directory: String, _ file: String) throws -> String {
        try String(contentsOfFile: (directory as NSString).appendingPathComponent(file), encoding: .utf8)
    }

    @Test func generateWritesAChainOpenSSLAcceptsWithEveryNameAndTheBundle() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outcome = try CertificateDirectory(path: directory).generate(dnsNames: Self.names, ipAddresses: ["127.0.0.1"])
        #expect(outcome.renewed)
        let ca = "\(directory)/ca.crt", leaf = "\(directory)/tls.crt"
        #expect(try Self.openssl(["verify", "-purpose", "sslserver", "-CAfile", ca, leaf]).contains(": OK"))
        let sans = try Self.openssl(["x509", "-in", leaf, "-noout", "-ext", "subjectAltName"])
        for name in Self.names { #expect(sans.contains("DNS:\(name)")) }
        #expect(sans.contains("IP Address:127.0.0.1"))
        let caText = try Self.openssl(["x509", "-in", ca, "-noout", "-text"])
        #expect(caText.contains("CA:TRUE") && caText.contains("prime256v1"))
        // The CA lives ten years, the leaf one.
        let caEnd = try Self.openssl(["x509", "-in", ca, "-noout", "-checkend", String(3_649 * 86_400)])
        #expect(caEnd.contains("will not expire"))
        #expect(throws: (any Error).self) { try Self.openssl(["x509", "-in", leaf, "-noout", "-checkend", String(366 * 86_400)]) }
        // caBundle is the CA certificate, base64 on one line.
        let bundle = try Self.contents(directory, "caBundle").trimmingCharacters(in: .newlines)
        #expect(!bundle.contains("\n") && bundle == outcome.caBundle)
        #expect(Data(base64Encoded: bundle).map { String(decoding: $0, as: UTF8.self) } == (try Self.contents(directory, "ca.crt")))
        // Keys are private to their owner and belong to their certificates.
        for key in ["ca.key", "tls.key"] {
            let mode = try FileManager.default.attributesOfItem(atPath: "\(directory)/\(key)")[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(key)")
        }
        #expect(try Self.openssl(["x509", "-in", leaf, "-noout", "-pubkey"]) == (try Self.openssl(["pkey", "-in", "\(directory)/tls.key", "-pubout"])))
    }

    @Test func generateRefusesToOverwriteAndWritesNothing() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let set = CertificateDirectory(path: directory)
        _ = try set.generate(dnsNames: Self.names)
        let before = try Self.contents(directory, "ca.crt")
        #expect(throws: CertKitError.fileSystem) { try set.generate(dnsNames: Self.names) }
        #expect(try Self.contents(directory, "ca.crt") == before)
        _ = try set.generate(dnsNames: Self.names, force: true)
        #expect(try Self.contents(directory, "ca.crt") != before)
    }

    @Test func rotateRenewsOnlyInsideTheMarginWithTheSameCAAndNames() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let set = CertificateDirectory(path: directory)
        let issued = Date()
        _ = try set.generate(dnsNames: Self.names, ipAddresses: ["127.0.0.1", "::1"], now: issued)
        let ca = try Self.contents(directory, "ca.crt"), bundle = try Self.contents(directory, "caBundle")
        let firstLeaf = try Self.contents(directory, "tls.crt")

        // 300 days in: 65 days left, beyond the 30-day margin.
        let early = try set.rotate(now: issued.addingTimeInterval(300 * 86_400))
        #expect(!early.renewed)
        #expect(try Self.contents(directory, "tls.crt") == firstLeaf)

        // 340 days in: 25 days left, renewed for a year from then, with the same CA and names.
        let later = issued.addingTimeInterval(340 * 86_400)
        let renewed = try set.rotate(now: later)
        #expect(renewed.renewed)
        #expect(abs(renewed.notValidAfter.timeIntervalSince(later) - 365 * 86_400) < 5)
        #expect(renewed.names == Self.names + ["127.0.0.1", "::1"])
        let newLeaf = try Self.contents(directory, "tls.crt")
        #expect(newLeaf != firstLeaf)
        #expect(try Self.contents(directory, "ca.crt") == ca)
        #expect(try Self.contents(directory, "caBundle") == bundle)
        #expect(try Self.openssl(["verify", "-purpose", "sslserver", "-attime", String(Int(later.timeIntervalSince1970) + 60),
                                  "-CAfile", "\(directory)/ca.crt", "\(directory)/tls.crt"]).contains(": OK"))
        let sans = try Self.openssl(["x509", "-in", "\(directory)/tls.crt", "-noout", "-ext", "subjectAltName"])
        for name in Self.names { #expect(sans.contains("DNS:\(name)")) }
        #expect(sans.contains("IP Address:127.0.0.1") && sans.contains("IP Address:0:0:0:0:0:0:0:1"))
        #expect(try Self.openssl(["x509", "-in", "\(directory)/tls.crt", "-noout", "-pubkey"])
                == (try Self.openssl(["pkey", "-in", "\(directory)/tls.key", "-pubout"])))
    }

    @Test func rotateRenewsALeafTheCADidNotSignAndRefusesAnExpiringCA() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let set = CertificateDirectory(path: directory)
        _ = try set.generate(dnsNames: Self.names, caValidity: 400 * 86_400)
        // A leaf from another CA in place of ours: renewed at once, whatever its expiry.
        let stranger = try CertificateAuthority.generate(commonName: "stranger").issueServingCertificate(dnsNames: ["elsewhere"])
        try Data(try stranger.certificatePEM.utf8).write(to: URL(fileURLWithPath: "\(directory)/tls.crt"))
        try Data(stranger.privateKeyPEM.utf8).write(to: URL(fileURLWithPath: "\(directory)/tls.key"))
        #expect(try set.rotate().renewed)
        #expect(try Self.openssl(["verify", "-CAfile", "\(directory)/ca.crt", "\(directory)/tls.crt"]).contains(": OK"))
        // A CA with 20 days left cannot usefully sign: an error, and nothing is written.
        let leaf = try Self.contents(directory, "tls.crt")
        #expect(throws: CertKitError.expired) { try set.rotate(now: Date().addingTimeInterval(380 * 86_400)) }
        #expect(try Self.contents(directory, "tls.crt") == leaf)
        // Missing and corrupt files are named.
        try FileManager.default.removeItem(atPath: "\(directory)/tls.key")
        let missing = #expect(throws: CertKitError.fileSystem) { try set.rotate(force: true) }
        #expect(missing?.message.contains("tls.key") == true)
        try Data("not pem".utf8).write(to: URL(fileURLWithPath: "\(directory)/tls.key"))
        #expect(throws: CertKitError.invalidPEM) { try set.rotate(force: true) }
    }
}
