import Foundation
import KubeModel

/// A `coordination.k8s.io/v1` Lease, as leader election reads and writes it.
public struct Lease: KubeResource, Equatable {
    /// `coordination.k8s.io/v1 leases`.
    public static let resourceType = ResourceType.leases
    /// The whole object.
    public private(set) var json: JSONValue

    /// A lease from the API's JSON.
    public init(json: JSONValue) throws(KubeClientError) {
        guard case .object = json, !KubeObject(json).name.isEmpty else {
            throw KubeClientError.invalidResponse("a Lease must be an object with metadata.name")
        }
        self.json = json
    }

    /// A new lease `name` in `namespace`.
    public init(name: String, namespace: String) {
        json = ["apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                "metadata": ["name": .string(name), "namespace": .string(namespace)], "spec": [:]]
    }

    /// `metadata.name`.
    public var name: String { KubeObject(json).name }
    /// `metadata.resourceVersion`.
    public var resourceVersion: String? { KubeObject(json).resourceVersion }

    /// `spec.holderIdentity` (`nil` or empty: nobody holds it).
    public var holderIdentity: String? {
        get { json["spec"]?["holderIdentity"]?.stringValue }
        set { setSpec("holderIdentity", newValue.map(JSONValue.string) ?? .null) }
    }
    /// `spec.leaseDurationSeconds`.
    public var leaseDurationSeconds: Int? {
        get { json["spec"]?["leaseDurationSeconds"]?.intValue.map(Int.init) }
        set { setSpec("leaseDurationSeconds", newValue.map { .int(Int64($0)) } ?? .null) }
    }
    /// `spec.leaseTransitions`.
    public var leaseTransitions: Int {
        get { Int(json["spec"]?["leaseTransitions"]?.intValue ?? 0) }
        set { setSpec("leaseTransitions", .int(Int64(newValue))) }
    }
    /// `spec.acquireTime`.
    public var acquireTime: Date? {
        get { json["spec"]?["acquireTime"]?.stringValue.flatMap(Timestamp.parse) }
        set { setSpec("acquireTime", newValue.map { .string(Timestamp.microTime($0)) } ?? .null) }
    }
    /// `spec.renewTime`.
    public var renewTime: Date? {
        get { json["spec"]?["renewTime"]?.stringValue.flatMap(Timestamp.parse) }
        set { setSpec("renewTime", newValue.map { .string(Timestamp.microTime($0)) } ?? .null) }
    }

    private mutating func setSpec(_ key: String, _ value: JSONValue) {
        guard case .object(var object) = json else { return }
        var spec = object["spec"]?.objectValue ?? [:]
        if value == .null { spec.removeValue(forKey: key) } else { spec[key] = value }
        object["spec"] = .object(spec)
        json = .object(object)
    }
}
