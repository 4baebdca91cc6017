import Foundation
import KubeModel

/// The status, the Events and the requeue, computed from the reconciliation and what its writes did.
extension Reconciliation {
    /// What the executor's writes did.
    public struct Outcome: Sendable {
        /// Names of the Secrets created (those that already existed are left out).
        public var createdSecrets: [String] = []
        /// Objects applied.
        public var applied: [ChildReference] = []
        /// The web and cron Deployments as the API returned them from their apply, newer than the observation.
        public var appliedWorkloads: [ChildReference: JSONValue] = [:]
        /// Objects deleted.
        public var pruned: [ChildReference] = []
        /// Whether the gate's Job was created now (not found already there).
        public var jobStarted = false
        /// Whether the database init Job was created now.
        public var initJobStarted = false
        /// The API's or an admission webhook's refusal of a write, which stopped the rest.
        public var rejected: String?
        /// What the database step found.
        public var database: DatabaseCheck?

        /// An outcome.
        public init(createdSecrets: [String] = [], applied: [ChildReference] = [], pruned: [ChildReference] = [], jobStarted: Bool = false,
                    initJobStarted: Bool = false, rejected: String? = nil, database: DatabaseCheck? = nil) {
            self.createdSecrets = createdSecrets
            self.applied = applied
            self.pruned = pruned
            self.jobStarted = jobStarted
            self.initJobStarted = initJobStarted
            self.rejected = rejected
            self.database = database
        }
    }

    /// The end of a reconcile.
    public struct Settlement: Sendable {
        /// The new status.
        public var status: EnvironmentStatus
        /// The merge patch of the status subresource, `nil` when the status is unchanged.
        public var statusPatch: JSONValue?
        /// Events about what was done, and a warning when the environment newly degrades.
        public var events: [EnvironmentEvent]
        /// The reason of a degradation that is new (for the log), `nil` otherwise.
        public var newlyDegraded: String?
        /// When to look again although nothing changes, `nil` to wait for a change.
        public var requeue: Duration?
    }

    /// The settlement after the writes reported in `outcome`.
    public func settle(_ outcome: Outcome) -> Settlement {
        let problem = self.problem ?? outcome.rejected.map(EnvironmentStatus.Problem.applyRejected)
        var facts = report.facts
        var observation = report.observation
        if report.desired == nil, facts.pinnedImage == nil, report.imageSource == report.recorded.imageSource {
            facts.pinnedImage = report.recorded.image
        }
        facts.database = outcome.database
        if outcome.initJobStarted, case .pending(let job)? = facts.initialization { facts.initialization = .running(job: job) }
        // A Deployment applied now is reported as the API returned it, not as it was before.
        if let environment = report.environment {
            let names = environment.childNames
            func applied(_ component: Component) -> DeploymentView? {
                outcome.appliedWorkloads[ChildReference(.deployments, namespace: environment.namespace, name: names.deployment(component))].map(DeploymentView.init)
            }
            observation.workloads.web = applied(.web) ?? observation.workloads.web
            observation.workloads.cron = applied(.cron) ?? observation.workloads.cron
        }
        // A credentials Secret this reconcile created exists now, although the observation predates it.
        if let environment = report.environment, outcome.createdSecrets.contains(environment.databaseSecretName) {
            facts.databaseSecretPresent = true
        }
        let status = EnvironmentStatus(environment: report.environment, generation: report.generation, desired: report.desired,
                                       imageSource: report.imageSource, observation: observation, facts: facts, problem: problem)
        var events = writeEvents(outcome)
        var newlyDegraded: String?
        let patch = Self.statusPatch(from: report.recordedJSON, to: status.json)
        // Every new degradation is announced once: a problem, a failed Job, a failing pod.
        if patch != nil, let degraded = status.conditions.first(where: { $0.type == EnvironmentCondition.degraded }), degraded.status == .true {
            let before = report.recorded.condition(EnvironmentCondition.degraded)
            if before?.status != .true || before?.reason != degraded.reason {
                newlyDegraded = degraded.reason
                events.append(EnvironmentEvent(warning: true, reason: degraded.reason, action: "Reconcile", note: degraded.message))
            }
        }
        return Settlement(status: status, statusPatch: patch, events: events, newlyDegraded: newlyDegraded,
                          requeue: requeue(status, problem: problem, rejected: outcome.rejected != nil, database: outcome.database))
    }

    /// The merge patch turning `old` into `new`, `nil` when equal: `new` whole, with `null` for every
    /// field `new` lacks at any depth (a merge patch keeps nested fields it does not name).
    static func statusPatch(from old: JSONValue, to new: JSONValue) -> JSONValue? {
        guard old != new else { return nil }
        return ["status": JSONValue.mergePatch(from: old, to: new)]
    }

    /// Events naming what the writes in `outcome` did (also when a later write failed).
    public func writeEvents(_ outcome: Outcome) -> [EnvironmentEvent] {
        var events: [EnvironmentEvent] = []
        if !outcome.createdSecrets.isEmpty {
            events.append(EnvironmentEvent(reason: "SecretsCreated", action: "Create",
                                           note: "generated \(outcome.createdSecrets.map { "Secret \($0)" }.joined(separator: ", ")) (values are never shown)"))
        }
        if !outcome.applied.isEmpty {
            events.append(EnvironmentEvent(reason: "Applied", action: "Apply",
                                           note: "applied \(outcome.applied.count): \(outcome.applied.map(\.description).joined(separator: ", "))"))
        }
        if !outcome.pruned.isEmpty {
            events.append(EnvironmentEvent(reason: "Pruned", action: "Delete",
                                           note: "deleted what is no longer planned: \(outcome.pruned.map(\.description).joined(separator: ", "))"))
        }
        if outcome.jobStarted, let job {
            events.append(EnvironmentEvent(reason: job.kind == .backup ? "BackupStarted" : "UpgradeStarted", action: "Create",
                                           note: "started Job \(job.name) before rolling out \(job.image)"))
        }
        if outcome.initJobStarted, let job = initJob, let environment = report.environment {
            events.append(EnvironmentEvent(reason: "InitStarted", action: "Create", note:
                "started Job \(job.name): installs \(environment.database.initModules.joined(separator: ", ")) into database \(environment.database.name); web and cron start when it succeeds"))
        }
        return events
    }

    /// When to look again. Rollouts and owned objects report through watches; what the operator does
    /// not own (a TLS Secret, an external database Secret, the backup credentials) is looked at again
    /// in a minute, an unready database with a backoff, a held change when its window opens.
    func requeue(_ status: EnvironmentStatus, problem: EnvironmentStatus.Problem?, rejected: Bool, database: DatabaseCheck?) -> Duration? {
        // An admission webhook (or the API's validation) refused an object: report, do not retry blindly.
        if rejected { return .seconds(300) }
        if let retry = report.problemRetry, self.problem != nil { return retry }
        // The init Job's own progress is watched (and looked at in 30 s while it runs); its failure waits for a change.
        let ownJob = [EnvironmentCondition.initializing, EnvironmentCondition.initFailed]
        let waitingOnOthers = status.conditions.contains {
            ($0.type == EnvironmentCondition.ingressReady && $0.status == .false)
                || ($0.type == EnvironmentCondition.databaseReady && $0.status == .false && !ownJob.contains($0.reason))
                || ($0.type == EnvironmentCondition.backupReady && $0.reason == EnvironmentCondition.credentialsMissing)
        }
        var retries: [Duration] = []
        if problem == nil && waitingOnOthers { retries.append(.seconds(60)) }
        if database?.ready == false { retries.append(Self.databaseRetry(report.recorded, now: report.observation.now)) }
        if case .hold(_, _, let after?)? = report.facts.gate { retries.append(.milliseconds(Int64(after * 1000))) }
        if case .startJob? = report.facts.gate { retries.append(.seconds(30)) }
        if !report.observation.podFailures.isEmpty { retries.append(.seconds(60)) }
        if self.problem == nil, let recheck = report.facts.verification?.recheck { retries.append(recheck) }
        // A sleep schedule changes state by the clock: look again when it does (at least a second ahead).
        if self.problem == nil, let until = status.sleep?.until {
            retries.append(.milliseconds(Int64(max(1, min(until.timeIntervalSince(report.observation.now), 366 * 86_400)) * 1000)))
        }
        // A scheduled floor raises or lowers the autoscaler's minimum by the clock: look again when it does.
        if self.problem == nil, let next = report.desired?.scalingMinimum?.nextChange {
            retries.append(.milliseconds(Int64(max(1, min(next.timeIntervalSince(report.observation.now), 366 * 86_400)) * 1000)))
        }
        switch report.facts.initialization {
        case .pending?, .running?: if self.problem == nil { retries.append(.seconds(30)) }
        case .initialized?, .failed?, nil: break
        }
        return retries.min()
    }

    /// How long to wait before checking an unready database again: the time it has been unready,
    /// between 10 s and 5 minutes (a backoff that needs no memory beyond the condition).
    static func databaseRetry(_ recorded: EnvironmentStatus, now: Date) -> Duration {
        guard let condition = recorded.condition(EnvironmentCondition.databaseReady), condition.status == .false,
              let since = Timestamp.parse(condition.lastTransitionTime) else { return .seconds(10) }
        return .seconds(Int64(min(300, max(10, now.timeIntervalSince(since)))))
    }
}
