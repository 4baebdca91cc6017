import GuardRules

/// Which policy the background audit judges by, from what each read of the cluster's GuardPolicy
/// found. It follows the webhook's rules, so that reports and admission judge by the same policy:
/// - a policy that is read and valid is used;
/// - an invalid one leaves the previous policy in use (the webhook keeps its previous policy too);
/// - a read that fails (the API server unreachable, a timeout) leaves the previous policy in use;
/// - a policy that is gone is replaced by the fallback only once it has stayed gone for
///   ``grace``: at the first read at least that long after the read that first missed it. A
///   GuardPolicy deleted and recreated by a Helm upgrade's hook never changes the audit's policy.
///
/// Before any policy was in use, every outcome but a valid policy gives the fallback. Each change
/// of the policy in use makes the audit re-judge every namespace, so a policy that flapped with
/// each failed read rewrote every report twice.
public struct AuditPolicySelection: Sendable {
    /// What one read of the cluster's GuardPolicy found.
    public enum Read: Sendable {
        /// A valid GuardPolicy.
        case found(GuardPolicy)
        /// No GuardPolicy of that name.
        case gone
        /// A GuardPolicy that does not decode (the reason, for the log).
        case invalid(String)
        /// The read failed (the reason, for the log).
        case unreadable(String)
    }

    /// How the policy in use was chosen by the latest read.
    public enum Outcome: Sendable, Equatable {
        /// The cluster's policy, as read.
        case cluster
        /// The previous policy, kept: the read failed or found an invalid policy, or the policy has
        /// been gone for less than the grace period.
        case kept
        /// The fallback.
        case fallback
    }

    /// How long the cluster's GuardPolicy must stay gone before the fallback takes over.
    public let grace: Duration
    /// The policy in use, `nil` before the first read.
    public private(set) var inUse: GuardPolicy?
    /// Whether ``inUse`` is the cluster's policy (not the fallback).
    public private(set) var fromCluster = false
    /// When a read first found the cluster's policy gone, while it still is.
    public private(set) var goneSince: ContinuousClock.Instant?

    /// A selection with no policy in use yet.
    public init(grace: Duration) {
        self.grace = grace
    }

    /// Takes one read into account and returns the policy to judge by, and how it was chosen.
    public mutating func update(_ read: Read, fallback: GuardPolicy, now: ContinuousClock.Instant) -> (policy: GuardPolicy, outcome: Outcome) {
        switch read {
        case .found(let policy):
            goneSince = nil
            return use(policy, fromCluster: true)
        case .invalid, .unreadable:
            if case .invalid = read { goneSince = nil }
            guard let inUse, fromCluster else { return use(fallback, fromCluster: false) }
            return (inUse, .kept)
        case .gone:
            guard let inUse, fromCluster else { return use(fallback, fromCluster: false) }
            let since = goneSince ?? now
            goneSince = since
            guard now - since >= grace else { return (inUse, .kept) }
            return use(fallback, fromCluster: false)
        }
    }

    private mutating func use(_ policy: GuardPolicy, fromCluster: Bool) -> (policy: GuardPolicy, outcome: Outcome) {
        inUse = policy
        self.fromCluster = fromCluster
        return (policy, fromCluster ? .cluster : .fallback)
    }
}
