import KubeModel

/// An API failure as the server answers it: the HTTP code and a `Status` object
/// (https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/status/).
struct APIError: Error, Sendable {
    var code: Int
    var reason: String
    var message: String
    var causes: [(reason: String, message: String, field: String)] = []
    var retryAfter: Int?
    var details: (kind: String, name: String)?

    var status: JSONValue {
        var object: JSONObject = ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
                                  "message": .string(message), "reason": .string(reason), "code": .int(Int64(code))]
        var detail: JSONObject = [:]
        if let details { detail["kind"] = .string(details.kind); detail["name"] = .string(details.name) }
        if !causes.isEmpty {
            detail["causes"] = .array(causes.map { .object(["reason": .string($0.reason), "message": .string($0.message), "field": .string($0.field)]) })
        }
        if let retryAfter { detail["retryAfterSeconds"] = .int(Int64(retryAfter)) }
        if !detail.isEmpty { object["details"] = .object(detail) }
        return .object(object)
    }

    static func notFound(_ resource: String, _ name: String) -> APIError {
        APIError(code: 404, reason: "NotFound", message: "\(resource) \"\(name)\" not found", details: (resource, name))
    }

    static func alreadyExists(_ resource: String, _ name: String) -> APIError {
        APIError(code: 409, reason: "AlreadyExists", message: "\(resource) \"\(name)\" already exists", details: (resource, name))
    }

    static func conflict(_ resource: String, _ name: String, _ why: String) -> APIError {
        APIError(code: 409, reason: "Conflict", message: "Operation cannot be fulfilled on \(resource) \"\(name)\": \(why)",
                 details: (resource, name))
    }

    static func badRequest(_ message: String) -> APIError { APIError(code: 400, reason: "BadRequest", message: message) }

    static func invalid(_ kind: String, _ name: String, field: String, _ message: String) -> APIError {
        APIError(code: 422, reason: "Invalid", message: "\(kind) \"\(name)\" is invalid: \(field): \(message)",
                 causes: [("FieldValueInvalid", message, field)], details: (kind, name))
    }

    static let staleMessage = "the object has been modified; please apply your changes to the latest version and try again"
}
