/// A read view over an `odooguard.io/v1alpha1` OdooEnvironment, for what the policy reads.
///
/// Not a second decoder: the environment's one decoder is OdooPlan's `OdooEnvironment.decode`, which
/// refuses a whole document for any invalid field. The rules must still judge such a document (a
/// production environment with a typo in its ingress still gets the production image rules, and
/// `guardctl check` reads files the API server never validated), so they read these few fields
/// leniently, typed where the decoder types them (``Stage``, ``Tier``).
public struct OdooEnvironmentView: Sendable {
    /// The object.
    public let object: KubeObject
    /// A view when the object is an OdooEnvironment.
    public init?(_ object: KubeObject) {
        guard object.kind == "OdooEnvironment", object.apiVersion == "odooguard.io/v1alpha1" else { return nil }
        self.object = object
    }
    private var spec: JSONValue? { object.raw["spec"] }
    /// `spec.stage` as written, when it is a string (an unknown name is kept for the warning that it
    /// is checked as production).
    public var stageName: String? { spec?["stage"]?.stringValue }
    /// `spec.stage`, when it is one of the stages.
    public var stage: Stage? { stageName.flatMap(Stage.init(rawValue:)) }
    /// `spec.tier`, when it is one of the tiers.
    public var tier: Tier? { spec?["tier"]?.stringValue.flatMap(Tier.init(rawValue:)) }
    /// `spec.version` (Odoo major.minor), when set.
    public var version: String? { spec?["version"]?.stringValue }
    /// `spec.image`, when set.
    public var image: String? { spec?["image"]?.stringValue }
    /// `spec.addons[].image`, in order (entries without a string image are left out).
    public var addonImages: [(index: Int, image: String)] {
        (spec?["addons"]?.arrayValue ?? []).enumerated().compactMap { index, addon in addon["image"]?.stringValue.map { (index, $0) } }
    }
    /// `spec.replicas`, when an integer.
    public var replicas: Int64? { spec?["replicas"]?.intValue }
    /// `spec.config`: odoo.conf overrides, each read as Odoo reads it (booleans as True/False).
    public var config: [String: String] {
        guard case .object(let config)? = spec?["config"] else { return [:] }
        var result: [String: String] = [:]
        for (key, value) in config {
            switch value {
            case .string(let s): result[key] = s
            case .bool(let b): result[key] = b ? "True" : "False"
            case .int(let i): result[key] = String(i)
            default: result[key] = value.serialized()
            }
        }
        return result
    }
}
