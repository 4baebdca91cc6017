import KubeModel

/// `scaling.connection-budget`: a HorizontalPodAutoscaler or a KEDA ScaledObject that scales an
/// OdooEnvironment's Deployment.
///
/// Every web pod holds up to its workers' pools of PostgreSQL connections, and the environment's
/// role is limited to the worst case at the planned web pods plus a rollout surge (the operator
/// sets `CONNECTION LIMIT` to it and records the arithmetic in `status.connectionBudget`). An
/// autoscaler whose maximum goes past the plan would take processes past that limit (`too many
/// connections for role`: errors for users) or, on a shared server, past the tier's cap for every
/// tenant on it; the way to scale further is `spec.scaling`, which the operator checks against the
/// tier. Cron runs Odoo's scheduled jobs in exactly one pod: it is never scaled.
enum ScalingRules {
    /// What an autoscaler scales: its target's kind and name, its maximum and the maximum's path;
    /// `nil` for an object that is not an HPA or a KEDA ScaledObject, or that names no target.
    static func target(of object: KubeObject) -> (kind: String, name: String, maximum: Int64?, path: FieldPath, keda: Bool)? {
        let group = object.gvk.group
        switch (group, object.kind) {
        case ("autoscaling", "HorizontalPodAutoscaler"):
            let reference = object.raw["spec"]?["scaleTargetRef"]
            guard let name = reference?["name"]?.stringValue else { return nil }
            return (reference?["kind"]?.stringValue ?? "", name, object.raw["spec"]?["maxReplicas"]?.intValue, "spec.maxReplicas", false)
        case ("keda.sh", "ScaledObject"):
            let reference = object.raw["spec"]?["scaleTargetRef"]
            guard let name = reference?["name"]?.stringValue else { return nil }
            // KEDA's defaults: a Deployment, and up to 100 replicas when maxReplicaCount is absent.
            return (reference?["kind"]?.stringValue ?? "Deployment", name, object.raw["spec"]?["maxReplicaCount"]?.intValue ?? kedaDefaultMaximum,
                    "spec.maxReplicaCount", true)
        default:
            return nil
        }
    }

    /// KEDA's `maxReplicaCount` when a ScaledObject sets none.
    static let kedaDefaultMaximum: Int64 = 100

    static func check(_ input: RuleInput, into findings: inout [Finding]) {
        guard let target = target(of: input.object), target.kind == "Deployment" else { return }
        for environment in input.context.peers(ofKind: "OdooEnvironment") {
            let record = ConnectionBudgetRecord(status: environment.raw["status"])
            let names = record.map { ($0.webDeployment, $0.cronDeployment) } ?? ("\(environment.name)-web", "\(environment.name)-cron")
            let what = "\(input.object.kind) \(input.object.name)"
            if target.name == names.1 {
                findings.append(Finding(rule: .scalingConnectionBudget, path: "spec.scaleTargetRef.name", message:
                    "\(what) scales Deployment \(names.1), which runs OdooEnvironment \(environment.name)'s scheduled jobs in one pod: a second pod would run every job twice. Scale web with spec.scaling on the OdooEnvironment"))
                return
            }
            guard target.name == names.0 else { continue }
            let maximum = target.maximum ?? 1
            let planned = plannedMaximum(environment, record: record)
            guard maximum > Int64(planned) else { return }
            let defaulted = target.keda && input.object.raw["spec"]?["maxReplicaCount"] == nil ? " (maxReplicaCount is not set: KEDA's default is \(kedaDefaultMaximum))" : ""
            var message = "\(what) scales Deployment \(names.0) up to \(maximum) pods\(defaulted)"
            if let record {
                message += ", which needs up to \(record.worstCase(webReplicas: maximum)) PostgreSQL connections (\(record.arithmetic(webReplicas: maximum)));"
                    + " OdooEnvironment \(environment.name)'s role may hold \(record.limit) (\(planned) web pods planned) and its tier allows \(record.tierLimit)."
            } else {
                message += "; OdooEnvironment \(environment.name) plans at most \(planned) web pods and its connection budget is computed for them."
            }
            message += " Lower \(target.path.description) to \(planned), or raise spec.scaling.maxReplicas on the OdooEnvironment (the operator checks it against the tier's connection limit)"
            findings.append(Finding(rule: .scalingConnectionBudget, path: target.path, message: message))
            return
        }
    }

    /// The most web pods the environment plans: the larger of its spec's (`spec.scaling.maxReplicas`,
    /// else `spec.replicas`, default 1) and its record's, which lags a changed spec by one reconcile
    /// (so the operator's own autoscaler for a raised maximum is never refused).
    static func plannedMaximum(_ environment: KubeObject, record: ConnectionBudgetRecord?) -> Int {
        let spec = environment.raw["spec"]
        let fromSpec = (spec?["scaling"]?["maxReplicas"]?.intValue ?? spec?["replicas"]?.intValue).map { Int(clamping: $0) } ?? 1
        return max(fromSpec, record?.maxWebReplicas ?? 0)
    }
}
