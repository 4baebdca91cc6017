/// The labels odoo-guard reads from and writes to objects.
public enum GuardLabels {
    /// Namespace label naming the stage (`development`, `staging`, `production`).
    public static let stage = "odooguard.io/stage"
    /// Namespace label naming the tier (`shared`, `dedicated`).
    public static let tier = "odooguard.io/tier"
    /// Object label naming the OdooEnvironment an object belongs to.
    public static let environment = "odooguard.io/environment"
    /// Label or annotation asking for secret injection (`db,redis,admin`).
    public static let inject = "odooguard.io/inject"
    /// OdooEnvironment annotation: an RFC 3339 time until which a sleeping environment stays awake
    /// (`kubectl annotate odooenv NAME odooguard.io/wake-until=2026-12-02T18:00:00Z`).
    public static let wakeUntil = "odooguard.io/wake-until"
    /// OdooEnvironment annotation: whom to ask about it (`clinic-team@example.com, #clinic-ops`),
    /// shown on its sleeping page.
    public static let contact = "odooguard.io/contact"
    /// Annotation the operator sets on an OdooEnvironment while an OdooRestore (its name) replaces
    /// its data: web and cron are stopped until it is removed.
    public static let restoring = "odooguard.io/restoring"
    /// Annotation the last OdooRestore leaves on the environment it restored (its record as JSON:
    /// restore, mode, source, finished, masked), shown as `status.lastRestore`.
    public static let lastRestore = "odooguard.io/last-restore"
    /// Annotation naming the CloudNativePG Cluster an environment's database runs on after a
    /// point-in-time restore (JSON: cluster, origin, targetTime, previous).
    public static let databaseCluster = "odooguard.io/database-cluster"
    /// Label on an OdooRestore's Jobs: the restore's name.
    public static let restore = "odooguard.io/restore"
    /// Annotation carrying the change reference of a production change.
    public static let changeReference = "odooguard.io/change-ref"
    /// Annotation the operator writes on an OdooEnvironment when a change fails its verification
    /// (`RolledBack …` or `VerificationFailed …`): an admitted write, so the audit chain holds it.
    public static let changeOutcome = "odooguard.io/change-outcome"
    /// Pod-template annotation: a hash of the odoo.conf the pods run (a change rolls them).
    public static let configHash = "odooguard.io/config-hash"
    /// Pod-template annotation: the Odoo version the pods run (what the database was upgraded to).
    public static let odooVersion = "odooguard.io/odoo-version"
    /// Pod-template annotation: the Job that initialised the database (pods older than it are replaced).
    public static let databaseInit = "odooguard.io/database-init"
    /// Pod-template annotation: the addon images the pods run, pinned, comma-separated.
    public static let addons = "odooguard.io/addons"
    /// The well-known instance label, read as the environment when ``environment`` is absent.
    public static let instance = "app.kubernetes.io/instance"
    /// The well-known component label (`web`, `cron`, `backup`, `restore-check`, …).
    public static let component = "app.kubernetes.io/component"
    /// The well-known application name label; odoo-guard's children carry ``odooName``.
    public static let name = "app.kubernetes.io/name"
    /// The well-known managing-tool label; odoo-guard's children carry ``managerName``.
    public static let managedBy = "app.kubernetes.io/managed-by"
    /// The well-known larger-application label; odoo-guard's children carry ``managerName``.
    public static let partOf = "app.kubernetes.io/part-of"
    /// The value of ``name`` on every child of an OdooEnvironment.
    public static let odooName = "odoo"
    /// The value of ``managedBy`` and ``partOf`` on what odoo-guard manages.
    public static let managerName = "odoo-guard"

    /// Pod Security Admission's namespace label: the level the API server enforces.
    public static let podSecurityEnforce = "pod-security.kubernetes.io/enforce"
    /// The Pod Security Standards version the enforced level is judged by.
    public static let podSecurityEnforceVersion = "pod-security.kubernetes.io/enforce-version"
    /// The level the API server warns about.
    public static let podSecurityWarn = "pod-security.kubernetes.io/warn"
    /// The version of the warned level.
    public static let podSecurityWarnVersion = "pod-security.kubernetes.io/warn-version"
    /// The level the API server records in its audit log.
    public static let podSecurityAudit = "pod-security.kubernetes.io/audit"
    /// The version of the audited level.
    public static let podSecurityAuditVersion = "pod-security.kubernetes.io/audit-version"
    /// Every Pod Security Admission label, in the order above.
    public static let podSecurityLabels = [podSecurityEnforce, podSecurityEnforceVersion, podSecurityWarn, podSecurityWarnVersion,
                                           podSecurityAudit, podSecurityAuditVersion]
    /// A GuardPolicy's version for audit records and reports (annotation).
    public static let policyVersion = "odooguard.io/policy-version"
    /// A PolicyReport's content hash, without timestamps: an unchanged report is not rewritten (annotation).
    public static let reportHash = "odooguard.io/report-hash"
    /// How many results a PolicyReport left out at its size cap (annotation; the summary counts them).
    public static let resultsOmitted = "odooguard.io/results-omitted"
    /// The labels that put a namespace under governance and fix how strictly: stage, tier and Pod Security.
    public static let governanceLabels = [stage, tier] + podSecurityLabels
}
