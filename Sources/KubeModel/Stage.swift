/// The stage of an environment and of the namespace it runs in (`odooguard.io/stage`): one list for
/// the OdooEnvironment, the GuardPolicy, the webhook and the operator.
public enum Stage: String, Sendable, CaseIterable {
    /// Development.
    case development
    /// Staging.
    case staging
    /// Production: digest pinning, backups and change references.
    case production
}

/// The tier of an environment and its namespace (`odooguard.io/tier`): where its database runs and
/// which quota it gets.
public enum Tier: String, Sendable, CaseIterable {
    /// On the shared PostgreSQL server, with the shared tier's quota.
    case shared
    /// With its own PostgreSQL, with the dedicated tier's quota.
    case dedicated
}
