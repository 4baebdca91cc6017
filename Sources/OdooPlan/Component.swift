/// The part of an environment an object belongs to: the `app.kubernetes.io/component` label the
/// planner writes and the observer selects and sorts Jobs by. One list, so neither side retypes the
/// other's strings.
public enum Component: String, Sendable, CaseIterable {
    /// Odoo's HTTP workers (Deployment, Service, PDB).
    case web
    /// Odoo's cron worker.
    case cron
    /// Odoo's background job worker (OCA `queue_job`, `spec.jobs`).
    case queue
    /// The dedicated PostgreSQL server.
    case database
    /// The dedicated Redis.
    case redis
    /// Backups: the scripts, the CronJob and its Jobs, and the gate's on-demand backup Job.
    case backup
    /// The weekly restore rehearsal.
    case restoreCheck = "restore-check"
    /// An OdooRestore's Jobs (verify, restore, neutralise, mask).
    case restore
    /// The Job initialising a new database.
    case initialize = "init"
    /// The Job upgrading the database's modules to a new image.
    case upgrade
    /// The page served while the environment sleeps.
    case sleeping
    /// Quota, limits and network policies of the namespace.
    case governance
    /// odoo.conf.
    case config
    /// The filestore claim.
    case filestore
    /// Generated Secrets.
    case credentials
}

/// A container of an environment's Jobs, named once for the planner that creates it and the observer
/// that reads its termination message (a JSON report, or the tail of its log when it failed).
public enum JobContainer: String, Sendable, CaseIterable {
    /// The init Job's `odoo --init`.
    case initialize = "init"
    /// The upgrade Job's `odoo --update`.
    case upgrade
    /// A backup's `pg_dump` and filestore archive (an init container).
    case dump
    /// A backup's upload to object storage; its message is the backup report.
    case upload
    /// A rehearsal's download (an init container).
    case fetch
    /// A rehearsal's restore and check.
    case check
    /// An OdooRestore's replacement of the database and filestore.
    case apply
    /// An OdooRestore's `odoo neutralize`.
    case neutralize
    /// An OdooRestore's masking SQL.
    case mask

    /// The containers of a backup or rehearsal Job, in the order they run.
    public static let backupAndRehearsal: [JobContainer] = [.dump, .upload, .fetch, .check]
}
