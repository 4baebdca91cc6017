import Crypto
import Foundation
import X509

/// A certificate with its private key, both as PEM text ready to be written to files.
public struct KeyPair: Sendable {
    /// The certificate.
    public let certificate: Certificate
    /// The certificate's private key, for signing.
    public let privateKey: Certificate.PrivateKey
    /// The private key as PKCS#8 PEM (`BEGIN PRIVATE KEY`).
    public let privateKeyPEM: String

    /// The certificate as PEM (`BEGIN CERTIFICATE`).
    public var certificatePEM: String {
        get throws(CertKitError) {
            do { return try certificate.serializeAsPEM().pemString } catch {
                throw CertKitError.signingFailed("could not encode the certificate: \(error)", cause: error)
            }
        }
    }

    /// When the certificate stops being valid.
    public var notValidAfter: Date { certificate.notValidAfter }

    /// A pair from parts already in memory.
    /// - Throws: ``CertKitError/keyMismatch`` when the key is not the certificate's.
    public init(certificate: Certificate, privateKey: P256.Signing.PrivateKey) throws(CertKitError) {
        guard certificate.publicKey == Certificate.PublicKey(privateKey.publicKey) else {
            throw CertKitError.keyMismatch("the private key does not match the certificate \(certificate.subject)")
        }
        self.certificate = certificate
        self.privateKey = Certificate.PrivateKey(privateKey)
        privateKeyPEM = privateKey.pemRepresentation
    }

    /// A pair read from PEM text; `source` names where the text came from in errors.
    /// - Throws: ``CertKitError/invalidPEM`` or ``CertKitError/keyMismatch``.
    public init(certificatePEM: String, privateKeyPEM: String, source: String = "PEM") throws(CertKitError) {
        let certificate: Certificate
        do { certificate = try Certificate(pemEncoded: certificatePEM) } catch {
            throw CertKitError.invalidPEM("\(source): the certificate is not a PEM X.509 certificate (\(error))", cause: error)
        }
        let key: P256.Signing.PrivateKey
        do { key = try P256.Signing.PrivateKey(pemRepresentation: privateKeyPEM) } catch {
            throw CertKitError.invalidPEM("\(source): the private key is not a PEM ECDSA P-256 key (\(error))", cause: error)
        }
        try self.init(certificate: certificate, privateKey: key)
    }
}
