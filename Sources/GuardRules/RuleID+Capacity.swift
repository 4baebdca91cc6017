/// Capacity: what autoscaling and placement may ask of shared resources.
extension RuleID {
    /// An autoscaler (HorizontalPodAutoscaler or KEDA ScaledObject) of an OdooEnvironment's Deployment
    /// never scales web past the environment's connection budget, and never scales cron.
    public static let scalingConnectionBudget: RuleID = "scaling.connection-budget"

    /// A pod of a governed namespace tolerates no taint and selects no node pool its tier and stage
    /// may not use (`spec.placement` of the GuardPolicy), and no taint the platform reserves.
    public static let placementNodePool: RuleID = "placement.node-pool"

    /// The capacity rules.
    public static let capacityRules: [RuleID] = [.scalingConnectionBudget, .placementNodePool]
}
