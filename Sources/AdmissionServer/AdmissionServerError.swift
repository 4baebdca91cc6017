/// Why the webhook could not start or reload. Every message names the file or flag at fault.
public struct AdmissionServerError: Error, Sendable, Equatable, CustomStringConvertible {
    enum Code: Sendable, Equatable {
        case unreadableFile
        case invalidCertificate
        case invalidPolicy
        case invalidConfiguration
    }

    let code: Code
    /// What went wrong.
    public let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// A certificate, key, policy or context file could not be read.
    public static let unreadableFile = AdmissionServerError(.unreadableFile, "")
    /// The serving certificate or key is not usable: not PEM, mismatched, expired or not yet valid.
    public static let invalidCertificate = AdmissionServerError(.invalidCertificate, "")
    /// The policy file is not a valid GuardPolicy (the message lists every field problem).
    public static let invalidPolicy = AdmissionServerError(.invalidPolicy, "")
    /// A setting is out of range or contradicts another one.
    public static let invalidConfiguration = AdmissionServerError(.invalidConfiguration, "")

    /// Errors match by kind, whatever their message.
    public static func == (lhs: AdmissionServerError, rhs: AdmissionServerError) -> Bool { lhs.code == rhs.code }

    /// The message.
    public var description: String { message }
}
