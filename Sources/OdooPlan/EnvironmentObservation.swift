import Foundation
import GuardRules
import KubeModel

/// Everything one reconcile of an OdooEnvironment knows, read once before anything is decided: the
/// object (its spec decoded once, its status typed), what the caches hold of its children, the Jobs
/// and their outcomes, the image pin and the policy. ``EnvironmentDecision`` turns it into a
/// ``Reconciliation`` without any I/O.
public struct EnvironmentObservation: Sendable {
    /// The OdooEnvironment as the cache holds it.
    public var object: KubeObject
    /// The spec decoded, or why it cannot be.
    public var environment: Result<OdooEnvironment, OdooPlanError>
    /// What the status said before this reconcile, typed (see ``record(_:)``).
    public private(set) var recorded: EnvironmentStatus
    /// The same as stored (`{}` when there is none): the base of the status patch, so fields this
    /// version does not write are removed.
    public private(set) var recordedJSON: JSONValue
    /// The image the spec asks for (`spec.image`, or the configured repository with the version).
    public var imageSource: String?
    /// Its digest pin: known, just resolved, or not resolvable.
    public var pin: ImagePin
    /// The configuration's tool images pinned by digest: tag → pinned.
    public var toolImages: [String: String]
    /// The spec's addon images pinned by digest (spec, status or registry): source → pinned.
    public var addonPins: [String: String] = [:]
    /// The addon images resolved in the registry during this reconcile (an Event says so), a subset of ``addonPins``.
    public var addonsResolvedNow: Set<String> = []
    /// Why an addon image could not be pinned (`spec.addons[i].image …: reason`), `nil` when all were.
    public var addonPinFailure: String?
    /// The web and cron Deployments, the dedicated PostgreSQL StatefulSet.
    public var workloads: Workloads
    /// Names of the Secrets the environment generates or names (credentials, TLS, backups) that exist
    /// in its namespace; their contents are never read.
    public var existingSecrets: Set<String>
    /// Backups and rehearsals as the status recorded them (and whether the S3 credentials exist);
    /// ``EnvironmentDecision`` updates them from the newest finished ``backupJobs``.
    public var backups: BackupObservation
    /// The environment's backup and restore-rehearsal Jobs (components `backup` and `restore-check`).
    public var backupJobs: [JobView] = []
    /// The newest pod of each of ``backupJobs`` that finished since the status was written, or
    /// failed, by Job name: their termination messages are the reports.
    public var jobPods: [String: PodView] = [:]
    /// The change gate's Jobs for the desired image, by name.
    public var gateJobs: [String: ChangeGate.JobState]
    /// The environment's database init Jobs, by name (a failed one with its log tail).
    public var initJobs: [String: ChangeGate.JobState]
    /// Containers of the web and cron pods that exited with an error (read while a rollout is not complete).
    public var podFailures: [PodFailure] = []
    /// The web pods, read while a change is being verified (its restart counts and failures).
    public var verificationPods: [PodView] = []
    /// The synthetic check of `/web/login`, made when a change's verification window ends
    /// (``ChangeVerification/loginCheckDue(_:_:)``), `nil` otherwise.
    public var loginCheck: LoginCheck?
    /// The stage's recovery point objective in hours, `nil` when the configuration sets none.
    public var rpoHours: Int?
    /// The live copies of the environment's objects (owned by it, labelled with it, and its Namespace).
    public var live: [ChildReference: JSONValue]
    /// The objects the environment controls (controller ownerReference), the candidates for pruning.
    public var owned: [OwnedChild]
    /// The policy the webhook enforces, `nil` to skip the pre-apply check.
    public var policy: GuardPolicy?
    /// Whether a database provisioner is configured (shared-tier databases are then checked by it).
    public var provisioning: Bool
    /// The time of this reconcile.
    public var now: Date
    /// What the policy gate passed at this environment's last reconcile (kept by the reconciler from
    /// ``Reconciliation/passedGate``): a plan judged the same passes without being evaluated again.
    public var passedGate: PolicyGate.Judgement?

    /// An observation; the fields left out are empty.
    public init(object: KubeObject, environment: Result<OdooEnvironment, OdooPlanError>, imageSource: String? = nil, pin: ImagePin = .unasked,
                now: Date) {
        self.object = object
        self.environment = environment
        self.imageSource = imageSource
        self.pin = pin
        self.now = now
        recordedJSON = object.raw["status"] ?? .object([:])
        recorded = EnvironmentStatus(json: recordedJSON)
        toolImages = [:]
        workloads = Workloads()
        existingSecrets = []
        backups = recorded.backups
        gateJobs = [:]
        initJobs = [:]
        live = [:]
        owned = []
        provisioning = false
    }

    /// Takes `status` (an OdooEnvironment's `status` as stored) as what was recorded before this reconcile.
    public mutating func record(_ status: JSONValue?) {
        recordedJSON = status ?? .object([:])
        recorded = EnvironmentStatus(json: recordedJSON)
    }

    /// What is known of the spec image's digest.
    public enum ImagePin: Sendable, Equatable {
        /// Not asked (the spec could not be decoded).
        case unasked
        /// Pinned: by the spec itself, or by the status while `status.imageSource` matches.
        case known(String)
        /// Resolved in the registry during this reconcile (an Event says so).
        case resolved(String)
        /// The registry could not resolve it; the message says why.
        case failed(String)

        /// The pinned reference, when there is one.
        public var image: String? {
            switch self {
            case .known(let image), .resolved(let image): image
            case .unasked, .failed: nil
            }
        }
    }

    /// An observation of nothing at `now`: what an offline plan (`guardctl render`) starts from.
    public static func offline(_ environment: OdooEnvironment? = nil, now: Date = Date()) -> EnvironmentObservation {
        EnvironmentObservation(object: KubeObject(.object([:])),
                               environment: environment.map { .success($0) } ?? .failure(.invalidEnvironment("not observed")), now: now)
    }

    /// The spec's addon images with their pins where known, in spec order.
    public func pinnedAddons(_ environment: OdooEnvironment) -> [OdooEnvironment.Addon] {
        environment.addons(pinnedBy: addonPins)
    }

    /// Why the spec image or an addon image could not be pinned, `nil` when nothing failed.
    public var pinFailure: String? {
        if case .failed(let message) = pin { return message }
        return addonPinFailure
    }

    /// The workloads whose status feeds the environment's.
    public struct Workloads: Sendable {
        /// The web Deployment.
        public var web: DeploymentView?
        /// The cron Deployment.
        public var cron: DeploymentView?
        /// The dedicated PostgreSQL StatefulSet.
        public var postgres: DeploymentView?
        /// The sleeping page's Deployment (while the environment sleeps or wakes).
        public var sleepingPage: DeploymentView?
        /// The background job worker's Deployment (`spec.jobs`).
        public var queue: DeploymentView?

        /// Workloads.
        public init(web: DeploymentView? = nil, cron: DeploymentView? = nil, postgres: DeploymentView? = nil) {
            self.web = web
            self.cron = cron
            self.postgres = postgres
        }
    }

}

/// One child of an environment: its resource, namespace and name.
public struct ChildReference: Sendable, Hashable, CustomStringConvertible {
    /// The resource (from the kind catalogue).
    public var resource: ResourceType
    /// The namespace, `nil` for a cluster-scoped object.
    public var namespace: String?
    /// The name.
    public var name: String

    /// A reference.
    public init(_ resource: ResourceType, namespace: String?, name: String) {
        self.resource = resource
        self.namespace = resource.namespaced ? namespace : nil
        self.name = name
    }

    /// `Kind name`.
    public var description: String { "\(resource.kind) \(name)" }
}

/// An object the environment controls, as last seen.
public struct OwnedChild: Sendable, Hashable {
    /// Where it is.
    public var reference: ChildReference
    /// Its uid, the precondition of its deletion.
    public var uid: String?

    /// An owned child.
    public init(_ reference: ChildReference, uid: String?) {
        self.reference = reference
        self.uid = uid
    }
}
