import KubeModel

/// Raw (untyped) access to the Kubernetes API: every object is its JSON, so fields this project
/// does not model survive a read-modify-write.
///
/// Contract: every method is one API call (plus retries the server asked for with `Retry-After`);
/// failures throw ``KubeClientError`` — API answers decoded from `Status`, transport failures as
/// `connection`. `namespace` is ignored for cluster-scoped resources. Implementations are safe to
/// share between tasks.
public protocol KubernetesAPI: Sendable {
    /// GET one object.
    func get(_ resource: ResourceType, namespace: String?, name: String) async throws(KubeClientError) -> JSONValue
    /// GET a collection (one page when `options.limit` is set; follow ``ObjectList/continueToken``).
    func list(_ resource: ResourceType, namespace: String?, options: ListOptions) async throws(KubeClientError) -> ObjectList
    /// POST a new object; returns it as stored.
    func create(_ resource: ResourceType, namespace: String?, object: JSONValue, options: WriteOptions) async throws(KubeClientError) -> JSONValue
    /// PUT a whole object (or its `status` subresource); its `metadata.resourceVersion`, when set,
    /// makes the write conditional (409 `conflict` when stale).
    func update(_ resource: ResourceType, namespace: String?, object: JSONValue, subresource: String?,
                options: WriteOptions) async throws(KubeClientError) -> JSONValue
    /// PATCH one object (or its `status` subresource).
    func patch(_ resource: ResourceType, namespace: String?, name: String, patch: Patch, subresource: String?,
               options: WriteOptions) async throws(KubeClientError) -> JSONValue
    /// DELETE one object; returns the object as the server last holds it (with `deletionTimestamp`
    /// when finalizers keep it), or `nil` when the server answered with a bare `Status`.
    func delete(_ resource: ResourceType, namespace: String?, name: String, options: DeleteOptions) async throws(KubeClientError) -> JSONValue?
    /// Watches a collection: events from `options.resourceVersion` until the server ends the stream.
    /// A watch that starts too far back fails with `gone` (410), from the first `next()`.
    func watch(_ resource: ResourceType, namespace: String?, options: WatchOptions) -> WatchEvents
}

/// One page of a list.
public struct ObjectList: Sendable {
    /// The objects, each with `apiVersion` and `kind` filled in.
    public var items: [JSONValue]
    /// The collection's resourceVersion: watch from here to see every later change.
    public var resourceVersion: String
    /// Set when more pages follow: pass it as ``ListOptions/continueToken``.
    public var continueToken: String?

    /// A page.
    public init(items: [JSONValue], resourceVersion: String, continueToken: String?) {
        self.items = items
        self.resourceVersion = resourceVersion
        self.continueToken = continueToken
    }
}

/// Query options of a list.
public struct ListOptions: Sendable {
    /// A label selector in the API's text form (`app=odoo,tier in (shared)`).
    public var labelSelector: String?
    /// A field selector (`metadata.name=x`).
    public var fieldSelector: String?
    /// The page size (`nil`: everything at once).
    public var limit: Int?
    /// The token of the next page.
    public var continueToken: String?
    /// Only each object's apiVersion, kind and metadata, asked of the server as ``PartialObjectMetadata``
    /// (a Secret's values never reach the client); items come back as the resource's own kind.
    public var metadataOnly = false

    /// Options.
    public init(labelSelector: String? = nil, fieldSelector: String? = nil, limit: Int? = nil, continueToken: String? = nil,
                metadataOnly: Bool = false) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continueToken = continueToken
        self.metadataOnly = metadataOnly
    }
}

/// Query options of a watch.
public struct WatchOptions: Sendable {
    /// Start after this version; `nil`: the server first sends the current objects as `added`.
    public var resourceVersion: String?
    /// A label selector in the API's text form.
    public var labelSelector: String?
    /// A field selector.
    public var fieldSelector: String?
    /// Ask for `bookmark` events, which advance the resourceVersion without an object change.
    public var allowWatchBookmarks = true
    /// The server ends the watch after this many seconds.
    public var timeoutSeconds: Int?
    /// Events carry only each object's apiVersion, kind and metadata (see ``ListOptions/metadataOnly``).
    public var metadataOnly = false

    /// Options.
    public init(resourceVersion: String? = nil, labelSelector: String? = nil, fieldSelector: String? = nil,
                allowWatchBookmarks: Bool = true, timeoutSeconds: Int? = nil, metadataOnly: Bool = false) {
        self.resourceVersion = resourceVersion
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.allowWatchBookmarks = allowWatchBookmarks
        self.timeoutSeconds = timeoutSeconds
        self.metadataOnly = metadataOnly
    }
}

/// Options of a write.
public struct WriteOptions: Sendable {
    /// The field manager recorded in `managedFields` (required for server-side apply).
    public var fieldManager: String?
    /// Validate without persisting (`dryRun=All`).
    public var dryRun = false

    /// Options.
    public init(fieldManager: String? = nil, dryRun: Bool = false) {
        self.fieldManager = fieldManager
        self.dryRun = dryRun
    }
}

/// The body of a PATCH, which also picks its content type.
public enum Patch: Sendable {
    /// RFC 6902 JSON Patch (`application/json-patch+json`).
    case json(JSONPatch)
    /// RFC 7386 JSON merge patch (`application/merge-patch+json`).
    case merge(JSONValue)
    /// Server-side apply of a partial object (`application/apply-patch+yaml`); `force` takes
    /// fields owned by other managers instead of failing with a conflict.
    case apply(JSONValue, force: Bool)

    /// The HTTP content type.
    public var contentType: String {
        switch self {
        case .json: return "application/json-patch+json"
        case .merge: return "application/merge-patch+json"
        case .apply: return "application/apply-patch+yaml"
        }
    }

    /// The body.
    public var body: JSONValue {
        switch self {
        case .json(let patch): return patch.jsonValue
        case .merge(let value), .apply(let value, _): return value
        }
    }
}

/// Options of a delete.
public struct DeleteOptions: Sendable {
    /// How dependents are handled.
    public enum Propagation: String, Sendable {
        /// Dependents are orphaned (their ownerReferences to this object removed).
        case orphan = "Orphan"
        /// The object goes now; the garbage collector removes dependents afterwards.
        case background = "Background"
        /// Dependents go first; the object carries the `foregroundDeletion` finalizer until then.
        case foreground = "Foreground"
    }

    /// Dependent handling (`nil`: the resource's default).
    public var propagationPolicy: Propagation?
    /// Delete only if the object still has this uid.
    public var preconditionUID: String?
    /// Delete only if the object is still at this resourceVersion.
    public var preconditionResourceVersion: String?
    /// Seconds of grace (`0`: now).
    public var gracePeriodSeconds: Int?

    /// Options.
    public init(propagationPolicy: Propagation? = nil, preconditionUID: String? = nil,
                preconditionResourceVersion: String? = nil, gracePeriodSeconds: Int? = nil) {
        self.propagationPolicy = propagationPolicy
        self.preconditionUID = preconditionUID
        self.preconditionResourceVersion = preconditionResourceVersion
        self.gracePeriodSeconds = gracePeriodSeconds
    }

    /// The `DeleteOptions` body.
    public var body: JSONValue {
        var object: JSONObject = ["apiVersion": "v1", "kind": "DeleteOptions"]
        if let propagationPolicy { object["propagationPolicy"] = .string(propagationPolicy.rawValue) }
        if let gracePeriodSeconds { object["gracePeriodSeconds"] = .int(Int64(gracePeriodSeconds)) }
        var preconditions: JSONObject = [:]
        if let preconditionUID { preconditions["uid"] = .string(preconditionUID) }
        if let preconditionResourceVersion { preconditions["resourceVersion"] = .string(preconditionResourceVersion) }
        if !preconditions.isEmpty { object["preconditions"] = .object(preconditions) }
        return .object(object)
    }
}

/// One watch event.
public struct WatchEvent: Sendable, Equatable {
    /// The event type.
    public enum Kind: String, Sendable {
        /// A new object (or, at the start of a watch without a version, a current one).
        case added = "ADDED"
        /// An object changed.
        case modified = "MODIFIED"
        /// An object is gone; the object is its last state.
        case deleted = "DELETED"
        /// Nothing changed; the object carries only the new `metadata.resourceVersion`.
        case bookmark = "BOOKMARK"
    }

    /// The event type.
    public var kind: Kind
    /// The object.
    public var object: JSONValue

    /// An event.
    public init(kind: Kind, object: JSONValue) {
        self.kind = kind
        self.object = object
    }

    /// The object's (or bookmark's) resourceVersion.
    public var resourceVersion: String? { object["metadata"]?["resourceVersion"]?.stringValue }
}

extension KubernetesAPI {
    /// GET one object, `nil` when it does not exist.
    public func getIfExists(_ resource: ResourceType, namespace: String?, name: String) async throws(KubeClientError) -> JSONValue? {
        do { return try await get(resource, namespace: namespace, name: name) } catch where error == .notFound { return nil }
    }

    /// Every page of a list concatenated, at the first page's resourceVersion.
    public func listAll(_ resource: ResourceType, namespace: String?, options: ListOptions = ListOptions()) async throws(KubeClientError) -> ObjectList {
        var options = options
        var page = try await list(resource, namespace: namespace, options: options)
        var items = page.items
        let version = page.resourceVersion
        while let token = page.continueToken, !token.isEmpty {
            options.continueToken = token
            page = try await list(resource, namespace: namespace, options: options)
            items += page.items
        }
        return ObjectList(items: items, resourceVersion: version, continueToken: nil)
    }

    /// Server-side apply of `object` (its kind, apiVersion, name and namespace say where) as `fieldManager`.
    public func apply(_ resource: ResourceType, object: JSONValue, fieldManager: String, force: Bool = false,
                      subresource: String? = nil) async throws(KubeClientError) -> JSONValue {
        let view = KubeObject(object)
        return try await patch(resource, namespace: view.namespace, name: view.name, patch: .apply(object, force: force),
                               subresource: subresource, options: WriteOptions(fieldManager: fieldManager))
    }
}
