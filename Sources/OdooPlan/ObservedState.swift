import Foundation
import KubeModel

/// What the operator saw in the cluster for one environment, as values: the inputs of planning and
/// of the status beyond the spec.
public struct ObservedState: Sendable {
    /// The spec's addon images with their pins where known, in spec order.
    public func pinnedAddons(_ environment: OdooEnvironment) -> [OdooEnvironment.Addon] {
        environment.addons(pinnedBy: addonPins)
    }

    /// The image pinned by digest for the current spec image (`status.image` while `status.imageSource`
    /// matches), so the registry is asked once per change.
    public var pinnedImage: String?
    /// The web Deployment as last seen.
    public var webDeployment: DeploymentView?
    /// The cron Deployment as last seen.
    public var cronDeployment: DeploymentView?
    /// The sleeping page's Deployment as last seen.
    public var sleepingPage: DeploymentView?
    /// Whether the TLS Secret named by `spec.ingress.tls.secretName` exists (`nil`: not asked).
    public var tlsSecretPresent: Bool?
    /// Whether the database credentials Secret exists.
    public var databaseSecretPresent: Bool
    /// The environment's previous status conditions.
    public var previousConditions: [Condition]
    /// What the database check found (`nil`: not checked; the credentials Secret's presence decides).
    public var database: DatabaseCheck?
    /// Backups and restore rehearsals, from the previous status and the Jobs.
    public var backups: BackupObservation
    /// What runs while the change gate holds a change back (`nil`: the spec's image rolls out).
    public var held: ChangeGate.Running?
    /// Why a change is held back, or which Job failed.
    public var gate: ChangeGate.Decision?
    /// The recovery point objective of the stage, in hours.
    public var rpoHours: Int?
    /// The configuration's tool images (PostgreSQL, Redis, S3 client) pinned by digest: tag → pinned.
    public var toolImages: [String: String] = [:]
    /// The spec's addon images pinned by digest: source → pinned.
    public var addonPins: [String: String] = [:]
    /// Containers of the web and cron pods that exited with an error.
    public var podFailures: [PodFailure] = []
    /// The periods the environment ran Ready, as recorded.
    public var readyHistory: [ReadyPeriod] = []
    /// The database's initialisation (`nil`: not observed, as offline; planned as initialised).
    public var initialization: DatabaseInitialization?
    /// `status.sleep` as recorded, for an environment with a sleep schedule.
    public var sleep: SleepStatus?
    /// The time the status is computed at.
    public var now: Date

    /// An observation.
    public init(pinnedImage: String? = nil, webDeployment: DeploymentView? = nil, cronDeployment: DeploymentView? = nil, tlsSecretPresent: Bool? = nil,
                databaseSecretPresent: Bool = false, previousConditions: [Condition] = [], now: Date = Date()) {
        self.pinnedImage = pinnedImage
        self.webDeployment = webDeployment
        self.cronDeployment = cronDeployment
        self.tlsSecretPresent = tlsSecretPresent
        self.databaseSecretPresent = databaseSecretPresent
        self.previousConditions = previousConditions
        self.now = now
        backups = BackupObservation()
    }
}

/// Whether the environment's database is usable, as the operator checked it.
public struct DatabaseCheck: Sendable, Equatable {
    /// Whether it is.
    public var ready: Bool
    /// CamelCase reason.
    public var reason: String
    /// What was found, with the server's own error when it failed.
    public var message: String

    /// A result.
    public init(ready: Bool, reason: String, message: String) {
        self.ready = ready
        self.reason = reason
        self.message = message
    }
}

/// The environment's backups and restore rehearsals.
public struct BackupObservation: Sendable, Equatable {
    /// When the last good backup completed.
    public var lastBackupTime: Date?
    /// Its size in bytes (dump plus filestore archive).
    public var lastBackupSize: Int64?
    /// When the last restore rehearsal succeeded.
    public var lastRestoreCheckTime: Date?
    /// Why the newest finished backup Job failed, when it did.
    public var backupFailure: String?
    /// Why the newest finished restore rehearsal failed, when it did.
    public var restoreFailure: String?
    /// Whether the S3 credentials Secret exists (`nil`: not asked).
    public var credentialsPresent: Bool?

    /// An observation.
    public init(lastBackupTime: Date? = nil, lastBackupSize: Int64? = nil, lastRestoreCheckTime: Date? = nil, backupFailure: String? = nil,
                restoreFailure: String? = nil, credentialsPresent: Bool? = nil) {
        self.lastBackupTime = lastBackupTime
        self.lastBackupSize = lastBackupSize
        self.lastRestoreCheckTime = lastRestoreCheckTime
        self.backupFailure = backupFailure
        self.restoreFailure = restoreFailure
        self.credentialsPresent = credentialsPresent
    }
}
