import KubeModel

/// What every rule reads: the object (after mutation), the request and the resolved policy settings.
struct RuleInput {
    let object: KubeObject
    /// The object's pod template, read once for all rules.
    let template: PodTemplate?
    let oldObject: KubeObject?
    let request: AdmissionRequest
    let policy: GuardPolicy
    /// The stage that governs the object, `nil` when it is not governed.
    let stage: Stage?
    let tier: Tier
    let context: EvaluationContext

    let stagePolicy: StagePolicy
    let tierPolicy: TierPolicy
    /// The environment a workload belongs to: its `odooguard.io/environment` label (object or pod
    /// template), else `app.kubernetes.io/instance`.
    let environment: String?

    init(object: KubeObject, oldObject: KubeObject?, request: AdmissionRequest, policy: GuardPolicy, stage: Stage?,
         tier: Tier, context: EvaluationContext) {
        self.object = object
        self.template = object.podTemplate
        self.oldObject = oldObject
        self.request = request
        self.policy = policy
        self.stage = stage
        self.tier = tier
        self.context = context
        stagePolicy = stage.map(policy.stage) ?? StagePolicy()
        tierPolicy = policy.tier(tier)
        let labels = object.raw["metadata"]?["labels"]
        let podLabels = template?.metadataPath.flatMap { object.raw[path: $0 / "labels"] } ?? labels
        environment = labels?[GuardLabels.environment]?.stringValue ?? podLabels?[GuardLabels.environment]?.stringValue
            ?? labels?[GuardLabels.instance]?.stringValue ?? podLabels?[GuardLabels.instance]?.stringValue
    }
}
