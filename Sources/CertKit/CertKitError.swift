/// Why a certificate could not be generated, read or renewed. The description names the input.
public struct CertKitError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Sendable, Equatable {
        case invalidPEM
        case keyMismatch
        case signingFailed
        case invalidName
        case fileSystem
        case expired
    }

    /// What went wrong, naming the file or field.
    public let message: String

    private let code: Code
    /// The error underneath (a transport, database or parser error), kept as a value; `nil` when there is none.
    public let cause: (any Error)?

    private init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// A PEM document (certificate or private key) could not be parsed.
    public static let invalidPEM = CertKitError(.invalidPEM, "")

    /// `invalidPEM`, with a message naming the input and the problem (and the error underneath, when there is one).
    public static func invalidPEM(_ message: String, cause: (any Error)? = nil) -> CertKitError {
        CertKitError(.invalidPEM, message, cause: cause)
    }

    /// A private key does not belong to the certificate it was given with.
    public static let keyMismatch = CertKitError(.keyMismatch, "")

    /// `keyMismatch`, with a message naming the input and the problem (and the error underneath, when there is one).
    public static func keyMismatch(_ message: String, cause: (any Error)? = nil) -> CertKitError {
        CertKitError(.keyMismatch, message, cause: cause)
    }

    /// The certificate could not be built or signed.
    public static let signingFailed = CertKitError(.signingFailed, "")

    /// `signingFailed`, with a message naming the input and the problem (and the error underneath, when there is one).
    public static func signingFailed(_ message: String, cause: (any Error)? = nil) -> CertKitError {
        CertKitError(.signingFailed, message, cause: cause)
    }

    /// A DNS name or IP address for a certificate is not valid.
    public static let invalidName = CertKitError(.invalidName, "")

    /// `invalidName`, with a message naming the input and the problem (and the error underneath, when there is one).
    public static func invalidName(_ message: String, cause: (any Error)? = nil) -> CertKitError {
        CertKitError(.invalidName, message, cause: cause)
    }

    /// A certificate file could not be read or written, or would be overwritten without `force`.
    public static let fileSystem = CertKitError(.fileSystem, "")

    /// `fileSystem`, with a message naming the input and the problem (and the error underneath, when there is one).
    public static func fileSystem(_ message: String, cause: (any Error)? = nil) -> CertKitError {
        CertKitError(.fileSystem, message, cause: cause)
    }

    /// The CA has expired (or expires before a renewed leaf could be useful): renewing with it is pointless.
    public static let expired = CertKitError(.expired, "")

    /// `expired`, with a message naming the input and the problem (and the error underneath, when there is one).
    public static func expired(_ message: String, cause: (any Error)? = nil) -> CertKitError {
        CertKitError(.expired, message, cause: cause)
    }

    /// Errors match by kind (as the static constants name them), whatever their message.
    public static func == (lhs: CertKitError, rhs: CertKitError) -> Bool { lhs.code == rhs.code }

    /// A private key does not belong to the certificate it was given with.
    /// The certificate could not be built or signed.
    /// A DNS name or IP address for a certificate is not valid.
    /// A certificate file could not be read or written, or would be overwritten without `force`.
    /// The CA has expired (or expires before a renewed leaf could be useful): renewing with it is pointless.


    /// The message.
    public var description: String { message }
}
