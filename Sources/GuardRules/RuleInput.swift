import KubeModel

/// What every rule reads: the object (after mutation), the request and the resolved policy settings.
///
/// A reference: a dozen rules read it per decision, and a struct of this size cost a retain and a
/// release per member on every copy.
final class RuleInput {
    let object: KubeObject
    /// What the rules read of the pod spec, gathered with its shape (`nil` for an object that is not
    /// governed or has no pod template).
    let pod: PodFacts?
    let oldObject: KubeObject?
    let request: AdmissionRequest
    /// The evaluator's policy, shared.
    let shared: SharedPolicy
    var policy: GuardPolicy { shared.policy }
    /// The stage that governs the object, `nil` when it is not governed.
    let stage: Stage?
    let tier: Tier
    let context: EvaluationContext

    let stagePolicy: StagePolicy
    let tierPolicy: TierPolicy
    /// The environment a workload belongs to: its `odooguard.io/environment` label (object or pod
    /// template), else `app.kubernetes.io/instance`.
    let environment: String?

    /// - Parameter pod: the pod facts of `object` when already gathered (by ``ShapeRules/check(_:)``);
    ///   read here otherwise, for a governed object.
    init(object: KubeObject, oldObject: KubeObject?, request: AdmissionRequest, policy: SharedPolicy, stage: Stage?,
         tier: Tier, context: EvaluationContext, pod: PodFacts? = nil) {
        self.object = object
        self.pod = pod ?? (stage == nil ? nil : ShapeRules.podFacts(object))
        self.oldObject = oldObject
        self.request = request
        shared = policy
        self.stage = stage
        self.tier = tier
        self.context = context
        // Read in place: `stage.map(policy.policy.stage)` bound the method to a copy of the whole policy.
        if let stage { stagePolicy = policy.policy.stage(stage) } else { stagePolicy = StagePolicy() }
        tierPolicy = policy.policy.tier(tier)
        let labels = object.raw["metadata"]?["labels"]
        let podLabels = PodTemplate.podLabelsValue(of: object) ?? labels
        environment = labels?[GuardLabels.environment]?.stringValue ?? podLabels?[GuardLabels.environment]?.stringValue
            ?? labels?[GuardLabels.instance]?.stringValue ?? podLabels?[GuardLabels.instance]?.stringValue
    }
}

/// A policy behind a reference, shared by an evaluator and every rule input it makes.
@usableFromInline final class SharedPolicy: Sendable {
    /// The policy.
    @usableFromInline let policy: GuardPolicy

    init(_ policy: GuardPolicy) { self.policy = policy }
}
