import Foundation
import KubeModel

/// Verifies every change of an environment's image or addons after the switch, whoever made it, and
/// decides what a failure does. Pure: from the recorded ``ChangeRecord``, what runs and what the spec
/// asks for, and the evidence of one observation (the rollout, the web pods' restarts and failures,
/// the synthetic login check) to the next record and what the plan must run.
///
/// - A change starts when the plan first rolls out digests other than those running: `from` is what
///   the web Deployment runs, `to` the spec's pins; whether it migrates the database is classified
///   then, once (``DatabaseMigration``), with the restore point the change gate's backup gave.
/// - The change fails at once on a restart loop or a failing container of a pod on the new image, and
///   when its workloads are not rolled out on it within the rollout deadline. The window starts when
///   they first are; when it ends the change is verified if they still are and the login check finds
///   Odoo's login form, otherwise it fails with what was missing.
/// - A failure without a migration is rolled back: the plan runs `from` again (the spec is left as
///   written, so a release, a tenant and GitOps all see what they asked for and why it does not run).
///   A failure after a migration is never rolled back: it keeps running, `Degraded` with
///   `VerificationFailed` and the restore point. Both stay until the spec names other digests.
public struct ChangeVerification: Sendable {
    /// How long a change is watched once rolled out.
    public var window: TimeInterval
    /// How long after its switch a change may take to roll out.
    public var rolloutDeadline: TimeInterval
    /// Restarts of one container on the new digests that make a restart loop.
    public var restartLimit: Int64

    /// A verification.
    public init(window: TimeInterval, rolloutDeadline: TimeInterval = 900, restartLimit: Int64) {
        self.window = window
        self.rolloutDeadline = rolloutDeadline
        self.restartLimit = restartLimit
    }

    /// The outcome of one step.
    public struct Step: Sendable, Equatable {
        /// The current change (`status.change`).
        public var record: ChangeRecord?
        /// The finished changes, oldest first, bounded (`status.changeHistory`).
        public var history: [ChangeRecord]
        /// What the plan runs instead of the spec's digests (a rolled-back change), `nil`: the spec's.
        public var held: ChangeGate.Running?
        /// `Degraded`'s reason and message while a failed change stands.
        public struct Failure: Sendable, Equatable {
            /// `RolledBack` or `VerificationFailed`.
            public var reason: String
            /// The evidence, and what runs now.
            public var message: String
        }
        /// The failure that stands, `nil` while none does.
        public var failure: Failure?
        /// An Event for what finished now (a verified change; a failure is announced as a new `Degraded`).
        public var event: EnvironmentEvent?
        /// When to look again while the window is open.
        public var recheck: Duration?

        /// A step that keeps what was recorded.
        public init(record: ChangeRecord?, history: [ChangeRecord]) {
            self.record = record
            self.history = history
        }
    }

    /// The step for `observation`.
    /// - Parameters:
    ///   - running: what the web Deployment runs (`nil` before the first rollout: no change to verify).
    ///   - desired: the spec's pinned digests.
    ///   - gate: the change gate's verdict on rolling `desired` out.
    public func step(_ environment: OdooEnvironment, _ observation: EnvironmentObservation, running: ChangeGate.Running?,
                     desired: ChangeRecord.Digests, gate: ChangeGate.Decision) -> Step {
        var step = Step(record: observation.recorded.change, history: observation.recorded.changeHistory)
        let now = observation.now
        if var record = step.record, record.to.sameImages(desired) {
            switch record.outcome {
            case .verifying:
                evaluate(&record, environment, observation, into: &step)
                step.record = record
            case .rolledBack:
                step.held = record.from
                step.failure = Step.Failure(reason: EnvironmentCondition.rolledBack, message: Self.rolledBackMessage(record))
            case .failed:
                step.failure = Step.Failure(reason: EnvironmentCondition.verificationFailed, message: Self.failedMessage(record))
            case .verified, .superseded:
                break
            }
            return step
        }
        // The spec names other digests than the recorded change: a change still being verified is superseded.
        if var record = step.record, record.outcome == .verifying {
            record.outcome = .superseded
            record.finished = now
            record.message = "the spec changed to \(desired.image) before the verification ended"
            step.record = record
            step.history = Self.appended(step.history, record)
        }
        guard let running, gate == .proceed, !running.sameImages(desired) else { return step }
        let names = environment.childNames
        let key = ChangeGate.changeKey(image: desired.image, addons: desired.addons)
        let migration = DatabaseMigration.classify(from: running, to: desired, upgradeJob: observation.gateJobs[names.upgrade(image: key)])
        var record = ChangeRecord(from: running, to: desired, by: Self.requester(observation.object), started: now,
                                  migration: migration.reason, restorePoint: Self.restorePoint(environment, observation, changeKey: key))
        record.message = "switched; verified for \(Self.duration(window)) once rolled out"
        step.record = record
        step.recheck = recheck(until: now.addingTimeInterval(window), now: now)
        return step
    }

    /// How soon to look again inside a window (pods are not watched: this bounds how late a restart
    /// loop is seen): a quarter of the window, 1 to 15 seconds, never past the window's end.
    func recheck(until end: Date, now: Date) -> Duration {
        .milliseconds(Int64(max(1, min(15, window / 4, end.timeIntervalSince(now))) * 1000))
    }

    /// Whether the synthetic login check is due now: a change in its window whose window has ended,
    /// with its workloads rolled out on it and nothing failing. The observer runs the check only then.
    public func loginCheckDue(_ environment: OdooEnvironment, _ observation: EnvironmentObservation) -> Bool {
        guard let record = observation.recorded.change, record.outcome == .verifying, observation.recorded.sleep.map({ $0.state == .awake }) ?? true,
              environment.replicas > 0, environment.restoring == nil, let rolledOutAt = record.rolledOut, observation.now >= rolledOutAt.addingTimeInterval(window) else { return false }
        return rolledOut(record, environment, observation) && problem(record, observation) == nil
    }

    /// Judges a change in its window.
    func evaluate(_ record: inout ChangeRecord, _ environment: OdooEnvironment, _ observation: EnvironmentObservation, into step: inout Step) {
        let now = observation.now
        // Asleep, scaled to no web pod or stopped by a restore, nothing serves to verify: the verdict
        // waits for pods to serve.
        if observation.recorded.sleep.map({ $0.state != .awake }) ?? false || environment.replicas == 0 || environment.restoring != nil {
            step.recheck = .seconds(60)
            return
        }
        let available = rolledOut(record, environment, observation)
        if record.rolledOut == nil, available {
            record.rolledOut = now
            record.message = "rolled out; verified until \(Timestamp.format(now.addingTimeInterval(window)))"
        }
        var why = problem(record, observation)
        let end = record.rolledOut.map { $0.addingTimeInterval(window) } ?? record.started.addingTimeInterval(rolloutDeadline)
        if why == nil, now >= end {
            if record.rolledOut == nil {
                why = "not rolled out within the \(Self.duration(rolloutDeadline)) rollout deadline"
            } else if !available {
                why = "no longer rolled out when its \(Self.duration(window)) verification window ended"
            } else if let check = observation.loginCheck {
                why = check.failure
            } else {
                // Due, but the observer has not checked yet: look again at once.
                step.recheck = .seconds(1)
                return
            }
            if why == nil {
                record.outcome = .verified
                record.finished = now
                record.message = "verified: rolled out, no restart loop, Odoo's login form served at \(Timestamp.format(now))"
                step.history = Self.appended(step.history, record)
                step.event = EnvironmentEvent(reason: EnvironmentCondition.changeVerified, action: "Verify", note:
                    "the change to \(record.to.image) (by \(record.by)) is verified after \(Self.duration(window)) rolled out")
                return
            }
        }
        guard let why else {
            step.recheck = recheck(until: end, now: now)
            return
        }
        record.finished = now
        record.message = why
        if record.migration == nil {
            record.outcome = .rolledBack
            step.held = record.from
            step.failure = Step.Failure(reason: EnvironmentCondition.rolledBack, message: Self.rolledBackMessage(record))
        } else {
            record.outcome = .failed
            step.failure = Step.Failure(reason: EnvironmentCondition.verificationFailed, message: Self.failedMessage(record))
        }
        step.history = Self.appended(step.history, record)
    }

    /// Whether web and cron run the change's image with every pod updated and available.
    func rolledOut(_ record: ChangeRecord, _ environment: OdooEnvironment, _ observation: EnvironmentObservation) -> Bool {
        guard let web = observation.workloads.web, web.images[PlanContext.odooContainer] == record.to.image,
              web.rolledOut(Int64(environment.replicas)) else { return false }
        guard let cron = observation.workloads.cron else { return true }
        return cron.images[PlanContext.odooContainer] == record.to.image && cron.rolledOut(1)
    }

    /// A failure that ends the window early: a restart loop or a failed container on the new image.
    func problem(_ record: ChangeRecord, _ observation: EnvironmentObservation) -> String? {
        let onNewImage = observation.verificationPods.filter { $0.images[PlanContext.odooContainer] == record.to.image }
        for pod in onNewImage.sorted(by: { $0.name < $1.name }) {
            for container in pod.containers where container.restartCount >= restartLimit || container.waitingReason == "CrashLoopBackOff" {
                return "restart loop: pod \(pod.name) container \(container.name) restarted \(container.restartCount) times\(container.waitingReason.map { " (\($0))" } ?? "")"
            }
        }
        let names = Set(onNewImage.map(\.name))
        return observation.podFailures.first { names.contains($0.pod) }.map(\.description)
    }

    /// Who asked for the change: the change reference (a release writes `release/<name>`), else the
    /// spec's generation (the audit chain's record of that write names the user).
    static func requester(_ object: KubeObject) -> String {
        if let reference = object.annotations[GuardLabels.changeReference]?.trimmingCharacters(in: .whitespaces), !reference.isEmpty {
            return reference
        }
        return "generation \(object.generation ?? 0)"
    }

    /// The backup to restore should the change fail after migrating: the gate's pre-change backup,
    /// else the last good backup.
    static func restorePoint(_ environment: OdooEnvironment, _ observation: EnvironmentObservation, changeKey: String) -> String? {
        let name = environment.childNames.changeBackup(image: changeKey)
        if let job = observation.gateJobs[name], job.phase == .succeeded {
            return "backup Job \(name)\(job.completionTime.map { ", completed \(Timestamp.format($0))" } ?? "")"
        }
        return observation.backups.lastBackupTime.map { "the last good backup, \(Timestamp.format($0))" }
    }

    /// The `odooguard.io/change-outcome` annotation `object` lacks: the failed change's outcome, until
    /// it is written (level-based, so a failed write is tried again by the next reconcile).
    public static func missingAnnotation(_ record: ChangeRecord?, on object: KubeObject) -> String? {
        guard let record, record.outcome.isFailure else { return nil }
        let value = String(record.outcomeAnnotation.prefix(1_024))
        return object.annotations[GuardLabels.changeOutcome] == value ? nil : value
    }

    static func rolledBackMessage(_ record: ChangeRecord) -> String {
        "the change to \(record.to.image) (by \(record.by)) failed its verification (\(record.message ?? "")) and migrated nothing, so it was rolled back to \(record.from.image); the previous digests run until spec.image or spec.addons name others"
    }

    static func failedMessage(_ record: ChangeRecord) -> String {
        "the change to \(record.to.image) (by \(record.by)) failed its verification (\(record.message ?? "")); it was not rolled back because \(record.migration ?? "the database was migrated") and the previous code cannot run on the new schema: restore point \(record.restorePoint ?? "none recorded (no backup before the change)")"
    }

    static func appended(_ history: [ChangeRecord], _ record: ChangeRecord) -> [ChangeRecord] {
        Array((history + [record]).suffix(ChangeRecord.historyLimit))
    }

    static func duration(_ seconds: TimeInterval) -> String {
        seconds >= 120 && seconds.truncatingRemainder(dividingBy: 60) == 0 ? "\(Int(seconds / 60)) minutes" : "\(Int(seconds)) s"
    }
}

extension DatabaseMigration {
    /// Why the database counts as migrated, `nil` when it does not.
    public var reason: String? {
        if case .migrated(let why) = self { return why }
        return nil
    }
}
