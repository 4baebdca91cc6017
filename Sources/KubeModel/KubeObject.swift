/// A read view over any Kubernetes object held as raw JSON: type and metadata accessors that never
/// fail (absent or mistyped fields read as empty), with the raw value kept intact for patching.
public struct KubeObject: Sendable, Equatable {
    /// The object exactly as received.
    public let raw: JSONValue

    /// A view over a raw object.
    public init(_ raw: JSONValue) { self.raw = raw }

    /// `apiVersion`, or `""` when absent.
    public var apiVersion: String { raw["apiVersion"]?.stringValue ?? "" }
    /// `kind`, or `""` when absent.
    public var kind: String { raw["kind"]?.stringValue ?? "" }
    /// Group, version and kind.
    public var gvk: GroupVersionKind { GroupVersionKind(apiVersion: apiVersion, kind: kind) }
    /// `metadata.name`, or `""` (objects with `generateName` have none yet).
    public var name: String { raw["metadata"]?["name"]?.stringValue ?? "" }
    /// `metadata.generateName`, when set.
    public var generateName: String? { raw["metadata"]?["generateName"]?.stringValue }
    /// `metadata.namespace`, when set.
    public var namespace: String? { raw["metadata"]?["namespace"]?.stringValue }
    /// `metadata.labels` (string members only).
    public var labels: [String: String] { raw["metadata"]?["labels"]?.stringMap ?? [:] }
    /// `metadata.annotations` (string members only).
    public var annotations: [String: String] { raw["metadata"]?["annotations"]?.stringMap ?? [:] }
    /// `metadata.uid`, when set.
    public var uid: String? { raw["metadata"]?["uid"]?.stringValue }
    /// `metadata.generation`, when set.
    public var generation: Int64? { raw["metadata"]?["generation"]?.intValue }
    /// `metadata.resourceVersion`, when set.
    public var resourceVersion: String? { raw["metadata"]?["resourceVersion"]?.stringValue }
    /// `metadata.deletionTimestamp`, when set.
    public var deletionTimestamp: String? { raw["metadata"]?["deletionTimestamp"]?.stringValue }
    /// `metadata.finalizers`.
    public var finalizers: [String] { raw["metadata"]?["finalizers"]?.arrayValue?.compactMap(\.stringValue) ?? [] }

    /// A short human reference: `Kind namespace/name` (or `Kind name` when cluster-scoped).
    public var reference: String {
        let shownName = name.isEmpty ? (generateName.map { $0 + "*" } ?? "<unnamed>") : name
        return "\(kind.isEmpty ? "<no kind>" : kind) " + (namespace.map { "\($0)/\(shownName)" } ?? shownName)
    }

    /// `metadata.ownerReferences`.
    public var ownerReferences: [OwnerReference] {
        raw["metadata"]?["ownerReferences"]?.arrayValue?.compactMap { ref in
            guard let kind = ref["kind"]?.stringValue, let name = ref["name"]?.stringValue else { return nil }
            return OwnerReference(apiVersion: ref["apiVersion"]?.stringValue ?? "", kind: kind, name: name,
                                  uid: ref["uid"]?.stringValue ?? "", controller: ref["controller"]?.boolValue ?? false)
        } ?? []
    }
}

/// One entry of `metadata.ownerReferences`.
public struct OwnerReference: Sendable, Hashable {
    /// The owner's apiVersion.
    public var apiVersion: String
    /// The owner's kind.
    public var kind: String
    /// The owner's name.
    public var name: String
    /// The owner's uid.
    public var uid: String
    /// Whether the owner is the managing controller.
    public var controller: Bool

    /// An owner reference.
    public init(apiVersion: String, kind: String, name: String, uid: String, controller: Bool) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.uid = uid
        self.controller = controller
    }
}
