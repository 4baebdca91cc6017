/// Where a kind keeps its pod spec, and what the view reads from it.
///
/// Pods hold it at `spec`; Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController and
/// Job at `spec.template.spec`; CronJob at `spec.jobTemplate.spec.template.spec`.
public struct PodTemplate: Sendable {
    /// The kinds of containers in a pod spec.
    public enum ContainerKind: String, Sendable, CaseIterable {
        /// `containers`.
        case container = "containers"
        /// `initContainers` (including restartable sidecars).
        case initContainer = "initContainers"
        /// `ephemeralContainers` (debug containers; no resources or ports allowed).
        case ephemeralContainer = "ephemeralContainers"
    }

    /// One container of a pod spec with its location.
    public struct Container: Sendable {
        /// Which list it is in.
        public let kind: ContainerKind
        /// Its index in that list.
        public let index: Int
        /// The path of the pod spec it belongs to.
        let specPath: FieldPath
        /// The raw container object.
        public let raw: JSONValue

        /// Its path from the object root (`spec.template.spec.containers[0]`), built on demand:
        /// most evaluations never report a path.
        public var path: FieldPath { specPath / kind.rawValue / index }

        /// `name`, or `""`.
        public var name: String { raw["name"]?.stringValue ?? "" }
        /// `image`, when a string.
        public var image: String? { raw["image"]?.stringValue }
        /// `resources`, when present.
        public var resources: JSONValue? { raw["resources"] }
        /// `env`, as raw entries.
        public var env: [JSONValue] { raw["env"]?.arrayValue ?? [] }
        /// `envFrom`, as raw entries.
        public var envFrom: [JSONValue] { raw["envFrom"]?.arrayValue ?? [] }
        /// A label for messages: `container "web"` / `init container "migrate"`.
        public var label: String {
            let shown = name.isEmpty ? "#\(index)" : "\"\(name.echoed())\""
            switch kind {
            case .container: return "container \(shown)"
            case .initContainer: return "init container \(shown)"
            case .ephemeralContainer: return "ephemeral container \(shown)"
            }
        }
    }

    /// The path of the pod spec inside the object.
    public let specPath: FieldPath
    /// The path of the pod template's metadata (`nil` for a Pod, whose metadata is the object's).
    public let metadataPath: FieldPath?
    /// The pod spec, when present.
    public let spec: JSONValue?
    /// The labels pods will carry (read on demand: most rules never need them).
    public var podLabels: [String: String] { podLabelsValue?.stringMap ?? [:] }
    /// The raw `labels` object of the pod template, when present.
    public let podLabelsValue: JSONValue?
    /// Every container of every kind, in `containers`, `initContainers`, `ephemeralContainers` order.
    public let containers: [Container]

    /// The pod spec location for a kind, or `nil` when the kind has no pod template.
    public static func specPath(forKind kind: String) -> FieldPath? {
        switch kind {
        case "Pod": return podSpecPath
        case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job": return templateSpecPath
        case "CronJob": return cronJobSpecPath
        default: return nil
        }
    }

    private static let podSpecPath = FieldPath([.key("spec")])
    private static let templateSpecPath = FieldPath([.key("spec"), .key("template"), .key("spec")])
    private static let cronJobSpecPath = FieldPath([.key("spec"), .key("jobTemplate"), .key("spec"), .key("template"), .key("spec")])
    private static let templateMetadataPath = FieldPath([.key("spec"), .key("template"), .key("metadata")])
    private static let cronJobMetadataPath = FieldPath([.key("spec"), .key("jobTemplate"), .key("spec"), .key("template"), .key("metadata")])

    /// The pod template's metadata location for a kind: `nil` for a Pod (whose metadata is the
    /// object's) and for kinds without a pod template.
    public static func metadataPath(forKind kind: String) -> FieldPath? {
        switch kind {
        case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job": return templateMetadataPath
        case "CronJob": return cronJobMetadataPath
        default: return nil
        }
    }

    /// The raw `labels` object the pods of an object will carry: a Pod's own, a workload's pod
    /// template's; `nil` when absent or for kinds without a pod template.
    public static func podLabelsValue(of object: KubeObject) -> JSONValue? {
        if object.kind == "Pod" { return object.raw["metadata"]?["labels"] }
        guard let metadata = metadataPath(forKind: object.kind) else { return nil }
        var value = object.raw
        for case .key(let key) in metadata.components {
            guard let next = value[key] else { return nil }
            value = next
        }
        return value["labels"]
    }

    /// The pod template of an object, or `nil` when its kind has none.
    public init?(of object: KubeObject) {
        guard let specPath = PodTemplate.specPath(forKind: object.kind) else { return nil }
        self.specPath = specPath
        spec = object.raw[path: specPath]
        metadataPath = PodTemplate.metadataPath(forKind: object.kind)
        podLabelsValue = PodTemplate.podLabelsValue(of: object)
        var result: [Container] = []
        for kind in ContainerKind.allCases {
            guard case .array(let list)? = spec?[kind.rawValue] else { continue }
            for (index, raw) in list.enumerated() {
                result.append(Container(kind: kind, index: index, specPath: specPath, raw: raw))
            }
        }
        containers = result
    }

    /// `imagePullSecrets` names.
    public var imagePullSecrets: [String] {
        spec?["imagePullSecrets"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
    }
}

extension KubeObject {
    /// The pod template, for kinds that have one.
    public var podTemplate: PodTemplate? { PodTemplate(of: self) }

    /// The desired replica count of a scalable workload: `spec.replicas` (default 1) for Deployment,
    /// StatefulSet, ReplicaSet and ReplicationController; `nil` for kinds without replicas.
    /// A present but non-integer value reads as `nil` too; ``replicasProblem`` says why.
    public var replicas: Int64? {
        switch kind {
        case "Deployment", "StatefulSet", "ReplicaSet", "ReplicationController":
            guard let value = raw["spec"]?["replicas"], !value.isNull else { return 1 }
            return value.intValue
        default: return nil
        }
    }

    /// Why `spec.replicas` cannot be read, when it is present but not a non-negative integer.
    public var replicasProblem: String? {
        guard ["Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"].contains(kind),
              let value = raw["spec"]?["replicas"], !value.isNull else { return nil }
        guard let count = value.intValue else { return "spec.replicas must be an integer, found \(value.typeDescription)" }
        return count < 0 ? "spec.replicas must not be negative" : nil
    }
}
