/// A read view over a `policy/v1` PodDisruptionBudget.
public struct PodDisruptionBudgetView: Sendable {
    /// The object.
    public let object: KubeObject
    /// A view when the object is a PodDisruptionBudget.
    public init?(_ object: KubeObject) {
        guard object.kind == "PodDisruptionBudget" else { return nil }
        self.object = object
    }
    /// `spec.minAvailable`, when set.
    public var minAvailable: IntOrPercent? { object.raw["spec"]?["minAvailable"].flatMap(IntOrPercent.init(json:)) }
    /// `spec.maxUnavailable`, when set.
    public var maxUnavailable: IntOrPercent? { object.raw["spec"]?["maxUnavailable"].flatMap(IntOrPercent.init(json:)) }
    /// `spec.unhealthyPodEvictionPolicy`, when set.
    public var unhealthyPodEvictionPolicy: String? { object.raw["spec"]?["unhealthyPodEvictionPolicy"]?.stringValue }
    /// `spec.selector`; `nil` when absent or invalid (then it selects nothing). An empty selector
    /// selects every pod of the namespace (policy/v1 semantics).
    public var selector: LabelSelector? {
        guard let raw = object.raw["spec"]?["selector"], !raw.isNull else { return nil }
        return try? LabelSelector(json: raw)
    }
}
