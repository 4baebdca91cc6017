/// The one error type of `ImageProvenance`. Messages name the registry, repository and reference,
/// never a credential, token or header value.
public struct ImageProvenanceError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: String, Sendable, Equatable {
        case invalidReference
        case unreachable
        case notFound
        case unauthorized
        case invalidResponse
        case invalidCredentials
        case invalidInput
    }

    /// A sentence for people.
    public let message: String

    private let code: Code
    /// The error underneath (a transport, database or parser error), kept as a value; `nil` when there is none.
    public let cause: (any Error)?

    private init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// The image reference cannot be parsed.
    public static let invalidReference = Self(.invalidReference, "")
    /// `invalidReference` with its message, and the error underneath when there is one.
    public static func invalidReference(_ message: String, cause: (any Error)? = nil) -> Self { Self(.invalidReference, message, cause: cause) }

    /// The registry could not be reached, timed out, or answered with a server error.
    public static let unreachable = Self(.unreachable, "")
    /// `unreachable` with its message, and the error underneath when there is one.
    public static func unreachable(_ message: String, cause: (any Error)? = nil) -> Self { Self(.unreachable, message, cause: cause) }

    /// The registry says the repository, tag, manifest or blob does not exist.
    public static let notFound = Self(.notFound, "")
    /// `notFound` with its message, and the error underneath when there is one.
    public static func notFound(_ message: String, cause: (any Error)? = nil) -> Self { Self(.notFound, message, cause: cause) }

    /// The registry refused the credentials (or needs some and none were given).
    public static let unauthorized = Self(.unauthorized, "")
    /// `unauthorized` with its message, and the error underneath when there is one.
    public static func unauthorized(_ message: String, cause: (any Error)? = nil) -> Self { Self(.unauthorized, message, cause: cause) }

    /// The registry's answer is unusable: digest mismatch, oversized or unreadable body.
    public static let invalidResponse = Self(.invalidResponse, "")
    /// `invalidResponse` with its message, and the error underneath when there is one.
    public static func invalidResponse(_ message: String, cause: (any Error)? = nil) -> Self { Self(.invalidResponse, message, cause: cause) }

    /// A `.dockerconfigjson` (pull secret or auth file) cannot be read.
    public static let invalidCredentials = Self(.invalidCredentials, "")
    /// `invalidCredentials` with its message, and the error underneath when there is one.
    public static func invalidCredentials(_ message: String, cause: (any Error)? = nil) -> Self { Self(.invalidCredentials, message, cause: cause) }

    /// A trusted key or TLS input (PEM file) cannot be read.
    public static let invalidInput = Self(.invalidInput, "")
    /// `invalidInput` with its message, and the error underneath when there is one.
    public static func invalidInput(_ message: String, cause: (any Error)? = nil) -> Self { Self(.invalidInput, message, cause: cause) }

    /// Errors match by kind (as the static constants name them), whatever their message.
    public static func == (lhs: ImageProvenanceError, rhs: ImageProvenanceError) -> Bool { lhs.code == rhs.code }

    /// The message.
    public var description: String { message }
}
