import KubeModel

/// A Kubernetes object this project reads and writes as a Swift value.
///
/// Contract: `init(json:)` accepts everything the API returns for the resource (unknown fields
/// survive in ``json``), and `json` round-trips: `try Self(json: x.json).json == x.json`.
public protocol KubeResource: Sendable {
    /// Where objects of this type live.
    static var resourceType: ResourceType { get }
    /// The value of an object as the API returns it.
    /// - Throws: ``KubeClientError`` `invalidResponse` when a field the type needs is missing or mistyped.
    init(json: JSONValue) throws(KubeClientError)
    /// The object as JSON, unknown fields included.
    var json: JSONValue { get }
}

/// Typed access to one resource type, in one namespace (or cluster-wide): the raw ``KubernetesAPI``
/// calls, decoding results as `R`.
public struct ResourceClient<R: KubeResource>: Sendable {
    /// The API.
    public let api: any KubernetesAPI
    /// The namespace (ignored for cluster-scoped resources; `nil` on lists: all namespaces).
    public let namespace: String?

    /// A client for `R` objects in `namespace`.
    public init(api: any KubernetesAPI, namespace: String?) {
        self.api = api
        self.namespace = namespace
    }

    /// GET one object.
    public func get(_ name: String) async throws(KubeClientError) -> R {
        try R(json: try await api.get(R.resourceType, namespace: namespace, name: name))
    }

    /// GET one object, `nil` when absent.
    public func getIfExists(_ name: String) async throws(KubeClientError) -> R? {
        guard let json = try await api.getIfExists(R.resourceType, namespace: namespace, name: name) else { return nil }
        return try R(json: json)
    }

    /// Every object (all pages).
    public func list(_ options: ListOptions = ListOptions()) async throws(KubeClientError) -> [R] {
        var decoded: [R] = []
        for item in try await api.listAll(R.resourceType, namespace: namespace, options: options).items {
            decoded.append(try R(json: item))
        }
        return decoded
    }

    /// POST a new object.
    public func create(_ object: R, options: WriteOptions = WriteOptions()) async throws(KubeClientError) -> R {
        try R(json: try await api.create(R.resourceType, namespace: namespace, object: object.json, options: options))
    }

    /// PUT the object (conditional on its resourceVersion when set).
    public func replace(_ object: R, options: WriteOptions = WriteOptions()) async throws(KubeClientError) -> R {
        try R(json: try await api.update(R.resourceType, namespace: namespace, object: object.json, subresource: nil, options: options))
    }

    /// PATCH one object.
    public func patch(_ name: String, _ patch: Patch, subresource: String? = nil,
                      options: WriteOptions = WriteOptions()) async throws(KubeClientError) -> R {
        try R(json: try await api.patch(R.resourceType, namespace: namespace, name: name, patch: patch,
                                        subresource: subresource, options: options))
    }

    /// DELETE one object.
    public func delete(_ name: String, options: DeleteOptions = DeleteOptions()) async throws(KubeClientError) {
        _ = try await api.delete(R.resourceType, namespace: namespace, name: name, options: options)
    }
}
