import KubeModel

/// Where an environment's pods run (`spec.placement` of the GuardPolicy): node pools, each a node
/// selector and the taints its nodes carry, assigned by tier and stage to the roles of an
/// environment's pods; taints the platform keeps for itself; and how production web spreads over zones.
/// The operator plans every pod onto its role's pool; `placement.node-pool` denies a tenant pod that
/// tolerates a taint or selects a pool its tier and stage may not use.
public struct PlacementPolicy: Sendable, Equatable {
    /// A node taint, as a pool's nodes carry it (`kubectl taint`).
    public struct Taint: Sendable, Equatable, CustomStringConvertible {
        /// The taint key.
        public var key: String
        /// Its value (`nil`: none).
        public var value: String?
        /// `NoSchedule`, `PreferNoSchedule` or `NoExecute`.
        public var effect: String

        /// A taint.
        public init(key: String, value: String? = nil, effect: String = "NoSchedule") {
            self.key = key
            self.value = value
            self.effect = effect
        }

        /// `key=value:Effect`, as kubectl writes it.
        public var description: String { "\(key)\(value.map { "=\($0)" } ?? ""):\(effect)" }

        /// The toleration that lets a pod onto nodes with this taint (exactly this one).
        public var toleration: JSONValue {
            var object: JSONObject = ["effect": .string(effect), "key": .string(key), "operator": value == nil ? "Exists" : "Equal"]
            if let value { object["value"] = .string(value) }
            return .object(object)
        }

        /// The taint effects Kubernetes knows.
        public static let effects = ["NoSchedule", "PreferNoSchedule", "NoExecute"]
    }

    /// A set of nodes: how pods select them and the taints that keep other pods off.
    public struct Pool: Sendable, Equatable {
        /// The pool's name, as assignments name it.
        public var name: String
        /// The node labels that select the pool's nodes.
        public var nodeSelector: [String: String]
        /// The taints its nodes carry.
        public var taints: [Taint]

        /// A pool.
        public init(name: String, nodeSelector: [String: String], taints: [Taint] = []) {
            self.name = name
            self.nodeSelector = nodeSelector
            self.taints = taints
        }
    }

    /// What an environment's pod is for.
    public enum Role: String, Sendable, CaseIterable {
        /// Odoo's web and cron pods (and the sleeping page).
        case web
        /// Stateful services: a dedicated PostgreSQL (or CloudNativePG Cluster) and Redis.
        case stateful
        /// Jobs: database initialisation, upgrades, backups, restore rehearsals and restores.
        case jobs
    }

    /// Which pools serve the environments of some tiers and stages.
    public struct Assignment: Sendable, Equatable {
        /// The tiers it applies to (empty: every tier).
        public var tiers: [Tier]
        /// The stages it applies to (empty: every stage).
        public var stages: [Stage]
        /// The pool of each role (a role without one runs wherever the scheduler puts it).
        public var pools: [Role: String]

        /// An assignment.
        public init(tiers: [Tier] = [], stages: [Stage] = [], pools: [Role: String]) {
            self.tiers = tiers
            self.stages = stages
            self.pools = pools
        }

        /// Whether it applies to `tier` and `stage`.
        public func matches(tier: Tier, stage: Stage) -> Bool {
            (tiers.isEmpty || tiers.contains(tier)) && (stages.isEmpty || stages.contains(stage))
        }
    }

    /// The pools.
    public var pools: [Pool] = []
    /// Assignments, the first that matches a tier and stage wins.
    public var assignments: [Assignment] = []
    /// Taints of the platform's own nodes (control plane, ingress, monitoring): no tenant pod tolerates them.
    public var reservedTaints: [Taint] = []
    /// `whenUnsatisfiable` of production web's zone spread per stage (`ScheduleAnyway` where unset).
    public var zoneSpread: [Stage: String] = [:]

    /// No placement.
    public init() {}

    /// The pool of `role` for an environment of `tier` and `stage`, when one is assigned.
    public func pool(_ role: Role, tier: Tier, stage: Stage) -> Pool? {
        guard let name = assignments.first(where: { $0.matches(tier: tier, stage: stage) })?.pools[role] else { return nil }
        return pools.first { $0.name == name }
    }

    /// The pools `tier` and `stage` may use, by name.
    public func allowedPools(tier: Tier, stage: Stage) -> Set<String> {
        Set(assignments.first { $0.matches(tier: tier, stage: stage) }?.pools.values.map { $0 } ?? [])
    }

    /// `whenUnsatisfiable` of web's zone spread in `stage`.
    public func zoneSpread(_ stage: Stage) -> String { zoneSpread[stage] ?? "ScheduleAnyway" }

    /// The placement fields of a pod of `role` (`nodeSelector`, `tolerations`), empty without a pool.
    public func podFields(_ role: Role, tier: Tier, stage: Stage) -> JSONObject {
        guard let pool = pool(role, tier: tier, stage: stage) else { return [:] }
        var fields: JSONObject = [:]
        if !pool.nodeSelector.isEmpty {
            fields["nodeSelector"] = .object(JSONObject(uniqueKeysWithValues: pool.nodeSelector.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) }))
        }
        if !pool.taints.isEmpty { fields["tolerations"] = .array(pool.taints.map(\.toleration)) }
        return fields
    }
}
