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
