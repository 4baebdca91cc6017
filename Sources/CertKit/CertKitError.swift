/// Why a certificate could not be generated, read or renewed. The description names the input.
public struct CertKitError: Error, Sendable, Equatable, CustomStringConvertible {
    enum Code: Sendable, Equatable {
        case invalidPEM
        case keyMismatch
        case signingFailed
        case invalidName
        case fileSystem
        case expired
    }

    let code: Code
    /// What went wrong, naming the file or field.
    public let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// A PEM document (certificate or private key) could not be parsed.
    public static let invalidPEM = CertKitError(.invalidPEM, "")
    /// A private key does not belong to the certificate it was given with.
    public static let keyMismatch = CertKitError(.keyMismatch, "")
    /// The certificate could not be built or signed.
    public static let signingFailed = CertKitError(.signingFailed, "")
    /// A DNS name or IP address for a certificate is not valid.
    public static let invalidName = CertKitError(.invalidName, "")
    /// A certificate file could not be read or written, or would be overwritten without `force`.
    public static let fileSystem = CertKitError(.fileSystem, "")
    /// The CA has expired (or expires before a renewed leaf could be useful): renewing with it is pointless.
    public static let expired = CertKitError(.expired, "")

    /// Errors match by kind, whatever their message.
    public static func == (lhs: CertKitError, rhs: CertKitError) -> Bool { lhs.code == rhs.code }

    /// The message.
    public var description: String { message }
}
