import KubeClient
import KubeModel
import NIOConcurrencyHelpers

/// A ``KubernetesAPI`` that forwards every call and counts the writes the API accepted (creates,
/// updates, patches, deletes). The reconciler's "no write while nothing changed" promise is measured
/// here, at the edge, instead of by each call site remembering to count.
///
/// Contract: the same as the wrapped API's; a write that throws is not counted.
public struct WriteCountingAPI: KubernetesAPI {
    let base: any KubernetesAPI
    let tally: NIOLockedValueBox<Int>
    let onWrite: @Sendable (Int) -> Void

    /// Wraps `base`; `onWrite` is told of each accepted write (for a metric).
    public init(_ base: any KubernetesAPI, onWrite: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.base = base
        tally = NIOLockedValueBox(0)
        self.onWrite = onWrite
    }

    /// The writes accepted so far.
    public var writes: Int { tally.withLockedValue { $0 } }

    private func counted<T>(_ result: T) -> T {
        tally.withLockedValue { $0 += 1 }
        onWrite(1)
        return result
    }

    /// Forwards the GET.
    public func get(_ resource: ResourceType, namespace: String?, name: String) async throws(KubeClientError) -> JSONValue {
        try await base.get(resource, namespace: namespace, name: name)
    }

    /// Forwards the list.
    public func list(_ resource: ResourceType, namespace: String?, options: ListOptions) async throws(KubeClientError) -> ObjectList {
        try await base.list(resource, namespace: namespace, options: options)
    }

    /// Forwards the create and counts it.
    public func create(_ resource: ResourceType, namespace: String?, object: JSONValue, options: WriteOptions) async throws(KubeClientError) -> JSONValue {
        counted(try await base.create(resource, namespace: namespace, object: object, options: options))
    }

    /// Forwards the update and counts it.
    public func update(_ resource: ResourceType, namespace: String?, object: JSONValue, subresource: String?,
                       options: WriteOptions) async throws(KubeClientError) -> JSONValue {
        counted(try await base.update(resource, namespace: namespace, object: object, subresource: subresource, options: options))
    }

    /// Forwards the patch (server-side applies included) and counts it.
    public func patch(_ resource: ResourceType, namespace: String?, name: String, patch: Patch, subresource: String?,
                      options: WriteOptions) async throws(KubeClientError) -> JSONValue {
        counted(try await base.patch(resource, namespace: namespace, name: name, patch: patch, subresource: subresource, options: options))
    }

    /// Forwards the delete and counts it.
    public func delete(_ resource: ResourceType, namespace: String?, name: String, options: DeleteOptions) async throws(KubeClientError) -> JSONValue? {
        counted(try await base.delete(resource, namespace: namespace, name: name, options: options))
    }

    /// Forwards the watch.
    public func watch(_ resource: ResourceType, namespace: String?, options: WatchOptions) -> WatchEvents {
        base.watch(resource, namespace: namespace, options: options)
    }
}
