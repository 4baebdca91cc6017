import Foundation
import KubeModel

/// What one reconcile of an OdooEnvironment does, decided from one ``EnvironmentObservation``: the
/// writes in the order an executor sends them, the database step, the Events known in advance, and
/// everything the status is computed from once the writes are done (``settle(_:)``).
///
/// When ``problem`` is set, nothing is written but the status.
public struct Reconciliation: Sendable {
    /// Why nothing is applied (reported as `Degraded`), `nil` when the plan goes ahead.
    public var problem: EnvironmentStatus.Problem?
    /// Secrets to create, absent from the cache (an executor tolerates `AlreadyExists`: one is never rewritten).
    public var secrets: [GeneratedSecret] = []
    /// Objects whose live copy differs from the plan, stamped with their applied-configuration hash, in plan order.
    public var apply: [PlannedObject] = []
    /// Web's replica count under an autoscaler, written apart from the Deployment (see ``WebReplicas``).
    public var webReplicas: ReplicaWrite?
    /// Objects the environment controls that the plan no longer has.
    public var prune: [OwnedChild] = []
    /// The Job the change gate starts, if any.
    public var job: PlannedJob?
    /// The database init Job, created once the database step reports the database usable (an
    /// existing one of the same name is left alone).
    public var initJob: PlannedJob?
    /// How the database is checked once the writes are done.
    public var database: DatabaseStep = .none
    /// The value of `odooguard.io/change-outcome` to write on the environment when a change failed its
    /// verification now (the write is admitted, so the audit chain records the failure), else `nil`.
    public var changeOutcome: String?
    /// Events decided before any write (an image pinned in the registry).
    public var events: [EnvironmentEvent] = []
    /// What the status is computed from.
    public var report: Report
    /// The plan this decision passed through the policy gate, for the reconciler to hand to the next
    /// observation (``EnvironmentObservation/passedGate``); `nil` when none was judged or passed, or
    /// its verdict can depend on the time.
    public var passedGate: PolicyGate.Judgement?

    /// The database step.
    public enum DatabaseStep: Sendable, Equatable {
        /// Not checked: the credentials Secret's presence decides (or a problem stops the reconcile).
        case none
        /// Already known from the observation (the dedicated server's StatefulSet).
        case known(DatabaseCheck)
        /// The provisioner ensures the role (its `CONNECTION LIMIT` the environment's worst case, when
        /// known) and database of this environment and reports.
        case provision(OdooEnvironment, connectionLimit: Int?)
    }

    /// The status inputs that do not depend on the writes.
    public struct Report: Sendable {
        /// The decoded environment, `nil` when its spec is invalid.
        public var environment: OdooEnvironment?
        /// `metadata.generation`.
        public var generation: Int64?
        /// The plan, when there is one.
        public var desired: DesiredState?
        /// The spec image.
        public var imageSource: String?
        /// What this reconcile observed.
        public var observation: EnvironmentObservation
        /// What it concluded before planning (the database check is filled in by ``settle(_:)``).
        public var facts: EnvironmentFacts
        /// The status as recorded.
        public var recorded: EnvironmentStatus { observation.recorded }
        /// The same as stored, the base of the status patch.
        public var recordedJSON: JSONValue { observation.recordedJSON }
        /// How long to wait before trying again when ``Reconciliation/problem`` is one that retries on its own.
        public var problemRetry: Duration?
    }

    /// A reconciliation that only reports.
    public init(report: Report, problem: EnvironmentStatus.Problem? = nil) {
        self.report = report
        self.problem = problem
    }

    /// Whether any write is planned.
    public var writes: Bool { !secrets.isEmpty || !apply.isEmpty || webReplicas != nil || !prune.isEmpty || job != nil || initJob != nil || changeOutcome != nil }

    /// Whether the database can take the init Job after the database step reported `check`: the
    /// step's own answer, or, when nothing was checked, whether the credentials Secret exists.
    public func databaseUsable(_ check: DatabaseCheck?, createdSecrets: [String]) -> Bool {
        if let check { return check.ready }
        guard let environment = report.environment else { return false }
        return report.facts.databaseSecretPresent || createdSecrets.contains(environment.databaseSecretName)
    }
}

/// An object to server-side apply.
public struct PlannedObject: Sendable {
    /// Where it goes.
    public var reference: ChildReference
    /// The object, with its applied-configuration hash.
    public var object: JSONValue

    /// A planned object.
    public init(reference: ChildReference, object: JSONValue) {
        self.reference = reference
        self.object = object
    }
}

/// Web's replica count, server-side applied with ``WebReplicas/fieldManager`` alone.
public struct ReplicaWrite: Sendable {
    /// The web Deployment.
    public var reference: ChildReference
    /// Only the count.
    public var object: JSONValue
    /// Whether it goes before the planned objects (the Deployment exists) or after them (it is created now).
    public var beforeApply: Bool

    /// A replica write.
    public init(reference: ChildReference, object: JSONValue, beforeApply: Bool) {
        self.reference = reference
        self.object = object
        self.beforeApply = beforeApply
    }
}

/// A Job the change gate starts (an existing one of the same name is left alone).
public struct PlannedJob: Sendable {
    /// Backup or upgrade.
    public var kind: ChangeGate.JobKind
    /// Its name (derived from the image, so one Job per change).
    public var name: String
    /// The image the change rolls out.
    public var image: String
    /// The Job.
    public var object: JSONValue

    /// A planned Job.
    public init(kind: ChangeGate.JobKind, name: String, image: String, object: JSONValue) {
        self.kind = kind
        self.name = name
        self.image = image
        self.object = object
    }
}

/// An Event about the environment.
public struct EnvironmentEvent: Sendable, Equatable {
    /// Whether it is a warning (otherwise normal).
    public var warning: Bool
    /// CamelCase reason.
    public var reason: String
    /// The action taken (`Apply`, `Create`, `Delete`, `Pin`, `Reconcile`).
    public var action: String
    /// What happened, for a person.
    public var note: String

    /// An Event.
    public init(warning: Bool = false, reason: String, action: String, note: String) {
        self.warning = warning
        self.reason = reason
        self.action = action
        self.note = note
    }
}
