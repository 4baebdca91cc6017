import KubeModel

/// An OdooEnvironment's PostgreSQL connection budget as the operator records it in
/// `status.connectionBudget`: what one web pod, the cron pod and the Jobs may hold, the role's
/// limit (the worst case at the planned web pods) and the tier's cap. The webhook and `guardctl check`
/// judge autoscalers of the environment's Deployments with it.
public struct ConnectionBudgetRecord: Sendable, Equatable {
    /// The web Deployment's name.
    public var webDeployment: String
    /// The cron Deployment's name.
    public var cronDeployment: String
    /// The most web pods outside a rollout the plan allows (`spec.scaling.maxReplicas` or `spec.replicas`).
    public var maxWebReplicas: Int
    /// Connections one web pod may hold.
    public var perWebPod: Int
    /// Connections of the cron pod.
    public var cron: Int
    /// Connections of the Jobs beside the pods.
    public var jobs: Int
    /// Connections of the background job worker pod (0 without one).
    public var queue: Int
    /// The role's `CONNECTION LIMIT`: the worst case at ``maxWebReplicas`` and a rollout surge pod.
    public var limit: Int
    /// The tier's cap.
    public var tierLimit: Int

    /// A record.
    public init(webDeployment: String, cronDeployment: String, maxWebReplicas: Int, perWebPod: Int, cron: Int, jobs: Int, queue: Int = 0,
                limit: Int, tierLimit: Int) {
        self.webDeployment = webDeployment
        self.cronDeployment = cronDeployment
        self.maxWebReplicas = maxWebReplicas
        self.perWebPod = perWebPod
        self.cron = cron
        self.jobs = jobs
        self.queue = queue
        self.limit = limit
        self.tierLimit = tierLimit
    }

    /// The worst case with `replicas` web pods and a rollout surge pod (computed in 128 bits and
    /// clamped, so an absurd replica count cannot trap).
    public func worstCase(webReplicas replicas: Int64) -> Int64 {
        let total = (Int128(max(0, replicas)) + 1) * Int128(perWebPod) + Int128(cron) + Int128(jobs) + Int128(queue)
        return Int64(clamping: total)
    }

    /// How the worst case with `replicas` web pods is made: `(8 + 1 surge) web pods × 14 + cron 5 + jobs 5 = 136`
    /// (`+ queue worker 13` with a background job worker).
    public func arithmetic(webReplicas replicas: Int64) -> String {
        "(\(replicas) + 1 surge) web pods × \(perWebPod) + cron \(cron) + jobs \(jobs)\(queue > 0 ? " + queue worker \(queue)" : "") = \(worstCase(webReplicas: replicas))"
    }

    /// As recorded in `status.connectionBudget`.
    public var json: JSONValue {
        var object: JSONObject = ["cron": .int(Int64(cron)), "cronDeployment": .string(cronDeployment), "jobs": .int(Int64(jobs)), "limit": .int(Int64(limit)),
         "maxWebReplicas": .int(Int64(maxWebReplicas)), "perWebPod": .int(Int64(perWebPod)), "tierLimit": .int(Int64(tierLimit)),
         "webDeployment": .string(webDeployment)]
        if queue > 0 { object["queue"] = .int(Int64(queue)) }
        object.sort { $0.key < $1.key }
        return .object(object)
    }

    /// The record of an OdooEnvironment's status, `nil` when it has none or an unreadable one.
    public init?(status: JSONValue?) {
        guard let record = status?["connectionBudget"], let web = record["webDeployment"]?.stringValue, let cronName = record["cronDeployment"]?.stringValue
        else { return nil }
        let bound: (String) -> Int? = { key in record[key]?.intValue.flatMap { (0...1_000_000).contains($0) ? Int($0) : nil } }
        guard let maximum = bound("maxWebReplicas"), let perPod = bound("perWebPod"), let cron = bound("cron"), let jobs = bound("jobs"),
              let limit = bound("limit"), let tier = bound("tierLimit") else { return nil }
        let queue = record["queue"] == nil ? 0 : bound("queue")
        guard let queue else { return nil }
        self.init(webDeployment: web, cronDeployment: cronName, maxWebReplicas: maximum, perWebPod: perPod, cron: cron, jobs: jobs, queue: queue,
                  limit: limit, tierLimit: tier)
    }
}
