/// The one error type of `ImageProvenance`. Messages name the registry, repository and reference,
/// never a credential, token or header value.
public struct ImageProvenanceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable, Equatable {
        /// The image reference cannot be parsed.
        case invalidReference
        /// The registry could not be reached, timed out, or answered with a server error.
        case unreachable
        /// The registry says the repository, tag, manifest or blob does not exist.
        case notFound
        /// The registry refused the credentials (or needs some and none were given).
        case unauthorized
        /// The registry's answer is unusable: digest mismatch, oversized or unreadable body.
        case invalidResponse
        /// A `.dockerconfigjson` (pull secret or auth file) cannot be read.
        case invalidCredentials
        /// A trusted key or TLS input (PEM file) cannot be read.
        case invalidInput
    }

    /// What went wrong.
    public let code: Code
    /// A sentence for people.
    public let message: String

    /// An error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
