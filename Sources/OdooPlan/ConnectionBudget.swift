import GuardRules

/// The most PostgreSQL connections an environment can hold at once, from Odoo's process model and
/// its per-process pool limits (`db_maxconn`, `db_maxconn_gevent`): every web pod during a rollout
/// surge (at `spec.scaling.maxReplicas` under an autoscaler), the cron pod, the Jobs that run beside
/// them and the background job worker (`spec.jobs`). The role's `CONNECTION LIMIT` is this total, and
/// it must fit the tier's cap.
///
/// Odoo pools connections per process and never holds more than the pool's limit; a process over
/// the role's limit gets `too many connections for role` and the user a 500, so the worst case, not
/// the average, is what has to fit. Connections to the `postgres` database (the cron and bus
/// listeners) count too: `CONNECTION LIMIT` is per role.
public struct ConnectionBudget: Sendable, Equatable {
    /// Web pods at once: the replicas (the autoscaler's maximum under `spec.scaling`) and one rollout surge pod.
    public var webPods: Int
    /// Whether web autoscales (the pods are counted at `spec.scaling.maxReplicas`).
    public var autoscaled: Bool
    /// Connections one web pod may hold: (HTTP workers + the main process) × `db_maxconn`, plus the
    /// gevent process's `db_maxconn_gevent`; a threaded server (`workers = 0`) is one process.
    public var perWebPod: Int
    /// The cron pod: a connection per cron thread, its `LISTEN` connection on `postgres`, and one for the registry.
    public var cron: Int
    /// Jobs beside the pods: an upgrade (one Odoo process), a backup (`pg_dump`) and a restore rehearsal.
    public var jobs: Int
    /// The background job worker pod (`spec.jobs`): its HTTP workers and main process at `db_maxconn`,
    /// its gevent process, and the job runner's own `LISTEN` connection; 0 without one.
    public var queue: Int

    /// Cron threads of the cron pod (its `--max-cron-threads`).
    public static let cronThreads = 2

    /// The budget of `environment` with the pool limits of `conf`.
    public init(environment: OdooEnvironment, conf: OdooConfFile) {
        webPods = environment.maximumReplicas == 0 ? 0 : environment.maximumReplicas + 1
        autoscaled = environment.scaling != nil
        perWebPod = conf.workers == 0
            ? conf.connectionsPerProcess
            : (conf.workers + 1) * conf.connectionsPerProcess + conf.connectionsGevent
        cron = ConnectionBudget.cronConnections
        jobs = conf.connectionsPerProcess + (environment.backup == nil ? 0 : 1 + 2)
        queue = environment.jobs.map { ($0.workers + 1) * conf.connectionsPerProcess + conf.connectionsGevent + 1 } ?? 0
    }

    /// The cron pod's pool limit (`--db_maxconn` of its process).
    public static let cronConnections = 2 * cronThreads + 1

    /// The worst case.
    public var total: Int { webPods * perWebPod + cron + jobs + queue }

    /// How the total is made, for a message: `4 web pods (replicas and a rollout surge) × 14 + cron 5 + jobs 5 = 66`.
    public var arithmetic: String {
        let pods = autoscaled ? "maxReplicas and a rollout surge" : "replicas and a rollout surge"
        let worker = queue > 0 ? " + queue worker \(queue)" : ""
        return "\(webPods) web pod\(webPods == 1 ? "" : "s") (\(pods)) × \(perWebPod) + cron \(cron) + jobs \(jobs)\(worker) = \(total)"
    }

    /// The most web replicas (before the surge pod) that fit `cap` with the rest unchanged, `0` when none does.
    public func replicasFitting(_ cap: Int) -> Int {
        guard perWebPod > 0 else { return Int(Scaling.replicaRange.upperBound) }
        return max(0, (cap - cron - jobs - queue) / perWebPod - 1)
    }

    /// The record the operator keeps in `status.connectionBudget` for the environment's Deployments
    /// `names` under a tier cap of `tierLimit`.
    public func record(names: ChildNames, tierLimit: Int) -> ConnectionBudgetRecord {
        ConnectionBudgetRecord(webDeployment: names.deployment(.web), cronDeployment: names.deployment(.cron), maxWebReplicas: max(0, webPods - 1),
                               perWebPod: perWebPod, cron: cron, jobs: jobs, queue: queue, limit: total, tierLimit: tierLimit)
    }
}
