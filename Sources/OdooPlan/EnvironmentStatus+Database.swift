import KubeModel

/// `DatabaseReady`: the database step's answer (or the credentials Secret's presence), then where
/// the database's initialisation stands.
extension EnvironmentStatus {
    static func databaseCondition(_ environment: OdooEnvironment, _ facts: EnvironmentFacts, generation: Int64?) -> Condition {
        func condition(_ status: Condition.Status, _ reason: String, _ message: String) -> Condition {
            Condition(type: EnvironmentCondition.databaseReady, status: status, reason: reason, message: message, observedGeneration: generation)
        }
        let name = environment.database.name
        let reachable: Condition = facts.database.map { condition($0.ready ? .true : .false, $0.reason, $0.message) }
            ?? (facts.databaseSecretPresent
            ? condition(.true, "CredentialsReady", "database \(name); credentials in Secret \(environment.databaseSecretName)")
            : condition(.false, EnvironmentCondition.credentialsMissing, environment.database.externalSecret.map {
                "Secret \($0) named by spec.database.externalSecret does not exist in namespace \(environment.namespace); create it with keys host, port, username and password"
            } ?? "the database credentials Secret \(environment.name)-db is being created"))
        switch facts.initialization {
        case nil:
            return reachable
        case .initialized(let job, let time)?:
            guard reachable.status == .true else { return reachable }
            return condition(.true, EnvironmentCondition.initialized, "initialised by Job \(job) at \(Timestamp.format(time)); \(reachable.message)")
        case .failed(let job, let message)?:
            return condition(.false, EnvironmentCondition.initFailed,
                             "Job \(job) could not initialise database \(name), so web and cron stay stopped: \(message). Fix the cause, then delete Job \(job) to run it again (or change spec.image or spec.database.initModules)")
        case .pending(let job)?, .running(let job)?:
            guard reachable.status == .true else { return reachable }
            return condition(.false, EnvironmentCondition.initializing,
                             "Job \(job) installs \(environment.database.initModules.joined(separator: ", ")) into database \(name) (about a minute for base); web and cron start when it succeeds")
        }
    }
}
