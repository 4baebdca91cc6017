/// Capacity: what autoscaling and placement may ask of shared resources.
extension RuleID {
    /// An autoscaler (HorizontalPodAutoscaler or KEDA ScaledObject) of an OdooEnvironment's Deployment
    /// never scales web past the environment's connection budget, and never scales cron.
    public static let scalingConnectionBudget: RuleID = "scaling.connection-budget"

    /// The capacity rules.
    public static let capacityRules: [RuleID] = [.scalingConnectionBudget]
}
