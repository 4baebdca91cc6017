import KubeModel

/// A rule finding before the policy assigns its mode.
struct Finding: Sendable, Equatable {
    var rule: RuleID
    var path: FieldPath
    var message: String
}

/// What every rule reads: the object (after mutation), the request and the resolved policy settings.
struct RuleInput {
    let object: KubeObject
    let oldObject: KubeObject?
    let request: AdmissionRequest
    let policy: GuardPolicy
    /// The stage that governs the object, `nil` when it is not governed.
    let stage: String?
    let tier: String
    let context: EvaluationContext

    var stagePolicy: StagePolicy { policy.stage(stage ?? "") }
    var tierPolicy: TierPolicy { policy.tier(tier) }

    /// The environment a workload belongs to: its `odooguard.io/environment` label (object or pod
    /// template), else `app.kubernetes.io/instance`.
    var environment: String? {
        let labels = object.labels
        let podLabels = object.podTemplate?.podLabels ?? [:]
        return labels[GuardLabels.environment] ?? podLabels[GuardLabels.environment]
            ?? labels[GuardLabels.instance] ?? podLabels[GuardLabels.instance]
    }
}
