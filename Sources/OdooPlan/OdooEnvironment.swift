import Foundation
import KubeModel
import TraefikGen

/// An `odooguard.io/v1alpha1` OdooEnvironment, decoded and validated, with the CRD's defaults applied
/// (so a spec read from a file and one read back from the API plan the same objects).
/// Built by ``OdooEnvironment/decode(_:)``, which reports every invalid field at once.
public struct OdooEnvironment: Sendable, Equatable {
    /// The tier: where the database runs and which quota applies.
    public typealias Tier = KubeModel.Tier

    /// The stage; the GuardPolicy's rules for it govern the namespace.
    public typealias Stage = KubeModel.Stage

    /// What deletion does to the data.
    public enum DeletionPolicy: String, Sendable, CaseIterable {
        /// Keep the database, the filestore and their credentials (orphaned, reported in an Event).
        case retain = "Retain"
        /// Delete them with the environment.
        case delete = "Delete"
    }

    /// Where the database lives.
    public struct Database: Sendable, Equatable {
        /// The database (and login role) name.
        public var name: String
        /// The shared server's name in the operator configuration (`shared` tier).
        public var sharedServer: String?
        /// The volume size of a dedicated PostgreSQL (`dedicated` tier).
        public var dedicatedStorage: String
        /// A Secret naming an existing server (`host`, `port`, `username`, `password`).
        public var externalSecret: String?
        /// The modules the initialisation Job installs into a new database (`base` by default).
        public var initModules: [String] = ["base"]
    }

    /// An OCI image carrying Odoo modules, copied into the pods' addons volume at start.
    public struct Addon: Sendable, Equatable {
        /// The image (a tag is pinned by digest by the operator, as the Odoo image is).
        public var image: String
        /// The directory in the image that holds the modules (each a directory with `__manifest__.py`).
        public var path: String

        /// An addon image.
        public init(image: String, path: String = Addon.defaultPath) {
            self.image = image
            self.path = path
        }

        /// Where addon images keep their modules unless `path` says otherwise.
        public static let defaultPath = "/mnt/extra-addons"
    }

    /// The filestore volume.
    public struct Filestore: Sendable, Equatable {
        /// The requested size (a quantity).
        public var size: Quantity
        /// The StorageClass, or the operator's default.
        public var storageClassName: String?
    }

    /// Redis-backed sessions.
    public struct Redis: Sendable, Equatable {
        /// Whether sessions are kept in Redis.
        public var enabled: Bool
        /// Where sessions are kept.
        public var mode: Mode

        /// Where an environment's Redis runs.
        public enum Mode: String, Sendable, CaseIterable {
            /// An ACL user with its own key prefix on the configuration's shared Redis.
            case shared
            /// A Redis of the environment's own, in its namespace.
            case dedicated
        }
    }

    /// The backup schedule.
    public struct Backup: Sendable, Equatable {
        /// Cron schedule.
        public var schedule: String
        /// Days each backup is kept (`nil`: the tier's default, `tiers.<tier>.backupRetentionDays`).
        public var retentionDays: Int?
        /// `s3://bucket/prefix`, or the operator configuration's bucket.
        public var bucket: String?
        /// The Secret in the environment's namespace holding `AWS_ACCESS_KEY_ID` and
        /// `AWS_SECRET_ACCESS_KEY`, or the operator configuration's name.
        public var credentialsSecret: String?
    }

    /// When production changes of image or version may roll out (UTC).
    public typealias MaintenanceWindow = CronWindow

    /// The environment's name.
    public var name: String
    /// Its namespace.
    public var namespace: String
    /// `metadata.uid`, when read from the API (every child gets an ownerReference to it).
    public var uid: String?
    /// `metadata.generation`, when read from the API.
    public var generation: Int64?
    /// Odoo's version text (`17.0`).
    public var version: String
    /// Odoo's major version (`17`).
    public var majorVersion: Int
    /// `spec.image`, when set (otherwise the operator's repository with the version as tag).
    public var image: String?
    /// The tier.
    public var tier: Tier
    /// The stage.
    public var stage: Stage
    /// Web replicas (ignored when ``scaling`` is set).
    public var replicas: Int
    /// Odoo HTTP workers per web pod, when set.
    public var workers: Int?
    /// Container requests.
    public var requests: [String: Quantity]
    /// Container limits.
    public var limits: [String: Quantity]
    /// The database.
    public var database: Database
    /// What deletion does to the data.
    public var deletionPolicy: DeletionPolicy
    /// The filestore volume.
    public var filestore: Filestore
    /// Redis sessions.
    public var redis: Redis
    /// The routing, decoded and validated by the Traefik generator.
    public var routing: RoutingSpec
    /// The backup schedule, when set.
    public var backup: Backup?
    /// When production image and version changes may roll out (`nil`: at any time).
    public var maintenanceWindow: MaintenanceWindow?
    /// `odoo.conf` overrides, as Odoo reads them.
    public var config: [String: String]
    /// The change reference annotation, when present.
    public var changeReference: String?
    /// Images carrying extra Odoo modules, in `addons_path` order.
    public var addons: [Addon] = []
    /// When it runs (`spec.schedule`; never in production), `nil`: always.
    public var sleepSchedule: SleepSchedule?
    /// The `odooguard.io/wake-until` annotation's time, when set.
    public var wakeUntil: Date?
    /// Whom to ask about the environment (annotation `odooguard.io/contact`), when set.
    public var contact: String?
    /// The OdooRestore replacing the environment's data (annotation `odooguard.io/restoring`): web and
    /// cron stay stopped while it is set.
    public var restoring: String?
    /// The last OdooRestore of the environment (annotation `odooguard.io/last-restore`).
    public var lastRestore: RestoreRecord?
    /// The Cluster recovered to a point in time the database runs on (annotation `odooguard.io/database-cluster`).
    public var recoveredCluster: RecoveredCluster?

    /// Autoscaling of web (`spec.scaling`), `nil`: ``replicas`` pods.
    public var scaling: Scaling?
    /// Background jobs apart from web (`spec.jobs`), `nil`: none.
    public var jobs: QueueJobs?

    /// The most web pods outside a rollout: the autoscaler's maximum, or the fixed replicas. The
    /// connection budget, the quota and the routes are planned for it.
    public var maximumReplicas: Int { scaling?.maxReplicas ?? replicas }

    /// The longest environment name: its objects' names and label values must stay DNS labels.
    public static let maximumNameLength = 47

    /// The labels every child carries: `app.kubernetes.io/*` and the environment label the webhook reads.
    public func labels(component: Component) -> [String: String] {
        [
            GuardLabels.component: component.rawValue,
            GuardLabels.instance: name,
            GuardLabels.managedBy: GuardLabels.managerName,
            GuardLabels.name: GuardLabels.odooName,
            GuardLabels.partOf: GuardLabels.managerName,
            GuardLabels.environment: name,
        ]
    }

    /// The CloudNativePG Cluster the database runs on: a recovered one, else the first.
    public var clusterName: String { recoveredCluster?.cluster ?? childNames.cluster }

    /// The labels pods of a component are selected by (a stable subset: selectors are immutable).
    public func selector(component: Component) -> [String: String] {
        [GuardLabels.component: component.rawValue, GuardLabels.instance: name, GuardLabels.name: GuardLabels.odooName]
    }

    /// The `https://` URL of the primary host.
    public var url: String { "https://\(routing.hosts.first.map { "\($0)" } ?? "")" }
}

extension OdooEnvironment {
    /// The spec's addons with each image replaced by its pin in `pins` (source → pinned) where there is one.
    public func addons(pinnedBy pins: [String: String]) -> [Addon] {
        addons.map { Addon(image: pins[$0.image] ?? $0.image, path: $0.path) }
    }
}
