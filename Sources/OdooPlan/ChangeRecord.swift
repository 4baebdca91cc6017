import Foundation
import KubeModel

/// One change of an environment's image or addons as the operator verified it (`status.change`, and
/// once finished an entry of `status.changeHistory`): from → to digests, when and by whom, whether it
/// migrated the database, and how it ended. Every change is recorded, whether a release, a tenant or
/// GitOps wrote the spec.
public struct ChangeRecord: Sendable, Equatable {
    /// What ran on one side of the change: image, version and addons, as the change gate reads what runs.
    public typealias Digests = ChangeGate.Running

    /// How a change stands.
    public enum Outcome: String, Sendable, CaseIterable {
        /// Rolled out; its verification window is open.
        case verifying = "Verifying"
        /// Passed its verification.
        case verified = "Verified"
        /// Failed its verification without a migration: the previous digests run again.
        case rolledBack = "RolledBack"
        /// Failed its verification after migrating the database: it keeps running, `Degraded`, and
        /// ``ChangeRecord/restorePoint`` names the backup to restore.
        case failed = "VerificationFailed"
        /// Replaced by another change before its verification ended.
        case superseded = "Superseded"

        /// Whether the change failed (rolled back or not): a failed change in the DORA figures.
        public var isFailure: Bool { self == .rolledBack || self == .failed }
    }

    /// What ran before.
    public var from: Digests
    /// What the change rolls out.
    public var to: Digests
    /// Who asked: `release/<name>`, the change reference, or the spec's generation.
    public var by: String
    /// When the operator rolled it out.
    public var started: Date
    /// When every web and cron pod first ran it, updated and available: the verification window starts then.
    public var rolledOut: Date?
    /// How it stands.
    public var outcome: Outcome
    /// When it ended (verified, rolled back, failed, superseded).
    public var finished: Date?
    /// Why the database counts as migrated (`nil`: it was not, so a failure is rolled back).
    public var migration: String?
    /// The backup to restore when a migrated change fails: the change gate's pre-change backup, or
    /// the last good one.
    public var restorePoint: String?
    /// The evidence of a failure, or what the verification saw.
    public var message: String?

    /// The most finished changes `status.changeHistory` keeps; the oldest go first.
    public static let historyLimit = 20

    /// A change just rolled out.
    public init(from: Digests, to: Digests, by: String, started: Date, migration: String?, restorePoint: String?) {
        self.from = from
        self.to = to
        self.by = by
        self.started = started
        outcome = .verifying
        self.migration = migration
        self.restorePoint = restorePoint
    }

    /// The record as stored (`nil` when it cannot be read).
    public init?(json: JSONValue?) {
        guard let json, let from = Self.digests(json["from"]), let to = Self.digests(json["to"]),
              let started = json["started"]?.stringValue.flatMap(Timestamp.parse),
              let outcome = json["outcome"]?.stringValue.flatMap(Outcome.init(rawValue:)) else { return nil }
        self.from = from
        self.to = to
        by = json["by"]?.stringValue ?? ""
        self.started = started
        self.outcome = outcome
        finished = json["finished"]?.stringValue.flatMap(Timestamp.parse)
        rolledOut = json["rolledOut"]?.stringValue.flatMap(Timestamp.parse)
        migration = json["migration"]?.stringValue
        restorePoint = json["restorePoint"]?.stringValue
        message = json["message"]?.stringValue
    }

    /// The record as JSON.
    public var json: JSONValue {
        var object: JSONObject = ["from": Self.json(from), "to": Self.json(to), "by": .string(by), "started": .string(Timestamp.format(started)),
                                  "outcome": .string(outcome.rawValue)]
        if let rolledOut { object["rolledOut"] = .string(Timestamp.format(rolledOut)) }
        if let finished { object["finished"] = .string(Timestamp.format(finished)) }
        if let migration { object["migration"] = .string(migration) }
        if let restorePoint { object["restorePoint"] = .string(restorePoint) }
        if let message { object["message"] = .string(message) }
        return .object(object)
    }

    /// The annotation value the operator writes on the environment when a change fails, so the
    /// write (and the failure) reaches the audit chain: `RolledBack <to> → <from>: why` or
    /// `VerificationFailed <to>: why; restore point …`.
    public var outcomeAnnotation: String {
        switch outcome {
        case .rolledBack: "RolledBack \(to.image) → \(from.image): \(message ?? "")"
        case .failed: "VerificationFailed \(to.image): \(message ?? ""); restore point \(restorePoint ?? "none recorded")"
        case .verifying, .verified, .superseded: "\(outcome.rawValue) \(to.image)"
        }
    }

    static func digests(_ value: JSONValue?) -> Digests? {
        guard let image = value?["image"]?.stringValue else { return nil }
        let addons = (value?["addons"]?.arrayValue ?? []).compactMap { entry -> OdooEnvironment.Addon? in
            guard let image = entry["image"]?.stringValue else { return nil }
            return OdooEnvironment.Addon(image: image, path: entry["path"]?.stringValue ?? OdooEnvironment.Addon.defaultPath)
        }
        return Digests(image: image, version: value?["version"]?.stringValue ?? "", addons: addons)
    }

    static func json(_ digests: Digests) -> JSONValue {
        var object: JSONObject = ["image": .string(digests.image), "version": .string(digests.version)]
        if !digests.addons.isEmpty { object["addons"] = .array(digests.addons.map { ["image": .string($0.image), "path": .string($0.path)] }) }
        return .object(object)
    }
}

extension ChangeGate.Running {
    /// Whether `other` names the same images (the version follows the image).
    public func sameImages(_ other: ChangeGate.Running) -> Bool { image == other.image && addons.map(\.image) == other.addons.map(\.image) }
}
