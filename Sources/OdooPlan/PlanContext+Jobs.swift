import KubeModel

/// The background job worker (`spec.jobs`): Odoo with OCA's `queue_job` loaded server-wide, so its
/// job runner dispatches jobs to this pod's own HTTP workers, never to web's.
extension PlanContext {
    /// The variable `queue_job` reads its channels from.
    static let channelsVariable = "ODOO_QUEUE_JOB_CHANNELS"
    /// The runner's setting in web and cron pods: a root capacity of 0 never starts a runner.
    static let runnerDisabled = "root:0"

    /// What web and cron add to their environment when the environment runs background jobs: the
    /// runner disabled, should `queue_job` ever be loaded server-wide there.
    var queueRunnerDisabled: [JSONValue] {
        environment.jobs == nil ? [] : [["name": .string(PlanContext.channelsVariable), "value": .string(PlanContext.runnerDisabled)]]
    }

    /// The worker Deployment: one pod (one runner per database), replaced rather than rolled (Recreate),
    /// its workers at the conf's pool limits, the runner pointed at the pod's own HTTP port.
    func queueDeployment(_ jobs: QueueJobs) -> JSONValue {
        let modules = (conf.serverWideModules + [QueueJobs.module]).joined(separator: ",")
        let odoo: JSONObject = [
            "args": [.string("--config=\(PlanContext.confMount)/odoo.conf"), .string("--workers=\(jobs.workers)"), "--max-cron-threads=0",
                     .string("--load=\(modules)")],
            "env": .array(credentialEnvironment() + [
                ["name": .string(PlanContext.channelsVariable), "value": .string(jobs.channels)],
                ["name": "ODOO_QUEUE_JOB_HOST", "value": "127.0.0.1"],
                ["name": "ODOO_QUEUE_JOB_PORT", "value": "8069"],
            ]),
            "image": .string(image),
            "livenessProbe": PlanContext.healthProbe(period: 20, failures: 6),
            "name": .string(PlanContext.odooContainer),
            "ports": [["containerPort": 8069, "name": "http", "protocol": "TCP"]],
            "resources": containerResources(),
            "securityContext": PlanContext.containerSecurity,
            "startupProbe": PlanContext.healthProbe(period: 10, failures: 60),
            "volumeMounts": volumeMounts(),
        ]
        return deployment(component: .queue, replicas: workloadsRun ? 1 : 0, strategy: ["type": "Recreate"], container: odoo, extra: [:],
                          requiredModules: [QueueJobs.module])
    }
}
