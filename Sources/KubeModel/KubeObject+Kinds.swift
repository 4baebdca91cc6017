import Foundation

/// An integer or a percentage, as in PDB `minAvailable`/`maxUnavailable`.
public enum IntOrPercent: Sendable, Equatable {
    /// An absolute count.
    case int(Int64)
    /// A percentage (`"25%"` is 25).
    case percent(Int64)

    /// Reads `3`, `"3"`-free percentages like `"25%"`; other strings are `nil`.
    public init?(json: JSONValue) {
        switch json {
        case .int(let i): self = .int(i)
        case .string(let s) where s.hasSuffix("%"):
            guard let p = Int64(s.dropLast()) else { return nil }
            self = .percent(p)
        default:
            if let i = json.intValue { self = .int(i) } else { return nil }
        }
    }

    /// The absolute value for a total, rounding percentages up (as the disruption controller does
    /// for `minAvailable`) or down (for `maxUnavailable`).
    public func resolve(total: Int64, roundUp: Bool) -> Int64 {
        switch self {
        case .int(let i): return i
        case .percent(let p):
            let scaled = total * p
            return roundUp ? (scaled + 99) / 100 : scaled / 100
        }
    }
}

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

/// A read view over a core/v1 Secret.
public struct SecretView: Sendable {
    /// The object.
    public let object: KubeObject
    /// A view when the object is a Secret.
    public init?(_ object: KubeObject) {
        guard object.kind == "Secret", object.apiVersion == "v1" else { return nil }
        self.object = object
    }
    /// `type`, default `Opaque`.
    public var type: String { object.raw["type"]?.stringValue ?? "Opaque" }
    /// Decoded entries of `data` (base64) and `stringData`; undecodable entries are skipped.
    /// Never log these.
    public var decodedEntries: [String: String] {
        var result: [String: String] = [:]
        for (key, value) in object.raw["data"]?.objectValue ?? [:] {
            if let text = value.stringValue, let data = Data(base64Encoded: text),
               let decoded = String(data: data, encoding: .utf8) { result[key] = decoded }
        }
        for (key, value) in object.raw["stringData"]?.stringMap ?? [:] { result[key] = value }
        return result
    }
}

/// A read view over a core/v1 ConfigMap.
public struct ConfigMapView: Sendable {
    /// The object.
    public let object: KubeObject
    /// A view when the object is a ConfigMap.
    public init?(_ object: KubeObject) {
        guard object.kind == "ConfigMap", object.apiVersion == "v1" else { return nil }
        self.object = object
    }
    /// `data` entries.
    public var data: [String: String] { object.raw["data"]?.stringMap ?? [:] }
}

/// The labels odoo-guard reads from and writes to objects.
public enum GuardLabels {
    /// Namespace label naming the stage (`development`, `staging`, `production`).
    public static let stage = "odooguard.io/stage"
    /// Namespace label naming the tier (`shared`, `dedicated`).
    public static let tier = "odooguard.io/tier"
    /// Object label naming the OdooEnvironment an object belongs to.
    public static let environment = "odooguard.io/environment"
    /// Label or annotation asking for secret injection (`db,redis,admin`).
    public static let inject = "odooguard.io/inject"
    /// Annotation carrying the change reference of a production change.
    public static let changeReference = "odooguard.io/change-ref"
    /// The well-known instance label, read as the environment when ``environment`` is absent.
    public static let instance = "app.kubernetes.io/instance"
}

/// A read view over a core/v1 Namespace, for its governance labels.
public struct NamespaceView: Sendable {
    /// The object.
    public let object: KubeObject
    /// A view when the object is a Namespace.
    public init?(_ object: KubeObject) {
        guard object.kind == "Namespace" else { return nil }
        self.object = object
    }
    /// The stage label, when set.
    public var stage: String? { object.labels[GuardLabels.stage] }
    /// The tier label, when set.
    public var tier: String? { object.labels[GuardLabels.tier] }
}

/// A read view over an `odooguard.io/v1alpha1` OdooEnvironment, for what the policy reads.
public struct OdooEnvironmentView: Sendable {
    /// The object.
    public let object: KubeObject
    /// A view when the object is an OdooEnvironment.
    public init?(_ object: KubeObject) {
        guard object.kind == "OdooEnvironment", object.apiVersion == "odooguard.io/v1alpha1" else { return nil }
        self.object = object
    }
    private var spec: JSONValue? { object.raw["spec"] }
    /// `spec.stage` (`development`, `staging`, `production`), when set.
    public var stage: String? { spec?["stage"]?.stringValue }
    /// `spec.tier` (`shared`, `dedicated`), when set.
    public var tier: String? { spec?["tier"]?.stringValue }
    /// `spec.version` (Odoo major.minor), when set.
    public var version: String? { spec?["version"]?.stringValue }
    /// `spec.image`, when set.
    public var image: String? { spec?["image"]?.stringValue }
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
