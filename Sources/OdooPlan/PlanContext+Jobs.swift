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
        let probe: (Int64, Int64) -> JSONValue = { period, failures in
            ["failureThreshold": .int(failures), "httpGet": ["path": "/web/health", "port": "http"], "periodSeconds": .int(period), "timeoutSeconds": 5]
        }
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
            "livenessProbe": probe(20, 6),
            "name": .string(PlanContext.odooContainer),
            "ports": [["containerPort": 8069, "name": "http", "protocol": "TCP"]],
            "resources": containerResources(),
            "securityContext": PlanContext.containerSecurity,
            "startupProbe": probe(10, 60),
            "volumeMounts": volumeMounts(),
        ]
        var podSpec = odooPodSpec(container: odoo, image: image, requiredModules: [QueueJobs.module])
        podSpec.sort { $0.key < $1.key }
        return object(.deployments, names.deployment(.queue), component: .queue, ["spec": [
            "replicas": .int(workloadsRun ? 1 : 0),
            "revisionHistoryLimit": 5,
            "selector": ["matchLabels": PlanContext.map(environment.selector(component: .queue))],
            "strategy": ["type": "Recreate"],
            "template": [
                "metadata": ["annotations": templateAnnotations(), "labels": PlanContext.map(environment.labels(component: .queue))],
                "spec": .object(podSpec),
            ],
        ]])
    }
}
