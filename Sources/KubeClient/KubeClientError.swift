import Foundation
import KubeModel

/// The one error type of `KubeClient`: configuration problems, API answers (decoded from the
/// server's `Status`) and transport failures are distinct codes, so callers can tell "the API said
/// no" from "the API could not be reached". Messages never contain a token, key or certificate.
public struct KubeClientError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: String, Sendable, Equatable {
        case invalidConfiguration
        case badRequest
        case unauthorized
        case forbidden
        case notFound
        case alreadyExists
        case conflict
        case gone
        case invalid
        case tooManyRequests
        case serverError
        case otherStatus
        case connection
        case invalidResponse
    }

    /// One field-level cause from `Status.details.causes`.
    public struct Cause: Sendable, Equatable {
        /// The machine-readable reason (`FieldValueInvalid`, `FieldManagerConflict`, …).
        public var reason: String
        /// The human message.
        public var message: String
        /// The field path, when the server named one (`spec.replicas`, `.spec.replicas`).
        public var field: String

        /// A cause.
        public init(reason: String, message: String, field: String) {
            self.reason = reason
            self.message = message
            self.field = field
        }
    }

    /// A sentence for people.
    public let message: String
    /// The HTTP status, for API errors (0 otherwise).
    public var status: Int = 0
    /// `Status.reason` (`NotFound`, `Conflict`, `AlreadyExists`, `Expired`, …), for API errors.
    public var reason: String = ""
    /// `Status.details.causes`.
    public var causes: [Cause] = []
    /// Seconds to wait before retrying, from `Retry-After` or `Status.details.retryAfterSeconds`.
    public var retryAfterSeconds: Int?

    private let code: Code
    /// The error underneath (a transport, database or parser error), kept as a value; `nil` when there is none.
    public let cause: (any Error)?

    private init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// A kubeconfig or in-cluster file is missing, unreadable, or lacks a field; the message names the file and the field.
    public static let invalidConfiguration = Self(.invalidConfiguration, "")
    /// `invalidConfiguration` with its message, and the error underneath when there is one.
    public static func invalidConfiguration(_ message: String, cause: (any Error)? = nil) -> Self {
        Self(.invalidConfiguration, message, cause: cause)
    }

    /// 400: the request was malformed (bad selector, bad patch body).
    public static let badRequest = Self(.badRequest, "")
    /// `badRequest` with its message, and the error underneath when there is one.
    public static func badRequest(_ message: String, cause: (any Error)? = nil) -> Self { Self(.badRequest, message, cause: cause) }

    /// 401: the credentials were refused.
    public static let unauthorized = Self(.unauthorized, "")
    /// `unauthorized` with its message, and the error underneath when there is one.
    public static func unauthorized(_ message: String, cause: (any Error)? = nil) -> Self { Self(.unauthorized, message, cause: cause) }

    /// 403: the credentials may not do this.
    public static let forbidden = Self(.forbidden, "")
    /// `forbidden` with its message, and the error underneath when there is one.
    public static func forbidden(_ message: String, cause: (any Error)? = nil) -> Self { Self(.forbidden, message, cause: cause) }

    /// 404: the object (or its namespace, or the resource type) does not exist.
    public static let notFound = Self(.notFound, "")
    /// `notFound` with its message, and the error underneath when there is one.
    public static func notFound(_ message: String, cause: (any Error)? = nil) -> Self { Self(.notFound, message, cause: cause) }

    /// 409 with reason `AlreadyExists`: a create found the name taken.
    public static let alreadyExists = Self(.alreadyExists, "")
    /// `alreadyExists` with its message, and the error underneath when there is one.
    public static func alreadyExists(_ message: String, cause: (any Error)? = nil) -> Self { Self(.alreadyExists, message, cause: cause) }

    /// 409 with reason `Conflict`: a stale `resourceVersion`, a failed precondition, or a server-side apply conflict with another field manager (see ``causes``).
    public static let conflict = Self(.conflict, "")
    /// `conflict` with its message, and the error underneath when there is one.
    public static func conflict(_ message: String, cause: (any Error)? = nil) -> Self { Self(.conflict, message, cause: cause) }

    /// 410 `Gone`/`Expired`: the resourceVersion or continue token is older than the server keeps.
    public static let gone = Self(.gone, "")
    /// `gone` with its message, and the error underneath when there is one.
    public static func gone(_ message: String, cause: (any Error)? = nil) -> Self { Self(.gone, message, cause: cause) }

    /// 422: the object is invalid; ``causes`` lists each field.
    public static let invalid = Self(.invalid, "")
    /// `invalid` with its message, and the error underneath when there is one.
    public static func invalid(_ message: String, cause: (any Error)? = nil) -> Self { Self(.invalid, message, cause: cause) }

    /// 429: the server is throttling; ``retryAfterSeconds`` says when to come back.
    public static let tooManyRequests = Self(.tooManyRequests, "")
    /// `tooManyRequests` with its message, and the error underneath when there is one.
    public static func tooManyRequests(_ message: String, cause: (any Error)? = nil) -> Self { Self(.tooManyRequests, message, cause: cause) }

    /// 5xx: the server failed or timed out; ``retryAfterSeconds`` when the server gave one.
    public static let serverError = Self(.serverError, "")
    /// `serverError` with its message, and the error underneath when there is one.
    public static func serverError(_ message: String, cause: (any Error)? = nil) -> Self { Self(.serverError, message, cause: cause) }

    /// Any other status the API answered with.
    public static let otherStatus = Self(.otherStatus, "")
    /// `otherStatus` with its message, and the error underneath when there is one.
    public static func otherStatus(_ message: String, cause: (any Error)? = nil) -> Self { Self(.otherStatus, message, cause: cause) }

    /// The server could not be reached, the TLS handshake failed, or the connection broke.
    public static let connection = Self(.connection, "")
    /// `connection` with its message, and the error underneath when there is one.
    public static func connection(_ message: String, cause: (any Error)? = nil) -> Self { Self(.connection, message, cause: cause) }

    /// The server's answer is not the JSON expected (or exceeds the size limit).
    public static let invalidResponse = Self(.invalidResponse, "")
    /// `invalidResponse` with its message, and the error underneath when there is one.
    public static func invalidResponse(_ message: String, cause: (any Error)? = nil) -> Self { Self(.invalidResponse, message, cause: cause) }

    /// Errors match by kind (as the static constants name them), whatever their message.
    public static func == (lhs: KubeClientError, rhs: KubeClientError) -> Bool { lhs.code == rhs.code }

    /// The message with the HTTP status when there is one.
    public var description: String {
        var text = status > 0 ? "\(status) \(reason.isEmpty ? code.rawValue : reason): \(message)" : message
        for cause in causes where !cause.message.isEmpty && !message.contains(cause.message) {
            text += "; " + (cause.field.isEmpty ? cause.message : "\(cause.field): \(cause.message)")
        }
        return text
    }

    /// Whether trying the same request again later can succeed (429, 5xx, connection failures).
    public var isTransient: Bool {
        switch code {
        case .tooManyRequests, .serverError, .connection: return true
        default: return false
        }
    }

    /// The error the API answered with, from the HTTP status and the `Status` body when there is one.
    public static func fromResponse(status: Int, body: JSONValue?, retryAfterHeader: String?) -> KubeClientError {
        let reason = body?["reason"]?.stringValue ?? ""
        let code: Code
        switch status {
        case 400: code = .badRequest
        case 401: code = .unauthorized
        case 403: code = .forbidden
        case 404: code = .notFound
        case 409: code = reason == "AlreadyExists" ? .alreadyExists : .conflict
        case 410: code = .gone
        case 422: code = .invalid
        case 429: code = .tooManyRequests
        case 500...599: code = .serverError
        default: code = .otherStatus
        }
        var error = KubeClientError(code, body?["message"]?.stringValue ?? "the API answered HTTP \(status)")
        error.status = status
        error.reason = reason
        error.causes = body?["details"]?["causes"]?.arrayValue?.map {
            Cause(reason: $0["reason"]?.stringValue ?? "", message: $0["message"]?.stringValue ?? "",
                  field: $0["field"]?.stringValue ?? "")
        } ?? []
        let fromBody = body?["details"]?["retryAfterSeconds"]?.intValue.map(Int.init)
        error.retryAfterSeconds = retryAfterHeader.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? fromBody
        return error
    }
}
