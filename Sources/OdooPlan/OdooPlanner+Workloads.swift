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
            let workloads = observation.workloads
            let webAvailable = (workloads.web?.availableReplicas ?? 0) > 0
            let running = [workloads.web, workloads.cron, workloads.queue].reduce(0) { $0 + max(0, $1?.availableReplicas ?? 0) }
            let pods = SleepStatus.Pods(webAvailable: webAvailable, pageAvailable: (workloads.sleepingPage?.availableReplicas ?? 0) > 0,
                                        running: Int(clamping: running))
            context.sleep = SleepStatus.next(schedule, wakeUntil: environment.wakeUntil, now: observation.now, previous: observation.recorded.sleep, pods: pods)
            switch context.sleep?.state {
            case .fallingAsleep?:
                // Web keeps serving, and the routes stay on it, until the page answers; a web that
                // serves nobody stops at once.
                context.fallingAsleep = webAvailable
                if !webAvailable { context.workloadsRun = false }
            case .sleeping?:
                context.workloadsRun = false
            default:
                break
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
