import Foundation
import KubeModel

/// Whether a change of image or version may roll out now: the production change gates (a change
/// reference, the maintenance window, a backup younger than the RPO) and, in every stage, the
/// database upgrade Job a major-version change or a changed set of addon images needs before the
/// web Deployment switches.
/// Pure: the reconciler gathers the inputs, starts the Jobs the decision names, and plans with the
/// running image while the decision holds.
public struct ChangeGate: Sendable {
    /// What the web Deployment runs now.
    public struct Running: Sendable, Equatable {
        /// The Odoo container's image.
        public var image: String
        /// The Odoo version (`odooguard.io/odoo-version` of its pod template).
        public var version: String
        /// The addon images (`odooguard.io/addons` of its pod template).
        public var addons: [OdooEnvironment.Addon]

        /// What runs.
        public init(image: String, version: String, addons: [OdooEnvironment.Addon] = []) {
            self.image = image
            self.version = version
            self.addons = addons
        }

        /// Reads the web Deployment (`nil` when it does not exist or runs no Odoo container).
        public init?(deployment: DeploymentView?, fallbackVersion: String) {
            guard let deployment, let image = deployment.images[PlanContext.odooContainer] else { return nil }
            self.image = image
            version = deployment.templateAnnotations[GuardLabels.odooVersion] ?? fallbackVersion
            addons = Running.addons(annotation: deployment.templateAnnotations[GuardLabels.addons])
        }

        /// The annotation's value for `addons`: `image|path` entries separated by commas (`nil` when none).
        public static func annotation(_ addons: [OdooEnvironment.Addon]) -> String? {
            addons.isEmpty ? nil : addons.map { "\($0.image)|\($0.path)" }.joined(separator: ",")
        }

        /// The addons an annotation names.
        static func addons(annotation: String?) -> [OdooEnvironment.Addon] {
            (annotation ?? "").split(separator: ",").compactMap { entry in
                let parts = entry.split(separator: "|", maxSplits: 1).map(String.init)
                guard let image = parts.first, !image.isEmpty else { return nil }
                return OdooEnvironment.Addon(image: image, path: parts.count > 1 ? parts[1] : OdooEnvironment.Addon.defaultPath)
            }
        }
    }

    /// A Job the gate waits on.
    public struct JobState: Sendable, Equatable {
        /// How far it got (running, succeeded, failed).
        public typealias Phase = JobView.Phase
        /// Its phase.
        public var phase: Phase
        /// When it completed.
        public var completionTime: Date?
        /// The failing container's termination message (its log tail), when it failed.
        public var message: String?

        /// A state.
        public init(phase: Phase, completionTime: Date? = nil, message: String? = nil) {
            self.phase = phase
            self.completionTime = completionTime
            self.message = message
        }

        /// The state of `job`; a failed one says why with `report` (its container's log tail), else its condition.
        public init(_ job: JobView, report: String? = nil) {
            self.init(phase: job.phase, completionTime: job.completionTime, message: job.phase == .failed ? report ?? job.failure : nil)
        }
    }

    /// What the gate decided.
    public enum Decision: Sendable, Equatable {
        /// Roll out the spec's image and version.
        case proceed
        /// Keep the running image; `Progressing=False` with the reason; look again after `retryAfter` seconds (or on a change).
        case hold(reason: String, message: String, retryAfter: TimeInterval?)
        /// Start the Job `name` (an on-demand backup or the database upgrade), then hold with the reason.
        case startJob(kind: JobKind, name: String, reason: String, message: String)
        /// A Job failed: keep the running image, `Degraded=True` with the reason and the Job's log tail.
        case failed(reason: String, message: String)
    }

    /// The Jobs the gate starts.
    public enum JobKind: String, Sendable, Equatable {
        /// A backup before a production change.
        case backup
        /// The database upgrade to a new major version.
        case upgrade
        /// The initialisation of a new database (not a gate's Job: the database lifecycle's).
        case initialize
    }

    /// The environment.
    public var environment: OdooEnvironment
    /// The image and version the spec asks for (pinned).
    public var desiredImage: String
    /// The recovery point objective of the environment's stage, in hours.
    public var rpoHours: Int
    /// The addon images the spec asks for (pinned).
    public var desiredAddons: [OdooEnvironment.Addon]

    /// A gate.
    public init(environment: OdooEnvironment, desiredImage: String, rpoHours: Int, desiredAddons: [OdooEnvironment.Addon] = []) {
        self.environment = environment
        self.desiredImage = desiredImage
        self.rpoHours = rpoHours
        self.desiredAddons = desiredAddons
    }

    /// What names the Jobs of one change: the image, and the addon images when there are any (so an
    /// environment without addons keeps the names it always had).
    public static func changeKey(image: String, addons: [OdooEnvironment.Addon]) -> String {
        Running.annotation(addons).map { image + "\n" + $0 } ?? image
    }

    /// The change's key (see ``changeKey(image:addons:)``).
    public var changeKey: String { ChangeGate.changeKey(image: desiredImage, addons: desiredAddons) }

    /// Decides for the current observations.
    /// - Parameters:
    ///   - running: what the web Deployment runs (`nil` before the first rollout: nothing to protect).
    ///   - lastBackup: when the last good backup completed.
    ///   - jobs: the gate's Jobs by name.
    public func decide(running: Running?, lastBackup: Date?, jobs: [String: JobState], now: Date) -> Decision {
        guard let running, running.image != desiredImage || running.version != environment.version || running.addons != desiredAddons else { return .proceed }
        let names = environment.childNames
        let backupJob = names.changeBackup(image: changeKey)
        let upgradeJob = names.upgrade(image: changeKey)
        let runningMajor = Int(running.version.split(separator: ".").first ?? "") ?? environment.majorVersion
        let majorUp = environment.majorVersion > runningMajor
        let addonsChanged = running.addons != desiredAddons
        // Once a Job of this change has started, the change is under way: the window and the
        // reference were checked when it started.
        let started = jobs[backupJob] != nil || jobs[upgradeJob] != nil
        if environment.stage == .production {
            if !started {
                if (environment.changeReference ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                    return .hold(reason: "WaitingForChangeReference", message:
                        "the change to \(desiredImage) waits for a change reference: annotate the OdooEnvironment with odooguard.io/change-ref (e.g. CHG-1234); \(running.image) keeps serving",
                        retryAfter: nil)
                }
                if let window = environment.maintenanceWindow, !window.isOpen(at: now) {
                    let next = window.nextOpening(after: now)
                    return .hold(reason: "WaitingForMaintenanceWindow", message:
                        "the change to \(desiredImage) rolls out in the maintenance window (\(window.schedule.text) UTC, \(window.durationMinutes) minutes)\(next.map { ", next at \(Timestamp.format($0))" } ?? ""); \(running.image) keeps serving",
                        retryAfter: next.map { max(30, $0.timeIntervalSince(now)) })
                }
            }
            let fresh = lastBackup.map { now.timeIntervalSince($0) < Double(rpoHours) * 3600 } ?? false
            if !fresh {
                switch jobs[backupJob]?.phase {
                case nil:
                    return .startJob(kind: .backup, name: backupJob, reason: "WaitingForBackup", message:
                        "no backup younger than the \(rpoHours) h RPO: backup Job \(backupJob) runs before the change to \(desiredImage)")
                case .running?:
                    return .hold(reason: "WaitingForBackup", message: "backup Job \(backupJob) runs before the change to \(desiredImage)", retryAfter: 30)
                case .failed?:
                    return .failed(reason: "BackupFailed", message: "backup Job \(backupJob) failed, so \(desiredImage) is not rolled out: \(jobs[backupJob]?.message ?? "no log")")
                case .succeeded?:
                    break
                }
            }
        }
        if majorUp || addonsChanged {
            let what = majorUp ? "Odoo \(running.version) → \(environment.version)" : "the addon images changed"
            switch jobs[upgradeJob]?.phase {
            case nil:
                return .startJob(kind: .upgrade, name: upgradeJob, reason: "UpgradingDatabase", message:
                    "\(what): upgrade Job \(upgradeJob) updates the database before the web Deployment switches")
            case .running?:
                return .hold(reason: "UpgradingDatabase", message: "upgrade Job \(upgradeJob) updates the database to Odoo \(environment.version)", retryAfter: 30)
            case .failed?:
                return .failed(reason: "UpgradeFailed", message:
                    "upgrade Job \(upgradeJob) to Odoo \(environment.version) failed; Odoo \(running.version) keeps serving: \(jobs[upgradeJob]?.message ?? "no log")")
            case .succeeded?:
                break
            }
        }
        return .proceed
    }
}
