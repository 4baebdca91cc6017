import GuardRules
import KubeModel

/// Node pools (`spec.placement` of the GuardPolicy): every pod the plan makes goes to its role's pool.
extension PlanContext {
    /// The role of a component's pods in the placement policy.
    static func placementRole(_ component: Component) -> PlacementPolicy.Role? {
        switch component {
        case .web, .cron, .queue, .sleeping: .web
        case .database, .redis: .stateful
        case .backup, .restoreCheck, .restore, .initialize, .upgrade: .jobs
        case .governance, .config, .filestore, .credentials: nil
        }
    }

    /// `object` with its pods on the pool of its component's role: the pool's node selector merged
    /// into the pod spec's and its tolerations added (a CloudNativePG Cluster through `spec.affinity`).
    /// Objects without pods, or without a pool for their role, are returned as they are.
    func placed(_ object: JSONValue) -> JSONValue {
        let view = KubeObject(object)
        guard let component = view.labels[GuardLabels.component].flatMap(Component.init(rawValue:)),
              let role = Self.placementRole(component) else { return object }
        let fields = placement.podFields(role, tier: environment.tier, stage: environment.stage)
        guard !fields.isEmpty else { return object }
        let path: FieldPath
        if view.kind == "Cluster" && view.apiVersion.hasPrefix("postgresql.cnpg.io/") {
            path = FieldPath([.key("spec"), .key("affinity")])
        } else if view.kind == "Pooler" {
            path = FieldPath([.key("spec"), .key("template"), .key("spec")])
        } else if let specPath = PodTemplate.specPath(forKind: view.kind) {
            path = specPath
        } else {
            return object
        }
        var result = object
        // Every path planned here exists (a pod spec, the Cluster's affinity); one that did not would be made.
        if !result.modify(at: path, { Self.merge(fields, into: &$0) }) {
            var fresh = JSONValue.object([:])
            Self.merge(fields, into: &fresh)
            result.set(fresh, at: path)
        }
        return result
    }

    /// `fields` merged into the pod spec (or affinity) `target`: node selectors label by label,
    /// tolerations added where not present already, keys kept in byte order.
    static func merge(_ fields: JSONObject, into target: inout JSONValue) {
        var members = target.objectValue ?? [:]
        for (key, value) in fields {
            switch (key, members[key], value) {
            case ("nodeSelector", .object(var present)?, .object(let pool)):
                for (label, text) in pool { present[label] = text }
                present.sort { $0.key < $1.key }
                members[key] = .object(present)
            case ("tolerations", .array(let present)?, .array(let pool)):
                members[key] = .array(present + pool.filter { !present.contains($0) })
            default:
                members[key] = value
            }
        }
        members.sort { $0.key < $1.key }
        target = .object(members)
    }
}
