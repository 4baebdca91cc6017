import Foundation
import KubeModel

/// Everything one reconcile of an OdooRelease knows, read once: the release (decoded, and its status
/// as recorded), every OdooEnvironment it could select with where each stands on the release's
/// target, and the other releases (for the one-release-per-environment rule). ``ReleaseDecision``
/// turns it into a ``ReleaseReconciliation`` without any I/O.
public struct ReleaseObservation: Sendable {
    /// One OdooEnvironment as a release sees it.
    public struct Member: Sendable, Equatable {
        /// Its namespace.
        public var namespace: String
        /// Its name.
        public var name: String
        /// Its labels (what cohorts select on).
        public var labels: [String: String]
        /// Where it stands on the release's target.
        public var progress: ReleaseProgress

        /// A member.
        public init(namespace: String, name: String, labels: [String: String], progress: ReleaseProgress) {
            self.namespace = namespace
            self.name = name
            self.labels = labels
            self.progress = progress
        }

        /// `namespace/name`.
        public var key: String { "\(namespace)/\(name)" }
    }

    /// Another release, and whether it still moves environments (not succeeded, halted or refused).
    public struct OtherRelease: Sendable {
        /// The release.
        public var release: OdooRelease
        /// Whether it is active.
        public var active: Bool

        /// Another release.
        public init(_ release: OdooRelease, active: Bool) {
            self.release = release
            self.active = active
        }
    }

    /// The release decoded, or why it cannot be.
    public var release: Result<OdooRelease, OdooPlanError>
    /// Its status as recorded (the base of events and of the status patch).
    public var recorded: ReleaseStatus
    /// Every OdooEnvironment, with its progress on this release's target.
    public var environments: [Member]
    /// The other releases.
    public var others: [OtherRelease]
    /// The time of this reconcile.
    public var now: Date

    /// An observation.
    public init(release: Result<OdooRelease, OdooPlanError>, recorded: ReleaseStatus = ReleaseStatus(), environments: [Member] = [],
                others: [OtherRelease] = [], now: Date) {
        self.release = release
        self.recorded = recorded
        self.environments = environments
        self.others = others
        self.now = now
    }
}

/// Where one environment stands on a release's target image and addons.
public enum ReleaseProgress: Sendable, Equatable {
    /// Not switched: its spec does not name the target yet.
    case pending
    /// Its spec names the target, which does not run yet: its own gates (change approval, maintenance
    /// window, fresh backup, upgrade Job) or the rollout; `waitingOn` says which, when known.
    case switching(waitingOn: String?)
    /// It runs the target; the verification window opened at `since`.
    case verifying(since: Date)
    /// Verified at `at`.
    case verified(at: Date)
    /// Verification failed. `migrated`: its database was migrated, so it was not rolled back and
    /// `restorePoint` names the backup its change gate took before the switch.
    case failed(reason: String, message: String, migrated: Bool, restorePoint: String?)
    /// Verification failed and it was rolled back to its previous digests (no migration ran).
    case rolledBack(message: String)

    /// Switched and not finished: switching or being verified.
    public var inFlight: Bool {
        switch self {
        case .switching, .verifying: true
        case .pending, .verified, .failed, .rolledBack: false
        }
    }

    /// A failed change, rolled back or not.
    public var failed: Bool {
        switch self {
        case .failed, .rolledBack: true
        case .pending, .switching, .verifying, .verified: false
        }
    }
}
