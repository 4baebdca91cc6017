import KubeModel

/// Where a dedicated environment's PostgreSQL runs, what the plan says about it, and the backup
/// retention its tier allows.
extension OdooPlanner {
    /// Whether `environment`'s database is a CloudNativePG `Cluster`: the configuration names
    /// CloudNativePG, the tier is dedicated, no external server is named, and no single-pod
    /// StatefulSet of an earlier plan holds the data (moving that is a restore, never a re-plan).
    public func usesCloudNativePG(_ environment: OdooEnvironment, observation: EnvironmentObservation) -> Bool {
        configuration.cloudNativePG != nil && environment.tier == .dedicated && environment.database.externalSecret == nil
            && observation.workloads.postgres == nil
    }

    /// What the plan tells the tenant about the database's resilience.
    func databaseWarnings(_ environment: OdooEnvironment, context: PlanContext) -> [String] {
        guard environment.tier == .dedicated, environment.database.externalSecret == nil else { return [] }
        var warnings: [String] = []
        if context.cloudNativePG == nil {
            warnings.append(configuration.cloudNativePG == nil
                ? "the dedicated tier runs one PostgreSQL pod (no replica, no failover, no point-in-time recovery): this cluster has no CloudNativePG configured (cloudNativePG in the operator configuration)"
                : "database \(environment.database.name) stays on its single-pod StatefulSet \(context.names.postgres) (no replica, no failover): moving it to CloudNativePG is a restore of its last backup (OdooRestore)")
        } else if environment.backup == nil {
            warnings.append("no spec.backup: the CloudNativePG cluster archives no WAL, so there is no point-in-time recovery; add spec.backup")
        }
        return warnings
    }

    /// Refuses a `spec.backup.retentionDays` outside the tier's bounds.
    func checkRetention(_ environment: OdooEnvironment, tier: OperatorConfiguration.TierLimits) throws(OdooPlanError) {
        guard let days = environment.backup?.retentionDays else { return }
        let bounds = tier.backupRetention
        guard days < bounds.minimumDays || days > bounds.maximumDays else { return }
        let message = "\(days) days is outside the \(environment.tier.rawValue) tier's \(bounds.minimumDays)…\(bounds.maximumDays) days"
            + " (leave it out for the tier's default of \(bounds.defaultDays) days)"
        throw OdooPlanError.exceedsTier("OdooEnvironment \(environment.namespace)/\(environment.name) keeps backups outside its tier's retention",
                                        fieldErrors: [.invalid("spec.backup.retentionDays", message)])
    }
}
