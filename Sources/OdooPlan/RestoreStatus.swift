import Foundation
import KubeModel

/// An OdooRestore's `status`: its phase, each step with its times and message, and for a refresh
/// that the masking ran. Read back at every reconcile, so a restarted operator resumes at the step
/// the status names.
public struct RestoreStatus: Sendable, Equatable {
    /// Where the restore stands.
    public enum Phase: String, Sendable, Equatable, CaseIterable {
        /// Checked, not started.
        case pending = "Pending"
        /// A production restore waits for its ChangeApproval; nothing has stopped.
        case awaitingApproval = "AwaitingApproval"
        /// Refused before anything stopped; the message says why and what would work.
        case refused = "Refused"
        /// A step runs (``RestoreStatus/step``).
        case running = "Running"
        /// Done: the environment runs on the restored data.
        case succeeded = "Succeeded"
        /// A step failed after the environment stopped; it stays stopped (the message says what to do).
        case failed = "Failed"

        /// Whether the restore is over.
        public var isFinal: Bool { self == .refused || self == .succeeded || self == .failed }
    }

    /// The steps, in the order they run.
    public enum Step: String, Sendable, Equatable, CaseIterable, Comparable {
        /// The backup is fetched and its checksum (and decryption) verified, before anything stops.
        case verify = "Verify"
        /// Web and cron are stopped.
        case stop = "Stop"
        /// The database and filestore are replaced, in one transaction for the database.
        case restore = "Restore"
        /// Odoo's database upgrade, when the backup's version differs from the environment's.
        case upgrade = "Upgrade"
        /// `odoo neutralize` (a refresh): mail servers, crons and payment providers off.
        case neutralize = "Neutralize"
        /// The policy's masking (a refresh): no patient data left in the copy.
        case mask = "Mask"
        /// Web and cron start again.
        case start = "Start"

        /// Steps in order.
        public static func < (lhs: Step, rhs: Step) -> Bool {
            (allCases.firstIndex(of: lhs) ?? 0) < (allCases.firstIndex(of: rhs) ?? 0)
        }
    }

    /// One step's record.
    public struct StepRecord: Sendable, Equatable {
        /// The step.
        public var step: Step
        /// When it started.
        public var started: Date
        /// When it finished (`nil`: running).
        public var finished: Date?
        /// What happened.
        public var message: String

        /// A record.
        public init(step: Step, started: Date, finished: Date? = nil, message: String) {
            self.step = step
            self.started = started
            self.finished = finished
            self.message = message
        }
    }

    /// The phase.
    public var phase: Phase = .pending
    /// The running or last step.
    public var step: Step?
    /// Why the phase is what it is, in words a tenant can act on.
    public var message = ""
    /// Every step so far.
    public var steps: [StepRecord] = []
    /// The source as `namespace/environment@backup` (or `@latest`, `@<time>`).
    public var source: String?
    /// Whether the policy's masking ran on the data (a refresh).
    public var masked = false
    /// The generation of the spec this status is about.
    public var observedGeneration: Int64?

    /// An empty status.
    public init() {}

    /// The status as stored (absent or unreadable fields left at their defaults).
    public init(json: JSONValue?) {
        guard let json else { return }
        phase = json["phase"]?.stringValue.flatMap(Phase.init(rawValue:)) ?? .pending
        step = json["step"]?.stringValue.flatMap(Step.init(rawValue:))
        message = json["message"]?.stringValue ?? ""
        source = json["source"]?.stringValue
        masked = json["masked"]?.boolValue ?? false
        observedGeneration = json["observedGeneration"]?.intValue
        steps = (json["steps"]?.arrayValue ?? []).prefix(Step.allCases.count).compactMap { item in
            guard let step = item["name"]?.stringValue.flatMap(Step.init(rawValue:)),
                  let started = item["started"]?.stringValue.flatMap(Timestamp.parse) else { return nil }
            return StepRecord(step: step, started: started, finished: item["finished"]?.stringValue.flatMap(Timestamp.parse),
                              message: item["message"]?.stringValue ?? "")
        }
    }

    /// The status as written.
    public var json: JSONValue {
        var object: JSONObject = ["masked": .bool(masked), "message": .string(message), "phase": .string(phase.rawValue)]
        if let observedGeneration { object["observedGeneration"] = .int(observedGeneration) }
        if let source { object["source"] = .string(source) }
        if let step { object["step"] = .string(step.rawValue) }
        object["steps"] = .array(steps.map { record in
            var item: JSONObject = ["message": .string(record.message), "name": .string(record.step.rawValue), "started": .string(Timestamp.format(record.started))]
            if let finished = record.finished { item["finished"] = .string(Timestamp.format(finished)) }
            return .object(item)
        })
        return .object(object)
    }

    /// The record of `step`, when it started.
    public func record(_ step: Step) -> StepRecord? { steps.first { $0.step == step } }

    /// Whether the environment was stopped by this restore (a step past ``Step/verify`` started).
    public var stopped: Bool { steps.contains { $0.step > .verify } }
}
