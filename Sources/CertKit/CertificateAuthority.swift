import Crypto
import Foundation
import SwiftASN1
import X509

/// A small certificate authority for the webhook's serving certificates: an ECDSA P-256 CA that
/// signs P-256 leaf certificates for a Service's DNS names.
///
/// Generation is deterministic in everything but the keys and serial numbers, which come from the
/// system's CSPRNG.
public struct CertificateAuthority: Sendable {
    /// The CA certificate and key.
    public let keyPair: KeyPair

    /// A CA from an existing pair (for renewing leaves with the same CA).
    public init(keyPair: KeyPair) { self.keyPair = keyPair }

    /// A new self-signed CA.
    /// - Parameters:
    ///   - commonName: the CA's subject CN.
    ///   - validity: how long it is valid (10 years by default).
    ///   - now: the start of validity (backdated by 5 minutes for clock skew).
    /// - Throws: ``CertKitError/signingFailed``.
    public static func generate(commonName: String, validity: TimeInterval = 10 * 365 * 86_400,
                                now: Date = Date()) throws(CertKitError) -> CertificateAuthority {
        let key = P256.Signing.PrivateKey()
        let publicKey = Certificate.PublicKey(key.publicKey)
        let name = try distinguishedName(commonName)
        do {
            let extensions = try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: publicKey)
            }
            let certificate = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
                notValidBefore: now.addingTimeInterval(-300), notValidAfter: now.addingTimeInterval(validity),
                issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256, extensions: extensions,
                issuerPrivateKey: Certificate.PrivateKey(key))
            return CertificateAuthority(keyPair: try KeyPair(certificate: certificate, privateKey: key))
        } catch let error as CertKitError {
            throw error
        } catch {
            throw CertKitError.signingFailed("could not build the CA certificate \"\(commonName)\": \(error)", cause: error)
        }
    }

    /// A serving (TLS server) certificate signed by this CA.
    /// - Parameters:
    ///   - dnsNames: subject alternative DNS names; the first is also the subject CN.
    ///   - ipAddresses: subject alternative IP addresses (IPv4 dotted or IPv6 text).
    ///   - validity: how long it is valid (1 year by default), never past the CA's own expiry.
    ///   - now: the start of validity (backdated by 5 minutes for clock skew).
    /// - Throws: ``CertKitError/invalidName`` for an empty name list or a bad address, ``CertKitError/signingFailed``.
    public func issueServingCertificate(dnsNames: [String], ipAddresses: [String] = [], validity: TimeInterval = 365 * 86_400,
                                        now: Date = Date()) throws(CertKitError) -> KeyPair {
        guard let first = dnsNames.first ?? ipAddresses.first else {
            throw CertKitError.invalidName("a serving certificate needs at least one DNS name or IP address")
        }
        var names: [GeneralName] = []
        for dns in dnsNames {
            guard !dns.isEmpty, dns.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
                throw CertKitError.invalidName("\"\(dns)\" is not a DNS name")
            }
            names.append(.dnsName(dns))
        }
        for address in ipAddresses {
            guard let bytes = IPAddressBytes.parse(address) else {
                throw CertKitError.invalidName("\"\(address)\" is not an IPv4 or IPv6 address")
            }
            names.append(.ipAddress(ASN1OctetString(contentBytes: bytes[...])))
        }
        return try issue(commonName: first, names: names, usage: .serverAuth, validity: validity, now: now)
    }

    /// A client certificate (`clientAuth`), such as the API server presents to webhooks through its
    /// `AdmissionConfiguration` kubeconfig.
    /// - Throws: ``CertKitError/invalidName``, ``CertKitError/signingFailed``.
    public func issueClientCertificate(commonName: String, validity: TimeInterval = 365 * 86_400, now: Date = Date()) throws(CertKitError) -> KeyPair {
        try issue(commonName: commonName, names: [], usage: .clientAuth, validity: validity, now: now)
    }

    private func issue(commonName first: String, names: [GeneralName], usage: ExtendedKeyUsage.Usage, validity: TimeInterval,
                       now: Date) throws(CertKitError) -> KeyPair {
        let key = P256.Signing.PrivateKey()
        let publicKey = Certificate.PublicKey(key.publicKey)
        let ca = keyPair.certificate
        let notAfter = min(now.addingTimeInterval(validity), ca.notValidAfter)
        do {
            let extensions = try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([usage])
                if !names.isEmpty { SubjectAlternativeNames(names) }
                SubjectKeyIdentifier(hash: publicKey)
                AuthorityKeyIdentifier(keyIdentifier: try ca.extensions.subjectKeyIdentifier?.keyIdentifier)
            }
            let certificate = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
                notValidBefore: now.addingTimeInterval(-300), notValidAfter: notAfter,
                issuer: ca.subject, subject: try Self.distinguishedName(first), signatureAlgorithm: .ecdsaWithSHA256,
                extensions: extensions, issuerPrivateKey: keyPair.privateKey)
            return try KeyPair(certificate: certificate, privateKey: key)
        } catch let error as CertKitError {
            throw error
        } catch {
            throw CertKitError.signingFailed("could not build the certificate for \(first): \(error)", cause: error)
        }
    }

    /// The four names a client may use for a Service: `svc`, `svc.ns`, `svc.ns.svc` and
    /// `svc.ns.svc.cluster.local`.
    public static func serviceDNSNames(service: String, namespace: String, clusterDomain: String = "cluster.local") -> [String] {
        [service, "\(service).\(namespace)", "\(service).\(namespace).svc", "\(service).\(namespace).svc.\(clusterDomain)"]
    }

    static func distinguishedName(_ commonName: String) throws(CertKitError) -> DistinguishedName {
        do { return try DistinguishedName { CommonName(commonName) } } catch {
            throw CertKitError.invalidName("\"\(commonName)\" cannot be a certificate common name: \(error)", cause: error)
        }
    }
}
