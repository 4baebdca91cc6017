#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SwiftASN1
import X509

/// The webhook's certificate set as files in one directory, as `guardctl certs` writes and renews it:
///
/// | file | content |
/// | --- | --- |
/// | `ca.crt`, `ca.key` | the CA (ECDSA P-256, 10 years) |
/// | `tls.crt`, `tls.key` | the serving certificate (1 year) and its key: the keys of a `kubernetes.io/tls` Secret |
/// | `caBundle` | `ca.crt` in base64 on one line: the webhook configurations' `clientConfig.caBundle` |
///
/// Keys are written with mode 0600. Every file is written to a temporary name and renamed into place,
/// so a reader (the webhook's reload) sees the old file or the new one, never half of one.
public struct CertificateDirectory: Sendable {
    /// CA certificate file name.
    public static let caCertificateFile = "ca.crt"
    /// CA private key file name.
    public static let caKeyFile = "ca.key"
    /// Serving certificate file name.
    public static let certificateFile = "tls.crt"
    /// Serving certificate key file name.
    public static let keyFile = "tls.key"
    /// Base64 CA bundle file name.
    public static let caBundleFile = "caBundle"

    /// What a generate or rotate did.
    public struct Outcome: Sendable, Equatable {
        /// Whether a new serving certificate was written.
        public var renewed: Bool
        /// The serving certificate's expiry (the new one when renewed).
        public var notValidAfter: Date
        /// The serving certificate's DNS names and IP addresses.
        public var names: [String]
        /// The base64 CA bundle.
        public var caBundle: String
    }

    /// The directory.
    public let path: String

    /// A certificate directory at `path` (nothing is read or written yet).
    public init(path: String) { self.path = path }

    /// Writes a new CA and a serving certificate for a Service.
    /// - Parameters:
    ///   - dnsNames: the serving certificate's DNS names (``CertificateAuthority/serviceDNSNames(service:namespace:clusterDomain:)``).
    ///   - ipAddresses: extra IP address SANs (a webhook registered by URL on 127.0.0.1, say).
    ///   - caValidity: the CA's lifetime (10 years by default).
    ///   - validity: the serving certificate's lifetime (1 year by default).
    ///   - force: replace files that exist; without it an existing file is an error and nothing is written.
    /// - Throws: ``CertKitError/fileSystem`` (existing files without `force`, unwritable directory),
    ///   ``CertKitError/invalidName``, ``CertKitError/signingFailed``.
    public func generate(dnsNames: [String], ipAddresses: [String] = [], caValidity: TimeInterval = 10 * 365 * 86_400,
                         validity: TimeInterval = 365 * 86_400, force: Bool = false, now: Date = Date()) throws(CertKitError) -> Outcome {
        if !force {
            let existing = Self.allFiles.filter { FileManager.default.fileExists(atPath: file($0)) }
            if !existing.isEmpty {
                throw CertKitError.fileSystem("\(path): \(existing.joined(separator: ", ")) already exist; renew the serving certificate with `guardctl certs rotate --dir \(path)`, or replace the CA too by running the same `guardctl certs generate … --out \(path)` with `--force` (every caBundle must then be updated)")
            }
        }
        let commonName = "odoo-guard CA " + (dnsNames.first ?? ipAddresses.first ?? "webhook")
        let ca = try CertificateAuthority.generate(commonName: commonName, validity: caValidity, now: now)
        let leaf = try ca.issueServingCertificate(dnsNames: dnsNames, ipAddresses: ipAddresses, validity: validity, now: now)
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw CertKitError.fileSystem("\(path): cannot create the directory: \(error.localizedDescription)", cause: error)
        }
        let caPEM = try ca.keyPair.certificatePEM
        try write(Self.caKeyFile, ca.keyPair.privateKeyPEM, secret: true)
        try write(Self.caCertificateFile, caPEM, secret: false)
        try write(Self.caBundleFile, Self.bundle(caPEM) + "\n", secret: false)
        try write(Self.keyFile, leaf.privateKeyPEM, secret: true)
        try write(Self.certificateFile, try leaf.certificatePEM, secret: false)
        return Outcome(renewed: true, notValidAfter: leaf.notValidAfter, names: dnsNames + ipAddresses, caBundle: Self.bundle(caPEM))
    }

    /// Renews the serving certificate with the same CA, keeping its names, when it expires within
    /// `renewBefore` (or when it no longer verifies against the CA, or with `force`). Otherwise nothing is
    /// written. The CA and `caBundle` never change, so webhook configurations need no update.
    /// - Parameters:
    ///   - renewBefore: how long before expiry a certificate is renewed (30 days by default).
    ///   - validity: the new certificate's lifetime (1 year by default; never past the CA's expiry).
    ///   - force: renew even when the certificate is far from expiry.
    /// - Throws: ``CertKitError/fileSystem`` (a missing or unreadable file), ``CertKitError/invalidPEM``,
    ///   ``CertKitError/keyMismatch``, ``CertKitError/expired`` when the CA expires within `renewBefore`.
    public func rotate(renewBefore: TimeInterval = 30 * 86_400, validity: TimeInterval = 365 * 86_400,
                       force: Bool = false, now: Date = Date()) throws(CertKitError) -> Outcome {
        let caPEM = try read(Self.caCertificateFile)
        let ca = CertificateAuthority(keyPair: try KeyPair(certificatePEM: caPEM, privateKeyPEM: try read(Self.caKeyFile),
                                                           source: file(Self.caCertificateFile)))
        let current = try KeyPair(certificatePEM: try read(Self.certificateFile), privateKeyPEM: try read(Self.keyFile),
                                  source: file(Self.certificateFile))
        let names = try Self.subjectAlternativeNames(of: current.certificate, source: file(Self.certificateFile))
        let issuedByCA = current.certificate.issuer == ca.keyPair.certificate.subject
            && ca.keyPair.certificate.publicKey.isValidSignature(current.certificate.signature, for: current.certificate)
        let due = current.notValidAfter.timeIntervalSince(now) <= renewBefore
        guard force || due || !issuedByCA else {
            return Outcome(renewed: false, notValidAfter: current.notValidAfter, names: names.dns + names.ip, caBundle: Self.bundle(caPEM))
        }
        guard ca.keyPair.notValidAfter.timeIntervalSince(now) > renewBefore else {
            throw CertKitError.expired("\(file(Self.caCertificateFile)): the CA expires \(Self.text(ca.keyPair.notValidAfter)), within the renewal margin; generate a new set (and update every caBundle) instead of renewing with it")
        }
        let leaf = try ca.issueServingCertificate(dnsNames: names.dns, ipAddresses: names.ip, validity: validity, now: now)
        try write(Self.keyFile, leaf.privateKeyPEM, secret: true)
        try write(Self.certificateFile, try leaf.certificatePEM, secret: false)
        if !FileManager.default.fileExists(atPath: file(Self.caBundleFile)) {
            try write(Self.caBundleFile, Self.bundle(caPEM) + "\n", secret: false)
        }
        return Outcome(renewed: true, notValidAfter: leaf.notValidAfter, names: names.dns + names.ip, caBundle: Self.bundle(caPEM))
    }

    static let allFiles = [caCertificateFile, caKeyFile, certificateFile, keyFile, caBundleFile]

    /// The base64 of a PEM CA certificate, as `caBundle` fields take it.
    static func bundle(_ pem: String) -> String { Data(pem.utf8).base64EncodedString() }

    static func text(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }

    /// The DNS names and IP addresses (as text) of a certificate's SAN extension.
    static func subjectAlternativeNames(of certificate: Certificate, source: String) throws(CertKitError) -> (dns: [String], ip: [String]) {
        let names: SubjectAlternativeNames?
        do { names = try certificate.extensions.subjectAlternativeNames } catch {
            throw CertKitError.invalidPEM("\(source): the subject alternative names cannot be read (\(error))", cause: error)
        }
        var dns: [String] = []
        var ip: [String] = []
        for name in names ?? SubjectAlternativeNames([]) {
            switch name {
            case .dnsName(let value): dns.append(value)
            case .ipAddress(let value):
                if let text = IPAddressBytes.format(Array(value.bytes)) { ip.append(text) }
            default: continue
            }
        }
        guard !(dns.isEmpty && ip.isEmpty) else {
            throw CertKitError.invalidName("\(source): the certificate has no DNS or IP subject alternative name to renew it for")
        }
        return (dns, ip)
    }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    func read(_ name: String) throws(CertKitError) -> String {
        do { return try String(contentsOfFile: file(name), encoding: .utf8) } catch {
            throw CertKitError.fileSystem("\(file(name)): cannot be read (\(error.localizedDescription)); generate the set first", cause: error)
        }
    }

    func write(_ name: String, _ text: String, secret: Bool) throws(CertKitError) {
        let target = file(name)
        let temporary = file(".\(name).\(UUID().uuidString.prefix(8)).tmp")
        let attributes: [FileAttributeKey: Any] = [.posixPermissions: secret ? 0o600 : 0o644]
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8), attributes: attributes) else {
            throw CertKitError.fileSystem("\(target): cannot be written")
        }
        if rename(temporary, target) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw CertKitError.fileSystem("\(target): cannot be replaced (\(reason))")
        }
    }
}
