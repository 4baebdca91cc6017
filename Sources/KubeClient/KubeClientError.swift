import Foundation
import KubeModel

/// The one error type of `KubeClient`: configuration problems, API answers (decoded from the
/// server's `Status`) and transport failures are distinct codes, so callers can tell "the API said
/// no" from "the API could not be reached". Messages never contain a token, key or certificate.
public struct KubeClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable, Equatable {
        /// A kubeconfig or in-cluster file is missing, unreadable, or lacks a field; the message names
        /// the file and the field.
        case invalidConfiguration
        /// 400: the request was malformed (bad selector, bad patch body).
        case badRequest
        /// 401: the credentials were refused.
        case unauthorized
        /// 403: the credentials may not do this.
        case forbidden
        /// 404: the object (or its namespace, or the resource type) does not exist.
        case notFound
        /// 409 with reason `AlreadyExists`: a create found the name taken.
        case alreadyExists
        /// 409 with reason `Conflict`: a stale `resourceVersion`, a failed precondition, or a
        /// server-side apply conflict with another field manager (see ``causes``).
        case conflict
        /// 410 `Gone`/`Expired`: the resourceVersion or continue token is older than the server keeps.
        case gone
        /// 422: the object is invalid; ``causes`` lists each field.
        case invalid
        /// 429: the server is throttling; ``retryAfterSeconds`` says when to come back.
        case tooManyRequests
        /// 5xx: the server failed or timed out; ``retryAfterSeconds`` when the server gave one.
        case serverError
        /// Any other status the API answered with.
        case otherStatus
        /// The server could not be reached, the TLS handshake failed, or the connection broke.
        case connection
        /// The server's answer is not the JSON expected (or exceeds the size limit).
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

    /// What went wrong.
    public let code: Code
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

    /// An error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

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
