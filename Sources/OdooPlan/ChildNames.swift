import TraefikGen

/// The names of an environment's objects, derived from its name alone, so the plan, the
/// reconciler's lookups and the deletion clean-up always agree. Secrets follow the GuardPolicy's
/// injection templates (`{environment}-db`); the rest use ``ObjectNames``'s length-safe base.
public struct ChildNames: Sendable, Equatable {
    /// The environment's name.
    public let environment: String
    /// The Traefik generator's names (the common, length-safe base).
    public let objects: ObjectNames

    /// The names for an environment.
    public init(environment: String) {
        self.environment = environment
        objects = ObjectNames(environment: environment)
    }

    /// The Odoo master password Secret.
    public var adminSecret: String { environment + "-admin" }
    /// The generated database login Secret.
    public var databaseSecret: String { environment + "-db" }
    /// The Redis login Secret.
    public var redisSecret: String { environment + "-redis" }
    /// The Deployment of a component (`web`, `cron`); the web PDB shares the web name.
    public func deployment(_ component: String) -> String { objects.base + "-" + component }
    /// The odoo.conf ConfigMap.
    public var config: String { objects.base + "-config" }
    /// The filestore claim.
    public var filestore: String { objects.base + "-filestore" }
    /// The ResourceQuota.
    public var quota: String { objects.base + "-quota" }
    /// The LimitRange.
    public var limits: String { objects.base + "-limits" }
}

extension OdooEnvironment {
    /// The names of its objects.
    public var childNames: ChildNames { ChildNames(environment: name) }

    /// The Secret the database login is read from: `spec.database.externalSecret`, or the generated one.
    public var databaseSecretName: String { database.externalSecret ?? childNames.databaseSecret }
}
