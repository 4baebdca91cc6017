/// The condition types of an OdooEnvironment's status and the reasons code decides on, written once
/// for the planner, the status and the reconciler.
public enum EnvironmentCondition {
    /// Users can work: everything is rolled out, the database answers and the route is served.
    public static let ready = "Ready"
    /// A change is rolling out (true), or why it is not (false).
    public static let progressing = "Progressing"
    /// Something stops the environment from being applied or a gated Job failed.
    public static let degraded = "Degraded"
    /// The database is reachable with the environment's credentials.
    public static let databaseReady = "DatabaseReady"
    /// The routes are applied and their TLS Secret exists.
    public static let ingressReady = "IngressReady"
    /// The last good backup is within the stage's RPO and the last rehearsal did not fail.
    public static let backupReady = "BackupReady"

    /// Every type, in the order the status lists them.
    public static let all = [ready, progressing, degraded, databaseReady, ingressReady, backupReady]

    /// `DatabaseReady` reason: the init Job installs the first modules.
    public static let initializing = "Initializing"
    /// `DatabaseReady` and `Degraded` reason: the init Job failed (its log tail in the message).
    public static let initFailed = "InitFailed"
    /// `DatabaseReady` reason: reachable and initialised.
    public static let initialized = "Initialized"

    /// `Degraded` reason: a module `server_wide_modules` names is in neither the image nor an addon image.
    public static let serverWideModuleMissing = "ServerWideModuleMissing"
    /// `Degraded` reason: a web or cron container keeps exiting with an error.
    public static let podsFailing = "PodsFailing"
    /// `Degraded` reason: a change failed its verification without migrating the database and the
    /// previous digests run again.
    public static let rolledBack = "RolledBack"
    /// `Degraded` reason: a change failed its verification after migrating the database; it keeps
    /// running (old code cannot run on the new schema) and the message names the restore point.
    public static let verificationFailed = "VerificationFailed"
    /// Event reason: a change passed its verification.
    public static let changeVerified = "ChangeVerified"

    /// Reason of a condition that waits on a Secret someone else creates.
    public static let credentialsMissing = "CredentialsMissing"
}
