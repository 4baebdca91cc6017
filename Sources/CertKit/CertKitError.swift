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
    public static let invalidPEM = Self(.invalidPEM, "")
    /// `invalidPEM` with its message, and the error underneath when there is one.
    public static func invalidPEM(_ message: String, cause: (any Error)? = nil) -> Self { Self(.invalidPEM, message, cause: cause) }

    /// A private key does not belong to the certificate it was given with.
    public static let keyMismatch = Self(.keyMismatch, "")
    /// `keyMismatch` with its message, and the error underneath when there is one.
    public static func keyMismatch(_ message: String, cause: (any Error)? = nil) -> Self { Self(.keyMismatch, message, cause: cause) }

    /// The certificate could not be built or signed.
    public static let signingFailed = Self(.signingFailed, "")
    /// `signingFailed` with its message, and the error underneath when there is one.
    public static func signingFailed(_ message: String, cause: (any Error)? = nil) -> Self { Self(.signingFailed, message, cause: cause) }

    /// A DNS name or IP address for a certificate is not valid.
    public static let invalidName = Self(.invalidName, "")
    /// `invalidName` with its message, and the error underneath when there is one.
    public static func invalidName(_ message: String, cause: (any Error)? = nil) -> Self { Self(.invalidName, message, cause: cause) }

    /// A certificate file could not be read or written, or would be overwritten without `force`.
    public static let fileSystem = Self(.fileSystem, "")
    /// `fileSystem` with its message, and the error underneath when there is one.
    public static func fileSystem(_ message: String, cause: (any Error)? = nil) -> Self { Self(.fileSystem, message, cause: cause) }

    /// The CA has expired (or expires before a renewed leaf could be useful): renewing with it is pointless.
    public static let expired = Self(.expired, "")
    /// `expired` with its message, and the error underneath when there is one.
    public static func expired(_ message: String, cause: (any Error)? = nil) -> Self { Self(.expired, message, cause: cause) }

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
