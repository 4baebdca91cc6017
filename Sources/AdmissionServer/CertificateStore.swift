import Foundation
import NIOConcurrencyHelpers
import NIOSSL
import X509

/// The serving certificate and key in use. New TLS handshakes read the current context; connections
/// already established keep theirs, so a rotation never interrupts a request.
///
/// A reload that fails (unreadable, not PEM, key not matching, expired or not yet valid) leaves the
/// current pair serving.
public final class CertificateStore: Sendable {
    /// One loaded pair.
    public struct Loaded: Sendable {
        /// The TLS server context built from the pair.
        public let context: NIOSSLContext
        /// When the leaf certificate expires.
        public let notValidAfter: Date
        /// The leaf's subject, for logs.
        public let subject: String
    }

    /// The certificate chain file.
    public let certificateFile: String
    /// The private key file.
    public let privateKeyFile: String
    /// CA certificates a client certificate is verified against (`--client-ca-file`); empty: none asked for.
    let clientCAs: [NIOSSLCertificate]
    private let current: NIOLockedValueBox<Loaded>

    /// Loads the pair for the first time, and the client CAs when a file is given.
    /// - Throws: ``AdmissionServerError`` `unreadableFile` or `invalidCertificate`.
    public init(certificateFile: String, privateKeyFile: String, clientCAFile: String? = nil, now: Date = Date()) throws(AdmissionServerError) {
        self.certificateFile = certificateFile
        self.privateKeyFile = privateKeyFile
        var clientCAs: [NIOSSLCertificate] = []
        if let clientCAFile {
            let text = try TextFile.read(clientCAFile, what: "client CA file")
            clientCAs = (try? NIOSSLCertificate.fromPEMBytes(Array(text.utf8))) ?? []
            if clientCAs.isEmpty { throw AdmissionServerError.invalidCertificate("client CA file \(clientCAFile) holds no PEM certificate") }
        }
        self.clientCAs = clientCAs
        current = NIOLockedValueBox(try Self.load(certificateFile: certificateFile, privateKeyFile: privateKeyFile, clientCAs: clientCAs, now: now))
    }

    /// The pair in use.
    public var loaded: Loaded { current.withLockedValue { $0 } }

    /// The context new handshakes use.
    var context: NIOSSLContext { current.withLockedValue { $0.context } }

    static func fingerprints(_ certificateFile: String, _ privateKeyFile: String) -> [FileFingerprint?] {
        [FileFingerprint(path: certificateFile), FileFingerprint(path: privateKeyFile)]
    }

    /// Re-reads both files and switches to the new pair when it is valid.
    /// - Throws: ``AdmissionServerError``; the old pair keeps serving.
    public func reload(now: Date = Date()) throws(AdmissionServerError) {
        let next = try Self.load(certificateFile: certificateFile, privateKeyFile: privateKeyFile, clientCAs: clientCAs, now: now)
        current.withLockedValue { $0 = next }
    }

    static func load(certificateFile: String, privateKeyFile: String, clientCAs: [NIOSSLCertificate], now: Date) throws(AdmissionServerError) -> Loaded {
        let certificateText = try TextFile.read(certificateFile, what: "certificate")
        let keyText = try TextFile.read(privateKeyFile, what: "private key")
        let leaf: Certificate
        do {
            leaf = try Certificate(pemEncoded: certificateText)
        } catch {
            throw AdmissionServerError.invalidCertificate("\(certificateFile): not a PEM certificate (\(error))", cause: error)
        }
        let key: Certificate.PrivateKey
        do {
            key = try Certificate.PrivateKey(pemEncoded: keyText)
        } catch {
            throw AdmissionServerError.invalidCertificate("\(privateKeyFile): not a PEM private key (\(error))", cause: error)
        }
        guard key.publicKey == leaf.publicKey else {
            throw AdmissionServerError.invalidCertificate("\(privateKeyFile) is not the private key of the certificate in \(certificateFile)")
        }
        guard now < leaf.notValidAfter else {
            throw AdmissionServerError.invalidCertificate("\(certificateFile): the certificate expired at \(leaf.notValidAfter)")
        }
        guard now >= leaf.notValidBefore else {
            throw AdmissionServerError.invalidCertificate("\(certificateFile): the certificate is not valid before \(leaf.notValidBefore)")
        }
        do {
            let chain = try NIOSSLCertificate.fromPEMBytes(Array(certificateText.utf8))
            let privateKey = try NIOSSLPrivateKey(bytes: Array(keyText.utf8), format: .pem)
            var configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
            configuration.minimumTLSVersion = .tlsv12
            configuration.applicationProtocols = ["http/1.1"]
            // A closing connection waits this long for the peer's close_notify (NIOSSL's default is 5 s):
            // a client cut for being slow or idle must not keep its socket for seconds more.
            configuration.shutdownTimeout = .seconds(1)
            if !clientCAs.isEmpty {
                // Verified when presented (a wrong one fails the handshake); the admission routes then
                // require one, while the kubelet's probes and scrapers, which have none, still connect.
                configuration.certificateVerification = .optionalVerification
                configuration.trustRoots = .certificates(clientCAs)
            }
            let context = try NIOSSLContext(configuration: configuration)
            return Loaded(context: context, notValidAfter: leaf.notValidAfter, subject: "\(leaf.subject)")
        } catch {
            throw AdmissionServerError.invalidCertificate("\(certificateFile), \(privateKeyFile): TLS refused the pair (\(error))", cause: error)
        }
    }
}
