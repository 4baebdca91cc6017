import GuardRules
import KubeModel

extension OdooPlanner {
    /// Whether web, cron and the background job worker run, and who sets web's count: not before the
    /// database is initialised (pods an older operator started keep running), not asleep (once the
    /// sleeping page serves), not while a restore replaces the data; the autoscaler within its bounds
    /// (a floor's minimum while one is open) when they run under `spec.scaling`, else the spec's count.
    /// - Returns: warnings about the schedule and the restore.
    static func scheduleWorkloads(_ context: inout PlanContext, _ environment: OdooEnvironment, observation: EnvironmentObservation,
                                  facts: EnvironmentFacts) -> [String] {
        var warnings: [String] = []
        let minimum = environment.scaling?.minimum(at: observation.now)
        switch facts.initialization {
        case .initialized(let job, _)?:
            context.initializedBy = job
        case nil:
            break
        case .pending?, .running?, .failed?:
            // Pods that run already (an environment older than its init record) keep running; new
            // ones wait for the init Job.
            context.workloadsRun = (observation.workloads.web?.replicas ?? 0) > 0
        }
        if let schedule = environment.sleepSchedule {
            let webAvailable = (observation.workloads.web?.availableReplicas ?? 0) > 0
            context.sleep = SleepStatus.next(schedule, wakeUntil: environment.wakeUntil, now: observation.now, previous: observation.recorded.sleep,
                                             webAvailable: webAvailable, pods: (minimum?.replicas ?? environment.replicas) + 1 + (environment.jobs == nil ? 0 : 1))
            if context.sleep?.state == .sleeping {
                let pageAvailable = (observation.workloads.sleepingPage?.availableReplicas ?? 0) > 0
                context.fallingAsleep = webAvailable && !pageAvailable
                if !context.fallingAsleep { context.workloadsRun = false }
            }
        } else if environment.wakeUntil != nil {
            warnings.append("the \(GuardLabels.wakeUntil) annotation has no effect: the environment has no spec.schedule, so it never sleeps")
        }

        if let restore = environment.restoring {
            context.workloadsRun = false
            warnings.append("web and cron are stopped while OdooRestore \(restore) replaces the environment's data")
        }

        context.scalingMinimum = minimum
        if context.workloadsRun, let scaling = environment.scaling, let minimum {
            context.webReplicas = .autoscaled(minimum: minimum.replicas, maximum: scaling.maxReplicas)
        } else {
            context.webReplicas = .fixed(context.workloadsRun ? environment.replicas : 0)
        }
        return warnings
    }
}
