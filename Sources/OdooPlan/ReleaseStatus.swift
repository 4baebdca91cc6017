import Foundation
import KubeModel

/// The status of an OdooRelease: the train's phase, the active cohort, counts, and one entry per
/// cohort and per environment. Computed by ``ReleaseDecision``; read back with ``init(json:)``.
public struct ReleaseStatus: Sendable, Equatable {
    /// The train's phase (`status.phase`, a printer column).
    public enum Phase: String, Sendable, CaseIterable {
        /// Nothing switched yet.
        case pending = "Pending"
        /// A cohort is switching, being verified or soaking.
        case progressing = "Progressing"
        /// `spec.paused`: nothing new switches.
        case paused = "Paused"
        /// A cohort failed beyond its budget: nothing more switches.
        case halted = "Halted"
        /// Every cohort is verified.
        case succeeded = "Succeeded"
        /// It selects an environment an older active release holds: it does nothing.
        case conflict = "Conflict"
        /// Its spec is invalid: it does nothing.
        case invalid = "Invalid"

        /// Whether a release in this phase still holds its environments (others selecting them are refused).
        public var holdsEnvironments: Bool { self == .pending || self == .progressing || self == .paused }
    }

    /// One cohort's state.
    public struct Cohort: Sendable, Equatable {
        /// Where a cohort is.
        public enum Phase: String, Sendable, CaseIterable {
            /// Not reached.
            case pending = "Pending"
            /// Switching and verifying its environments.
            case progressing = "Progressing"
            /// Verified, running its soak time before the next cohort.
            case soaking = "Soaking"
            /// Verified (and soaked).
            case verified = "Verified"
            /// Failed beyond its budget.
            case halted = "Halted"
        }
        /// The cohort's name.
        public var name: String
        /// Its phase.
        public var phase: Phase
        /// How many environments it holds.
        public var environments: Int
        /// How many of them are verified.
        public var verified: Int
        /// How many failed.
        public var failed: Int
        /// When its soak ends (while soaking).
        public var soakUntil: Date?
    }

    /// One environment's state in the release.
    public struct Environment: Sendable, Equatable {
        /// `namespace/name`.
        public var environment: String
        /// The cohort it belongs to.
        public var cohort: String
        /// `Pending`, `Switching`, `Verifying`, `Verified`, `Failed` or `RolledBack`.
        public var state: String
        /// What it waits on, or why it failed.
        public var message: String?
    }

    /// The phase.
    public var phase: Phase = .pending
    /// The active cohort (the one switching, verifying or soaking; the halted one).
    public var cohort: String?
    /// Environments selected.
    public var total = 0
    /// Environments verified.
    public var done = 0
    /// Environments that failed (rolled back or not).
    public var failed = 0
    /// A sentence: what happens now, or why nothing does.
    public var message = ""
    /// The cohorts in order.
    public var cohorts: [Cohort] = []
    /// The environments in cohort order.
    public var environments: [Environment] = []
    /// `metadata.generation` this status describes.
    public var observedGeneration: Int64?

    /// An empty status.
    public init() {}

    /// The status as stored (an absent or unreadable one reads as empty).
    public init(json: JSONValue?) {
        phase = json?["phase"]?.stringValue.flatMap(Phase.init(rawValue:)) ?? .pending
        cohort = json?["cohort"]?.stringValue
        total = Int(json?["total"]?.intValue ?? 0)
        done = Int(json?["done"]?.intValue ?? 0)
        failed = Int(json?["failed"]?.intValue ?? 0)
        message = json?["message"]?.stringValue ?? ""
        observedGeneration = json?["observedGeneration"]?.intValue
        cohorts = (json?["cohorts"]?.arrayValue ?? []).compactMap { item in
            guard let name = item["name"]?.stringValue else { return nil }
            return Cohort(name: name, phase: item["phase"]?.stringValue.flatMap(Cohort.Phase.init(rawValue:)) ?? .pending,
                          environments: Int(item["environments"]?.intValue ?? 0), verified: Int(item["verified"]?.intValue ?? 0),
                          failed: Int(item["failed"]?.intValue ?? 0), soakUntil: item["soakUntil"]?.stringValue.flatMap(Timestamp.parse))
        }
        environments = (json?["environments"]?.arrayValue ?? []).compactMap { item in
            guard let environment = item["environment"]?.stringValue, let cohort = item["cohort"]?.stringValue,
                  let state = item["state"]?.stringValue else { return nil }
            return Environment(environment: environment, cohort: cohort, state: state, message: item["message"]?.stringValue)
        }
    }

    /// The status as JSON, for the status subresource.
    public var json: JSONValue {
        var object: JSONObject = ["phase": .string(phase.rawValue), "total": .int(Int64(total)), "done": .int(Int64(done)),
                                  "failed": .int(Int64(failed)), "message": .string(message)]
        if let cohort { object["cohort"] = .string(cohort) }
        if let observedGeneration { object["observedGeneration"] = .int(observedGeneration) }
        object["cohorts"] = .array(cohorts.map { cohort in
            var entry: JSONObject = ["name": .string(cohort.name), "phase": .string(cohort.phase.rawValue),
                                     "environments": .int(Int64(cohort.environments)), "verified": .int(Int64(cohort.verified)),
                                     "failed": .int(Int64(cohort.failed))]
            if let until = cohort.soakUntil { entry["soakUntil"] = .string(Timestamp.format(until)) }
            return .object(entry)
        })
        object["environments"] = .array(environments.map { environment in
            var entry: JSONObject = ["environment": .string(environment.environment), "cohort": .string(environment.cohort),
                                     "state": .string(environment.state)]
            if let message = environment.message { entry["message"] = .string(message) }
            return .object(entry)
        })
        return .object(object)
    }
}
