import Foundation

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
