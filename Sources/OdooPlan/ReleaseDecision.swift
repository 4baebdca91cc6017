import Foundation
import KubeModel

/// What one reconcile of an OdooRelease does: the environments to switch now, the status, the
/// Events and when to look again. Computed by ``ReleaseDecision``.
public struct ReleaseReconciliation: Sendable, Equatable {
    /// One environment to switch to the release's target (its spec image, its addons when the release
    /// names them, and the change reference `release/<name>`). Idempotent: switching an environment
    /// that already names the target changes nothing.
    public struct Switch: Sendable, Equatable {
        /// Its namespace.
        public var namespace: String
        /// Its name.
        public var name: String
        /// The Odoo image, pinned by digest.
        public var image: String
        /// The addon images (`nil`: the environment keeps its own).
        public var addons: [OdooEnvironment.Addon]?
        /// The change reference written on it.
        public var changeReference: String
    }

    /// An Event on the release.
    public struct Event: Sendable, Equatable {
        /// CamelCase reason.
        public var reason: String
        /// The sentence.
        public var note: String
        /// Whether it is a Warning.
        public var warning: Bool
    }

    /// The environments to switch, in order.
    public var switches: [Switch] = []
    /// The release's new status.
    public var status = ReleaseStatus()
    /// The Events of the train's phase and cohort changes (the executor adds one per switch written).
    public var events: [Event] = []
    /// When to look again without a change (a soak ending, verification in progress).
    public var requeue: Duration?
}

/// Decides what one reconcile of an OdooRelease does: pure and deterministic, from one
/// ``ReleaseObservation``. The train visits the cohorts in order; a cohort starts when the previous
/// one is verified and soaked; within a cohort at most `maxConcurrent` environments switch or are
/// verified at once; failures beyond the cohort's `failureBudget` halt the train. Each environment
/// keeps its own gates: the release only writes the target into its spec.
public enum ReleaseDecision {
    /// How often a cohort in flight is looked at again (environment changes also wake the release).
    public static let inFlightRecheck: Duration = .seconds(30)
    /// The most environment entries the status lists (failures and unfinished ones first).
    public static let maximumListedEnvironments = 500

    /// The reconciliation of `observation`.
    public static func decide(_ observation: ReleaseObservation) -> ReleaseReconciliation {
        var result = ReleaseReconciliation()
        let release: OdooRelease
        switch observation.release {
        case .failure(let error):
            result.status.phase = .invalid
            result.status.message = ([error.message] + error.fieldErrors.map { "\($0.path): \($0.message)" }).joined(separator: "; ")
            result.events = events(from: observation.recorded, to: result.status)
            return result
        case .success(let decoded): release = decoded
        }
        result.status.observedGeneration = release.generation
        let members = observation.environments.sorted { $0.key < $1.key }
        let byCohort = Dictionary(grouping: members.compactMap { member in release.cohort(of: member.labels).map { (cohort: $0.name, member: member) } },
                                  by: \.cohort).mapValues { $0.map(\.member) }
        result.status.total = byCohort.values.reduce(0) { $0 + $1.count }
        result.status.done = byCohort.values.joined().filter { if case .verified = $0.progress { true } else { false } }.count
        result.status.failed = byCohort.values.joined().filter(\.progress.failed).count
        result.status.environments = listed(release, byCohort)
        if let conflict = conflict(release, byCohort.values.joined(), observation.others) {
            result.status.phase = .conflict
            result.status.message = conflict
            result.status.cohorts = release.cohorts.map { cohortStatus($0, byCohort[$0.name] ?? [], phase: .pending) }
            result.events = events(from: observation.recorded, to: result.status)
            return result
        }
        walk(release, byCohort, observation: observation, into: &result)
        // Each switch's Event is the executor's, once the write succeeded (a refused one is said instead).
        result.events = events(from: observation.recorded, to: result.status)
        return result
    }

    /// The cohorts in order: verified ones pass, the first unfinished one acts, the rest wait.
    static func walk(_ release: OdooRelease, _ byCohort: [String: [ReleaseObservation.Member]], observation: ReleaseObservation,
                     into result: inout ReleaseReconciliation) {
        var active: OdooRelease.Cohort?
        for cohort in release.cohorts {
            let members = byCohort[cohort.name] ?? []
            guard active == nil else {
                result.status.cohorts.append(cohortStatus(cohort, members, phase: .pending))
                continue
            }
            let failures = members.filter(\.progress.failed)
            if failures.count > cohort.failureBudget, let first = failures.first {
                result.status.cohorts.append(cohortStatus(cohort, members, phase: .halted))
                result.status.phase = .halted
                result.status.cohort = cohort.name
                result.status.message = "halted in cohort \(cohort.name): \(failures.count) failed, its budget is \(cohort.failureBudget); first: \(first.key): \(describe(first.progress))"
                active = cohort
                continue
            }
            let unfinished = members.filter { $0.progress == .pending || $0.progress.inFlight }
            if unfinished.isEmpty {
                let verifiedAt = members.compactMap { if case .verified(let at) = $0.progress { at } else { nil } }.max()
                let soakUntil = verifiedAt.map { $0.addingTimeInterval(Double(cohort.soakMinutes) * 60) }
                let last = cohort.name == release.cohorts.last?.name
                if !last, let soakUntil, soakUntil > observation.now {
                    var entry = cohortStatus(cohort, members, phase: .soaking)
                    entry.soakUntil = soakUntil
                    result.status.cohorts.append(entry)
                    result.status.phase = release.paused ? .paused : .progressing
                    result.status.cohort = cohort.name
                    result.status.message = "cohort \(cohort.name) is verified and soaks until \(Timestamp.format(soakUntil))"
                    result.requeue = .milliseconds(Int64(max(1, soakUntil.timeIntervalSince(observation.now)) * 1000))
                    active = cohort
                } else {
                    result.status.cohorts.append(cohortStatus(cohort, members, phase: .verified))
                }
                continue
            }
            active = cohort
            result.status.cohorts.append(cohortStatus(cohort, members, phase: .progressing))
            result.status.cohort = cohort.name
            result.status.phase = release.paused ? .paused : .progressing
            let inFlight = members.filter(\.progress.inFlight).count
            let waiting = members.filter { $0.progress == .pending }
            if !release.paused {
                for member in waiting.prefix(max(0, cohort.maxConcurrent - inFlight)) {
                    result.switches.append(.init(namespace: member.namespace, name: member.name, image: release.image, addons: release.addons,
                                                 changeReference: release.changeReference))
                }
            }
            let switching = inFlight + result.switches.count
            result.status.message = release.paused
                ? "paused in cohort \(cohort.name): \(waiting.count) environment\(waiting.count == 1 ? "" : "s") not switched; \(inFlight) still being verified"
                : "cohort \(cohort.name): \(switching) of \(members.count) switching or being verified (at most \(cohort.maxConcurrent) at once)"
            if switching > 0 { result.requeue = ReleaseDecision.inFlightRecheck }
        }
        if active == nil {
            result.status.phase = .succeeded
            result.status.message = "every cohort is verified: \(result.status.done) environment\(result.status.done == 1 ? "" : "s") run \(release.image)"
                + (result.status.failed > 0 ? " (\(result.status.failed) failed within budget)" : "")
        }
    }

    /// The first environment this release selects that an older active release also selects.
    static func conflict(_ release: OdooRelease, _ members: some Sequence<ReleaseObservation.Member>,
                         _ others: [ReleaseObservation.OtherRelease]) -> String? {
        let older = others.filter { other in
            guard other.active, other.release.name != release.name else { return false }
            switch (other.release.created, release.created) {
            case let (theirs?, ours?) where theirs != ours: return theirs < ours
            default: return other.release.name < release.name
            }
        }
        for member in members {
            if let holder = older.first(where: { $0.release.cohort(of: member.labels) != nil }) {
                return "environment \(member.key) belongs to release \(holder.release.name), which is older and still active; an environment follows one release at a time: finish, halt or delete \(holder.release.name), or narrow this release's selectors"
            }
        }
        return nil
    }

    static func cohortStatus(_ cohort: OdooRelease.Cohort, _ members: [ReleaseObservation.Member], phase: ReleaseStatus.Cohort.Phase) -> ReleaseStatus.Cohort {
        ReleaseStatus.Cohort(name: cohort.name, phase: phase, environments: members.count,
                             verified: members.filter { if case .verified = $0.progress { true } else { false } }.count,
                             failed: members.filter(\.progress.failed).count, soakUntil: nil)
    }

    /// The environment entries, in cohort order, bounded (failures and unfinished ones kept first).
    static func listed(_ release: OdooRelease, _ byCohort: [String: [ReleaseObservation.Member]]) -> [ReleaseStatus.Environment] {
        var entries: [(verified: Bool, entry: ReleaseStatus.Environment)] = []
        for cohort in release.cohorts {
            for member in byCohort[cohort.name] ?? [] {
                let (state, message) = stateAndMessage(member.progress)
                entries.append((state == "Verified", ReleaseStatus.Environment(environment: member.key, cohort: cohort.name, state: state, message: message)))
            }
        }
        guard entries.count > maximumListedEnvironments else { return entries.map(\.entry) }
        return Array((entries.filter { !$0.verified } + entries.filter(\.verified)).prefix(maximumListedEnvironments).map(\.entry))
    }

    static func stateAndMessage(_ progress: ReleaseProgress) -> (String, String?) {
        switch progress {
        case .pending: ("Pending", nil)
        case .switching(let waiting): ("Switching", waiting)
        case .verifying(let since): ("Verifying", "since \(Timestamp.format(since))")
        case .verified(let at): ("Verified", "at \(Timestamp.format(at))")
        case .failed: ("Failed", describe(progress))
        case .rolledBack(let message): ("RolledBack", message)
        }
    }

    static func describe(_ progress: ReleaseProgress) -> String {
        switch progress {
        case .failed(let reason, let message, let migrated, let restorePoint):
            let restore = migrated ? "; its database was migrated, so it was not rolled back: restore point \(restorePoint ?? "unknown (no pre-change backup recorded)")" : ""
            return "\(reason): \(message)\(restore)"
        case .rolledBack(let message): return "rolled back to its previous digests: \(message)"
        default: return stateAndMessage(progress).1 ?? stateAndMessage(progress).0
        }
    }

    /// Events for what changed since the recorded status: the phase, the active cohort.
    static func events(from recorded: ReleaseStatus, to status: ReleaseStatus) -> [ReleaseReconciliation.Event] {
        var events: [ReleaseReconciliation.Event] = []
        if status.cohort != recorded.cohort, let cohort = status.cohort, status.phase == .progressing || status.phase == .paused {
            events.append(.init(reason: "CohortStarted", note: "cohort \(cohort): \(status.message)", warning: false))
        }
        if status.phase != recorded.phase {
            switch status.phase {
            case .halted, .conflict, .invalid: events.append(.init(reason: status.phase.rawValue, note: status.message, warning: true))
            case .succeeded, .paused: events.append(.init(reason: status.phase.rawValue, note: status.message, warning: false))
            case .pending, .progressing: break
            }
        }
        return events
    }
}
