import KubeModel

/// Web's HorizontalPodAutoscaler (`spec.scaling`).
extension PlanContext {
    /// The `autoscaling/v2` HorizontalPodAutoscaler of the web Deployment: `minimum` (the scaling's
    /// minimum, or an open floor's) to `spec.scaling.maxReplicas` on average CPU utilisation. Scaling
    /// in is gentle (one pod a minute after five calm minutes): an Odoo pod that goes takes its
    /// workers' requests with it, and a new one needs its registry loaded before it serves.
    func horizontalPodAutoscaler(_ scaling: Scaling, minimum: Int) -> JSONValue {
        object(.horizontalPodAutoscalers, names.deployment(.web), component: .web, ["spec": [
            "behavior": [
                "scaleDown": ["policies": [["periodSeconds": 60, "type": "Pods", "value": 1]], "stabilizationWindowSeconds": 300],
            ],
            "maxReplicas": .int(Int64(scaling.maxReplicas)),
            "metrics": [[
                "resource": ["name": "cpu", "target": ["averageUtilization": .int(Int64(scaling.cpuUtilization)), "type": "Utilization"]],
                "type": "Resource",
            ]],
            "minReplicas": .int(Int64(minimum)),
            "scaleTargetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": .string(names.deployment(.web))],
        ]])
    }
}
