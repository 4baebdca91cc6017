import KubeModel

/// The `Accept` header as the API server reads it for reads: a comma-separated list of media types,
/// the first the server can produce wins; `application/json;as=PartialObjectMetadata[List];g=meta.k8s.io;v=v1`
/// asks for metadata only (https://kubernetes.io/docs/reference/using-api/api-concepts/#receiving-resources-as-tables
/// describes the same mechanism for Tables). A header with nothing the server can produce is 406.
enum MediaNegotiation: Equatable {
    /// Whole objects.
    case full
    /// `PartialObjectMetadata` objects (or a `PartialObjectMetadataList`).
    case metadata

    /// What to answer to `accept` for a list (`list: true`) or an object or watch; `nil`: 406.
    static func choose(_ accept: String?, list: Bool, partialMetadata: Bool) -> MediaNegotiation? {
        guard let accept, !accept.isEmpty else { return .full }
        for entry in accept.split(separator: ",") {
            let parts = entry.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let type = parts.first, type == "application/json" || type == "*/*" || type == "application/*" else { continue }
            var parameters: [String: String] = [:]
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1).map(String.init)
                if pair.count == 2 { parameters[pair[0]] = pair[1] }
            }
            guard let target = parameters["as"] else { return .full }
            let wanted = list ? "PartialObjectMetadataList" : "PartialObjectMetadata"
            if partialMetadata, target == wanted, parameters["g"] == "meta.k8s.io", parameters["v"] == "v1" { return .metadata }
        }
        return nil
    }

    /// `object` as a `PartialObjectMetadata`.
    static func partial(_ object: JSONValue) -> JSONValue {
        ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": object["metadata"] ?? [:]]
    }

    /// A list answer as a `PartialObjectMetadataList`.
    static func partialList(_ list: JSONValue) -> JSONValue {
        ["kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1", "metadata": list["metadata"] ?? [:],
         "items": .array((list["items"]?.arrayValue ?? []).map(partial))]
    }
}
