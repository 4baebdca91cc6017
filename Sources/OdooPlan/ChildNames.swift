import KubeModel
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
    public func deployment(_ component: Component) -> String { objects.base + "-" + component.rawValue }
    /// The odoo.conf ConfigMap.
    public var config: String { objects.base + "-config" }
    /// The sleeping page's ConfigMap, Deployment and Service (only while the environment sleeps or wakes).
    public var sleeping: String { objects.base + "-sleeping" }
    /// The filestore claim.
    public var filestore: String { objects.base + "-filestore" }
    /// The ResourceQuota.
    public var quota: String { objects.base + "-quota" }
    /// The LimitRange.
    public var limits: String { objects.base + "-limits" }
    /// The dedicated PostgreSQL StatefulSet and its Service.
    public var postgres: String { objects.base + "-postgres" }
    /// The CloudNativePG `Cluster` of a dedicated environment (its Services add `-rw`, `-ro`, `-r`),
    /// its PodMonitor and the NetworkPolicy of its instances.
    public var cluster: String { objects.base + "-pg" }
    /// The CloudNativePG `Pooler` (PgBouncer) Odoo connects through; also its Service's name.
    public var pooler: String { objects.base + "-pg-pooler" }
    /// The Barman Cloud `ObjectStore` the Cluster archives WAL and base backups to.
    public var archive: String { objects.base + "-pg-archive" }
    /// The CloudNativePG `ScheduledBackup`.
    public var scheduledBackup: String { objects.base + "-pg-base-backup" }
    /// The dedicated Redis Deployment and its Service.
    public var redis: String { objects.base + "-redis" }
    /// The backup CronJob.
    public var backup: String { cronJob("-backup") }
    /// The weekly restore-rehearsal CronJob.
    public var restoreCheck: String { cronJob("-restore-check") }
    /// The ConfigMap holding the backup and restore scripts.
    public var backupScripts: String { objects.base + "-backup-scripts" }
    /// An on-demand backup Job before the change to `image` (named after a hash of it, so one per change).
    public func changeBackup(image: String) -> String { objects.base + "-backup-" + String(StableHash.hex(StableHash.fnv1a(image.utf8)).prefix(8)) }
    /// The database upgrade Job to `image`.
    public func upgrade(image: String) -> String { objects.base + "-upgrade-" + String(StableHash.hex(StableHash.fnv1a(image.utf8)).prefix(6)) }

    /// The Job initialising a new database with `image` and `modules` (named after a hash of both,
    /// so a fixed image or module list gets a new Job).
    public func initialization(image: String, modules: [String]) -> String {
        objects.base + "-init-" + String(StableHash.hex(StableHash.fnv1a((image + "\n" + modules.joined(separator: ",")).utf8)).prefix(6))
    }

    /// A CronJob name: at most 52 characters (its Jobs add 11), shortened with a hash when the base is long.
    private func cronJob(_ suffix: String) -> String {
        let name = objects.base + suffix
        guard name.utf8.count > 52 else { return name }
        var prefix = String(objects.base.prefix(52 - suffix.utf8.count - 7))
        while prefix.hasSuffix("-") { prefix.removeLast() }
        return prefix + "-" + StableHash.hex(StableHash.fnv1a(objects.base.utf8)).prefix(6) + suffix
    }
}

extension OdooEnvironment {
    /// The names of its objects.
    public var childNames: ChildNames { ChildNames(environment: name) }

    /// The scratch database the restore rehearsal restores into (owned by the same role).
    public var restoreCheckDatabase: String { String(database.name.prefix(55)) + "_restore" }

    /// The Secret the database login is read from: `spec.database.externalSecret`, or the generated one.
    public var databaseSecretName: String { database.externalSecret ?? childNames.databaseSecret }
}
