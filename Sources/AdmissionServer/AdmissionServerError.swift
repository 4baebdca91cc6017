/// Why the webhook could not start or reload. Every message names the file or flag at fault.
public struct AdmissionServerError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Sendable, Equatable {
        case unreadableFile
        case invalidCertificate
        case invalidPolicy
        case invalidConfiguration
    }

    /// What went wrong.
    public let message: String

    private let code: Code
    /// The error underneath (a transport, database or parser error), kept as a value; `nil` when there is none.
    public let cause: (any Error)?

    private init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// A certificate, key, policy or context file could not be read.
    public static let unreadableFile = Self(.unreadableFile, "")
    /// `unreadableFile` with its message, and the error underneath when there is one.
    public static func unreadableFile(_ message: String, cause: (any Error)? = nil) -> Self { Self(.unreadableFile, message, cause: cause) }

    /// The serving certificate or key is not usable: not PEM, mismatched, expired or not yet valid.
    public static let invalidCertificate = Self(.invalidCertificate, "")
    /// `invalidCertificate` with its message, and the error underneath when there is one.
    public static func invalidCertificate(_ message: String, cause: (any Error)? = nil) -> Self { Self(.invalidCertificate, message, cause: cause) }

    /// The policy file is not a valid GuardPolicy (the message lists every field problem).
    public static let invalidPolicy = Self(.invalidPolicy, "")
    /// `invalidPolicy` with its message, and the error underneath when there is one.
    public static func invalidPolicy(_ message: String, cause: (any Error)? = nil) -> Self { Self(.invalidPolicy, message, cause: cause) }

    /// A setting is out of range or contradicts another one.
    public static let invalidConfiguration = Self(.invalidConfiguration, "")
    /// `invalidConfiguration` with its message, and the error underneath when there is one.
    public static func invalidConfiguration(_ message: String, cause: (any Error)? = nil) -> Self {
        Self(.invalidConfiguration, message, cause: cause)
    }

    /// Errors match by kind (as the static constants name them), whatever their message.
    public static func == (lhs: AdmissionServerError, rhs: AdmissionServerError) -> Bool { lhs.code == rhs.code }

    /// The serving certificate or key is not usable: not PEM, mismatched, expired or not yet valid.
    /// The policy file is not a valid GuardPolicy (the message lists every field problem).
    /// A setting is out of range or contradicts another one.


    /// The message.
    public var description: String { message }
}
