/// The few fields of an apps/v1 Deployment (or StatefulSet: the same fields) that decisions read:
/// the replicas asked for, the rollout's progress, and the pod template's containers and annotations.
/// Read once from the object as observed; missing fields read as zero or empty.
public struct DeploymentView: Sendable, Equatable {
    /// `metadata.name`.
    public var name: String
    /// `metadata.generation`.
    public var generation: Int64
    /// `spec.replicas` (`nil` when absent: the API defaults it to 1).
    public var replicas: Int64?
    /// `status.observedGeneration`.
    public var observedGeneration: Int64
    /// `status.updatedReplicas`.
    public var updatedReplicas: Int64
    /// `status.readyReplicas`.
    public var readyReplicas: Int64
    /// `status.availableReplicas`.
    public var availableReplicas: Int64
    /// The pod template's containers: name → image.
    public var images: [String: String]
    /// The pod template's annotations.
    public var templateAnnotations: [String: String]

    /// The view of `object` (a Deployment or StatefulSet as the API returned it).
    public init(_ object: JSONValue) {
        name = object["metadata"]?["name"]?.stringValue ?? ""
        generation = object["metadata"]?["generation"]?.intValue ?? 0
        replicas = object["spec"]?["replicas"]?.intValue
        let status = object["status"]
        observedGeneration = status?["observedGeneration"]?.intValue ?? 0
        updatedReplicas = status?["updatedReplicas"]?.intValue ?? 0
        readyReplicas = status?["readyReplicas"]?.intValue ?? 0
        availableReplicas = status?["availableReplicas"]?.intValue ?? 0
        let template = object["spec"]?["template"]
        var images: [String: String] = [:]
        for container in template?["spec"]?["containers"]?.arrayValue ?? [] {
            if let name = container["name"]?.stringValue, let image = container["image"]?.stringValue { images[name] = image }
        }
        self.images = images
        templateAnnotations = template?["metadata"]?["annotations"]?.stringMap ?? [:]
    }

    /// Whether it asks for any pod (an absent `spec.replicas` is 1).
    public var runsPods: Bool { (replicas ?? 1) > 0 }

    /// Whether the controller has seen the latest spec and `wanted` pods are updated and available.
    public func rolledOut(_ wanted: Int64) -> Bool {
        observedGeneration >= generation && updatedReplicas >= wanted && availableReplicas >= wanted
    }
}
