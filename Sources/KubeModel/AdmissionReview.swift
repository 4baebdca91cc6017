import Foundation

/// The operation an admission request is for.
public enum AdmissionOperation: String, Sendable, Equatable {
    /// Object creation.
    case create = "CREATE"
    /// Object update (``AdmissionRequest/oldObject`` holds the previous state).
    case update = "UPDATE"
    /// Object deletion (``AdmissionRequest/object`` is null).
    case delete = "DELETE"
    /// A connect to a subresource (exec, attach, port-forward).
    case connect = "CONNECT"
}

/// The requesting user of an admission request.
public struct UserInfo: Sendable, Equatable {
    /// The user name (`system:serviceaccount:ns:name` for service accounts).
    public var username: String
    /// The user's UID, when known.
    public var uid: String?
    /// The groups the user belongs to.
    public var groups: [String]

    /// A user.
    public init(username: String = "", uid: String? = nil, groups: [String] = []) {
        self.username = username
        self.uid = uid
        self.groups = groups
    }

    init(json: JSONValue?) {
        username = json?["username"]?.stringValue ?? ""
        uid = json?["uid"]?.stringValue
        groups = json?["groups"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }
}

/// The `request` of an `admission.k8s.io/v1` AdmissionReview.
public struct AdmissionRequest: Sendable, Equatable {
    /// Identifies this call; the response must echo it.
    public var uid: String
    /// The kind of the object as submitted.
    public var kind: GroupVersionKind
    /// The resource being admitted.
    public var resource: GroupVersionResource
    /// The subresource (`status`, `scale`), when the request is for one.
    public var subResource: String?
    /// The object's name (empty for `generateName` creates).
    public var name: String
    /// The namespace, for namespaced resources.
    public var namespace: String?
    /// The operation.
    public var operation: AdmissionOperation
    /// Who asked.
    public var userInfo: UserInfo
    /// The new object (null for DELETE).
    public var object: JSONValue?
    /// The existing object (UPDATE and DELETE).
    public var oldObject: JSONValue?
    /// Whether the request has no side effects.
    public var dryRun: Bool

    /// A request built directly (tests, offline checks).
    public init(uid: String, kind: GroupVersionKind, resource: GroupVersionResource, subResource: String? = nil,
                name: String = "", namespace: String? = nil, operation: AdmissionOperation, userInfo: UserInfo = UserInfo(),
                object: JSONValue?, oldObject: JSONValue? = nil, dryRun: Bool = false) {
        self.uid = uid
        self.kind = kind
        self.resource = resource
        self.subResource = subResource
        self.name = name
        self.namespace = namespace
        self.operation = operation
        self.userInfo = userInfo
        self.object = object
        self.oldObject = oldObject
        self.dryRun = dryRun
    }
}

/// An `admission.k8s.io/v1` AdmissionReview request, decoded from its JSON.
public struct AdmissionReview: Sendable {
    /// The request.
    public var request: AdmissionRequest

    /// The longest `request.uid` accepted.
    public static let maxUIDLength = 128

    /// Whether a uid can be echoed exactly as it arrived: printable ASCII, at most ``maxUIDLength``.
    static func isEchoable(_ uid: String) -> Bool {
        uid.utf8.count <= maxUIDLength && uid.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
    }

    /// Decodes a review, reporting every missing or mistyped field with its path.
    /// - Throws: ``KubeModelError`` `invalidObject` listing the problems.
    public init(json: JSONValue) throws(KubeModelError) {
        var errors: [FieldError] = []
        if json["apiVersion"]?.stringValue != "admission.k8s.io/v1" {
            errors.append(.invalid("apiVersion", "must be admission.k8s.io/v1"))
        }
        if json["kind"]?.stringValue != "AdmissionReview" { errors.append(.invalid("kind", "must be AdmissionReview")) }
        guard let request = json["request"], case .object = request else {
            errors.append(.required("request"))
            throw KubeModelError.invalidObject(errors.map(\.description).joined(separator: "; "))
        }
        let uid = request["uid"]?.stringValue ?? ""
        if uid.isEmpty {
            errors.append(.required("request.uid"))
        } else if !AdmissionReview.isEchoable(uid) {
            // The response must carry the same uid. Text that JSON decoding changed (a lone surrogate
            // escape becomes U+FFFD) cannot be echoed as sent, so it is refused instead of altered.
            errors.append(.invalid("request.uid", "must be 1 to \(AdmissionReview.maxUIDLength) printable ASCII characters (the API server sends a UUID)"))
        }
        let operationText = request["operation"]?.stringValue ?? ""
        let operation = AdmissionOperation(rawValue: operationText)
        if operation == nil { errors.append(.invalid("request.operation", "must be CREATE, UPDATE, DELETE or CONNECT")) }
        guard let kind = request["kind"], let kindName = kind["kind"]?.stringValue, let version = kind["version"]?.stringValue else {
            errors.append(.required("request.kind"))
            throw KubeModelError.invalidObject(errors.map(\.description).joined(separator: "; "))
        }
        let resource = request["resource"]
        let gvk = GroupVersionKind(group: kind["group"]?.stringValue ?? "", version: version, kind: kindName)
        errors += Self.consistencyErrors(request, kind: gvk)
        guard errors.isEmpty, let operation else {
            throw KubeModelError.invalidObject(errors.map(\.description).joined(separator: "; "))
        }
        func nonNull(_ value: JSONValue?) -> JSONValue? { (value?.isNull ?? true) ? nil : value }
        self.request = AdmissionRequest(
            uid: uid,
            kind: gvk,
            resource: GroupVersionResource(group: resource?["group"]?.stringValue ?? "", version: resource?["version"]?.stringValue ?? "",
                                           resource: resource?["resource"]?.stringValue ?? ""),
            subResource: request["subResource"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 },
            name: request["name"]?.stringValue ?? "",
            namespace: request["namespace"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 },
            operation: operation,
            userInfo: UserInfo(json: request["userInfo"]),
            object: nonNull(request["object"]),
            oldObject: nonNull(request["oldObject"]),
            dryRun: request["dryRun"]?.boolValue ?? false)
    }
}

/// The `response` of an `admission.k8s.io/v1` AdmissionReview.
public struct AdmissionResponse: Sendable, Equatable {
    /// Echo of the request uid.
    public var uid: String
    /// Whether the request is admitted.
    public var allowed: Bool
    /// HTTP-like status code of a denial (403).
    public var statusCode: Int?
    /// Message of a denial.
    public var statusMessage: String?
    /// The JSON Patch to apply, for mutations; `nil` when nothing changes.
    public var patch: JSONPatch?
    /// Warnings shown to the client.
    public var warnings: [String]
    /// Annotations for the audit log.
    public var auditAnnotations: [String: String]

    /// A response.
    public init(uid: String, allowed: Bool, statusCode: Int? = nil, statusMessage: String? = nil, patch: JSONPatch? = nil,
                warnings: [String] = [], auditAnnotations: [String: String] = [:]) {
        self.uid = uid
        self.allowed = allowed
        self.statusCode = statusCode
        self.statusMessage = statusMessage
        self.patch = patch
        self.warnings = warnings
        self.auditAnnotations = auditAnnotations
    }

    /// The whole AdmissionReview JSON carrying this response (parsed back from ``reviewBytes()``).
    public var reviewJSON: JSONValue { (try? JSONParser.parse(reviewBytes())) ?? .null }

    /// The whole AdmissionReview carrying this response as UTF-8 JSON, written straight into bytes
    /// (no intermediate tree): `apiVersion`, `kind`, `response` with `uid`, `allowed`, then `status`
    /// (`code`, `message`, `reason` for a denial), the patch (base64 JSON with `patchType: JSONPatch`;
    /// no patch fields at all when there is none), `warnings` and `auditAnnotations` by key.
    public func reviewBytes() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256 + (statusMessage?.utf8.count ?? 0) + warnings.reduce(0) { $0 + $1.utf8.count + 3 })
        out.append(contentsOf: #"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"#.utf8)
        JSONValue.writeString(uid, into: &out)
        out.append(contentsOf: (allowed ? #","allowed":true"# : #","allowed":false"#).utf8)
        if statusCode != nil || statusMessage != nil {
            out.append(contentsOf: #","status":{"#.utf8)
            var first = true
            func member(_ key: String) {
                out.append(contentsOf: (first ? "\"" : ",\"").utf8)
                out.append(contentsOf: key.utf8)
                out.append(contentsOf: "\":".utf8)
                first = false
            }
            if let statusCode { member("code"); out.append(contentsOf: String(statusCode).utf8) }
            if let statusMessage { member("message"); JSONValue.writeString(statusMessage, into: &out) }
            if !allowed { member("reason"); out.append(contentsOf: #""Forbidden""#.utf8) }
            out.append(UInt8(ascii: "}"))
        }
        if let patch, !patch.isEmpty {
            // Base64 needs no escaping: its bytes go straight between the quotes.
            out.append(contentsOf: #","patchType":"JSONPatch","patch":""#.utf8)
            out.append(contentsOf: Data(patch.serializedBytes()).base64EncodedData())
            out.append(UInt8(ascii: "\""))
        }
        if !warnings.isEmpty {
            out.append(contentsOf: #","warnings":["#.utf8)
            for (index, warning) in warnings.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONValue.writeString(warning, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
        if !auditAnnotations.isEmpty {
            out.append(contentsOf: #","auditAnnotations":{"#.utf8)
            for (index, key) in auditAnnotations.keys.sorted().enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONValue.writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                JSONValue.writeString(auditAnnotations[key] ?? "", into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(contentsOf: "}}".utf8)
        return out
    }
}
