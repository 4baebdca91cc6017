import KubeModel

extension EnvironmentStatus {
    /// The conditions of an environment that sleeps or wakes: `Ready` is false with reason `Sleeping`
    /// or `Waking` (users cannot work, whatever the pods say), and a sleep is not progress; a failure
    /// keeps `Degraded` and the other conditions as they were computed.
    static func asleep(_ conditions: [Condition], _ sleep: SleepStatus, _ environment: OdooEnvironment, generation: Int64?) -> [Condition] {
        let degraded = conditions.contains { $0.type == EnvironmentCondition.degraded && $0.status == .true }
        return conditions.map { condition in
            switch condition.type {
            case EnvironmentCondition.ready where sleep.state == .fallingAsleep:
                // Users may still work: the computed status stands, with what is happening.
                return Condition(type: condition.type, status: condition.status, reason: condition.reason,
                                 message: condition.message + "; " + sleep.message(environment), observedGeneration: generation)
            case EnvironmentCondition.ready:
                // Waking names what it waits for (the rollout, a database that is not ready).
                let waiting = sleep.state == .waking && condition.status != .true ? "; " + condition.message : ""
                return Condition(type: condition.type, status: .false, reason: sleep.state.rawValue, message: sleep.message(environment) + waiting,
                                 observedGeneration: generation)
            case EnvironmentCondition.progressing where sleep.state == .sleeping && !degraded && condition.reason != "RollingOut":
                return Condition(type: condition.type, status: .false, reason: sleep.state.rawValue,
                                 message: "web and cron are scaled to 0 until the environment wakes", observedGeneration: generation)
            default:
                return condition
            }
        }
    }
}
