import KubeModel

/// Metadata-only reads, as client-go's metadata client makes them: the `Accept` header asks the API
/// server for `meta.k8s.io/v1` `PartialObjectMetadata` (apiVersion, kind and `metadata` only), so a
/// Secret's `data` or a ConfigMap's contents never cross the wire. The header ends with plain
/// `application/json`: a server (or an aggregated API) that cannot answer in that form sends whole
/// objects, which ``reduce(_:resource:)`` then cuts down before anyone else sees them.
public enum PartialObjectMetadata {
    /// The `Accept` header of a metadata-only list.
    public static let listAccept = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json"
    /// The `Accept` header of a metadata-only get or watch (a watch's events carry single objects).
    public static let objectAccept = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json"
    /// The kind the server gives each object it answers as metadata.
    public static let kind = "PartialObjectMetadata"
    /// The group/version of ``kind``.
    public static let apiVersion = "meta.k8s.io/v1"

    /// `object` as the resource's own kind with only its metadata (less `managedFields`): the server's
    /// `PartialObjectMetadata` retyped, or a whole object from a server that ignored the request cut down.
    public static func reduce(_ object: JSONValue, resource: ResourceType) -> JSONValue {
        guard case .object(let members) = object else { return object }
        var metadata = members["metadata"]?.objectValue ?? [:]
        metadata.removeValue(forKey: "managedFields")
        return .object(["apiVersion": .string(resource.apiVersion), "kind": .string(resource.kind), "metadata": .object(metadata)])
    }
}
