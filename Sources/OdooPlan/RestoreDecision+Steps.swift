import Foundation
import KubeModel

/// Walking an OdooRestore's steps: each starts once, finishes from what its Job or the target's
/// workloads show, and the next begins; a failure before the stop is a refusal, after it a failure
/// that leaves web and cron stopped.
extension RestoreDecision {
    func advance(_ restore: OdooRestore, target: OdooEnvironment, observation: RestoreObservation, status: RestoreStatus) -> RestoreReconciliation {
        var status = status
        let now = observation.now
        let source = try? observation.source?.get()
        let order = steps(restore, target: target, source: source)
        // The first step not finished, in order.
        guard let step = order.first(where: { status.record($0)?.finished == nil }) else {
            status.phase = .succeeded
            status.message = "\(target.name) runs on the data of \(status.source ?? "the backup")" + (status.masked ? ", masked" : "")
            return RestoreReconciliation(status: status)
        }
        status.phase = .running
        status.step = step
        if status.record(step) == nil {
            status.steps.append(RestoreStatus.StepRecord(step: step, started: now, message: "started"))
        }
        switch step {
        case .stop:
            guard target.restoring == restore.name else {
                status.message = "stopping web and cron of \(target.name)"
                return RestoreReconciliation(status: status, annotation: .set(restore.name), requeue: .seconds(5))
            }
            guard observation.targetPods.desired == 0 && observation.targetPods.running == 0 else {
                status.message = "waiting for web and cron of \(target.name) to stop (\(observation.targetPods.running) pods left)"
                return RestoreReconciliation(status: status, requeue: .seconds(5))
            }
            return finish(step, "web and cron stopped", restore, target: target, observation: observation, status: status)
        case .start:
            guard target.restoring == nil else {
                status.message = "starting web and cron of \(target.name)"
                let record = RestoreRecord(restore: restore.name, mode: restore.mode, source: status.source ?? "", finished: now, masked: status.masked)
                var released = target.recoveredCluster
                released?.previous = nil
                return RestoreReconciliation(status: status, annotation: .finish(record, cluster: target.recoveredCluster?.previous == nil ? nil : released),
                                             requeue: .seconds(5))
            }
            return finish(step, "web and cron started", restore, target: target, observation: observation, status: status)
        case .verify, .restore, .upgrade, .neutralize, .mask:
            if let time = restore.source.targetTime, step == .verify || step == .restore {
                return recover(step, to: time, restore, target: target, observation: observation, status: status)
            }
            return runJob(step, restore, target: target, source: source, observation: observation, status: status)
        }
    }

    /// A point-in-time restore's verify (the window was checked before anything stopped) and restore
    /// (the database pointed at a new Cluster that CloudNativePG recovers from the WAL archive, then
    /// waited for until it serves; six hours at most).
    private func recover(_ step: RestoreStatus.Step, to time: Date, _ restore: OdooRestore, target: OdooEnvironment,
                         observation: RestoreObservation, status: RestoreStatus) -> RestoreReconciliation {
        var status = status
        if step == .verify {
            let window = observation.recoveryWindow.map { "from \(Timestamp.format($0.first)) to now" } ?? "the archive"
            return finish(step, "the WAL archive holds \(Timestamp.format(time)) (\(window))", restore, target: target, observation: observation, status: status)
        }
        let name = RestoreDecision.recoveredClusterName(restore, target)
        guard let current = target.recoveredCluster, current.cluster == name else {
            status.message = "creating Cluster \(name), recovered from the WAL archive of \(target.clusterName) to \(Timestamp.format(time))"
            let cluster = RecoveredCluster(cluster: name, origin: target.clusterName, targetTime: time, previous: target.clusterName)
            return RestoreReconciliation(status: status, annotation: .recover(cluster), requeue: .seconds(10))
        }
        guard let health = observation.recoveredCluster, health.ready else {
            let started = status.record(.restore)?.started ?? observation.now
            let phase = observation.recoveredCluster?.check.message ?? "CloudNativePG has not created Cluster \(name) yet"
            if observation.now.timeIntervalSince(started) > 6 * 3600 {
                return RestoreReconciliation(status: failed(status, "Cluster \(name) did not recover within six hours: \(phase). Web and cron stay stopped; the replaced Cluster \(current.previous ?? "") is kept. Apply a new OdooRestore (another time), or remove the \(GuardLabels.restoring) and \(GuardLabels.databaseCluster) annotations of \(target.name) to go back to it", now: observation.now))
            }
            status.message = "CloudNativePG recovers Cluster \(name) to \(Timestamp.format(time)): \(phase)"
            return RestoreReconciliation(status: status, requeue: .seconds(15))
        }
        return finish(step, "Cluster \(name) recovered to \(Timestamp.format(time)): \(health.check.message)", restore, target: target, observation: observation, status: status)
    }

    private func runJob(_ step: RestoreStatus.Step, _ restore: OdooRestore, target: OdooEnvironment, source: OdooEnvironment?,
                        observation: RestoreObservation, status: RestoreStatus) -> RestoreReconciliation {
        var status = status
        let name = RestoreDecision.jobName(restore, step)
        switch observation.jobs[name]?.phase {
        case nil:
            do {
                let job = try planner.restoreJob(step, name: name, restore: restore, target: target, source: source, masking: observation.masking,
                                                   placement: observation.placement)
                status.message = "\(step.rawValue): Job \(name) started"
                return RestoreReconciliation(status: status, job: job, requeue: .seconds(10))
            } catch {
                let reason = "\(step.rawValue) cannot be planned: \(error.message)"
                return RestoreReconciliation(status: status.stopped ? failed(status, reason, now: observation.now) : refused(status, reason))
            }
        case .running?:
            status.message = "\(step.rawValue): Job \(name) runs"
            return RestoreReconciliation(status: status, requeue: .seconds(10))
        case .failed?:
            let cause = observation.jobs[name]?.message ?? "the Job failed"
            if step == .verify {
                return RestoreReconciliation(status: refused(status, "the backup cannot be used, so nothing was stopped: \(cause)"))
            }
            return RestoreReconciliation(status: failed(status, "\(step.rawValue) failed (Job \(name)): \(cause). Web and cron stay stopped; apply a new OdooRestore (another backup), or remove the \(GuardLabels.restoring) annotation of \(target.name) to start it on the data it has", now: observation.now))
        case .succeeded?:
            var next = status
            if step == .mask { next.masked = true }
            return finish(step, "Job \(name) succeeded", restore, target: target, observation: observation, status: next)
        }
    }

    private func finish(_ step: RestoreStatus.Step, _ message: String, _ restore: OdooRestore, target: OdooEnvironment,
                        observation: RestoreObservation, status: RestoreStatus) -> RestoreReconciliation {
        var status = status
        if let index = status.steps.firstIndex(where: { $0.step == step }) {
            status.steps[index].finished = observation.now
            status.steps[index].message = message
        }
        var target = target
        if step == .stop { target.restoring = restore.name }
        if step == .start { target.restoring = nil }
        // The next step begins in the same reconcile.
        return advance(restore, target: target, observation: observation, status: status)
    }

    /// The Job of `step` of `restore`: fixed per restore and step, so a restarted operator finds it.
    public static func jobName(_ restore: OdooRestore, _ step: RestoreStatus.Step) -> String {
        let suffix = "-" + step.rawValue.lowercased()
        let base = restore.name.count + suffix.count > 63 ? String(restore.name.prefix(63 - suffix.count - 7)) + "-" + String(StableHash.hex(StableHash.fnv1a(restore.name.utf8)).prefix(6)) : restore.name
        return base + suffix
    }

    func refused(_ status: RestoreStatus, _ reason: String) -> RestoreStatus {
        var status = status
        status.phase = .refused
        status.message = reason
        return status
    }

    func failed(_ status: RestoreStatus, _ reason: String, now: Date) -> RestoreStatus {
        var status = status
        status.phase = .failed
        status.message = reason
        if let step = status.step, let index = status.steps.firstIndex(where: { $0.step == step }) {
            status.steps[index].finished = now
            status.steps[index].message = reason
        }
        return status
    }
}
