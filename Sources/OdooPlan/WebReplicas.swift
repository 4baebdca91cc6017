import KubeModel

/// Who decides how many web pods run.
///
/// A fixed count is part of the web Deployment the operator applies. Under an autoscaler the
/// Deployment is applied without `spec.replicas`, and the count is written on its own by the field
/// manager ``fieldManager``: before the Deployment when it exists, so that dropping the field from
/// the operator's apply never deletes it (server-side apply removes a field its only manager stops
/// applying, and the API server would default it to 1 pod), and whenever it is outside the
/// autoscaler's range (waking from 0, a floor that just opened). The autoscaler's own updates take
/// the field over from there.
public enum WebReplicas: Sendable, Equatable {
    /// The operator sets this many pods (the spec's replicas, or 0 while web must not run).
    case fixed(Int)
    /// The HorizontalPodAutoscaler decides, between these bounds (the minimum is a floor's while one is open).
    case autoscaled(minimum: Int, maximum: Int)

    /// The field manager of the replica count written apart from the Deployment.
    public static let fieldManager = "odoo-guard-replicas"

    /// The fixed count, `nil` under an autoscaler.
    public var fixed: Int? {
        if case .fixed(let count) = self { return count }
        return nil
    }

    /// The count to write apart from the Deployment when `live` web replicas are observed (`nil`:
    /// no Deployment yet) and the operator applies the Deployment now (`applying`); `nil` when
    /// nothing is to be written.
    public func separateWrite(live: Int64?, applying: Bool) -> Int? {
        guard case .autoscaled(let minimum, let maximum) = self else { return nil }
        guard let live else { return minimum }
        let clamped = Int(min(max(live, Int64(minimum)), Int64(maximum)))
        return applying || Int64(clamped) != live ? clamped : nil
    }

    /// The write of `count` replicas on the web Deployment `name` in `namespace`: only the count.
    public static func object(_ count: Int, name: String, namespace: String) -> JSONValue {
        ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name), "namespace": .string(namespace)],
         "spec": ["replicas": .int(Int64(count))]]
    }
}
