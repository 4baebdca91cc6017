import Foundation
import KubeModel

/// An `odooguard.io/v1alpha1` OdooRelease (cluster-scoped), decoded and validated: one Odoo build
/// (and optionally one addon set), by digest, rolled out to OdooEnvironments cohort by cohort.
///
/// Cluster-scoped because it changes environments in many tenants' namespaces: creating one is a
/// platform administrator's ClusterRole grant, never something a tenant's namespace Role can give.
/// Built by ``OdooRelease/decode(_:)``, which reports every invalid field at once.
public struct OdooRelease: Sendable, Equatable {
    /// One step of the train: the environments a label selector picks, how many change at once, how
    /// many may fail, and how long the cohort runs verified before the next one starts.
    public struct Cohort: Sendable, Equatable {
        /// The cohort's name (a DNS label), unique in the release.
        public var name: String
        /// Which OdooEnvironments belong to it (an environment picked by an earlier cohort stays there).
        public var selector: LabelSelector
        /// The most environments of the cohort switching or being verified at once.
        public var maxConcurrent: Int
        /// How many environments of the cohort may fail before the train halts (0: the first failure halts it).
        public var failureBudget: Int
        /// How long the cohort runs verified before the next one starts, in minutes.
        public var soakMinutes: Int

        /// A cohort.
        public init(name: String, selector: LabelSelector, maxConcurrent: Int = 1, failureBudget: Int = 0, soakMinutes: Int = 60) {
            self.name = name
            self.selector = selector
            self.maxConcurrent = maxConcurrent
            self.failureBudget = failureBudget
            self.soakMinutes = soakMinutes
        }
    }

    /// `metadata.name`.
    public var name: String
    /// `metadata.uid`.
    public var uid: String?
    /// `metadata.generation`.
    public var generation: Int64?
    /// `metadata.creationTimestamp`: of two releases selecting one environment, the older keeps it.
    public var created: Date?
    /// The Odoo image every selected environment runs, pinned by digest.
    public var image: String
    /// The addon images every selected environment runs, pinned by digest (`nil`: each keeps its own).
    public var addons: [OdooEnvironment.Addon]?
    /// The cohorts, in the order the train visits them.
    public var cohorts: [Cohort]
    /// The least time from its switch, in minutes, before an environment counts as verified for the
    /// release, besides its own verification of the change (``ChangeVerification``).
    public var verificationMinutes: Int
    /// Whether the train is paused: nothing new switches; what switched is still verified.
    public var paused: Bool

    /// A release.
    public init(name: String, image: String, addons: [OdooEnvironment.Addon]? = nil, cohorts: [Cohort], verificationMinutes: Int = 10,
                paused: Bool = false) {
        self.name = name
        self.image = image
        self.addons = addons
        self.cohorts = cohorts
        self.verificationMinutes = verificationMinutes
        self.paused = paused
    }

    /// The change reference a release writes on each environment it switches (`odooguard.io/change-ref`).
    public var changeReference: String { "release/\(name)" }

    /// The cohort `labels` belong to: the first whose selector matches, `nil` when none does.
    public func cohort(of labels: [String: String]) -> Cohort? {
        cohorts.first { $0.selector.matches(labels) }
    }
}
