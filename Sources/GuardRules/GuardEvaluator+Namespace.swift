import KubeModel

extension GuardEvaluator {
    /// A Namespace CREATE or UPDATE: the namespace guard. Judged from the request's own old and new
    /// labels (the cache may lag behind them); a namespace neither of whose versions has a stage is
    /// not governed.
    func evaluateNamespace(_ request: AdmissionRequest, original: JSONValue, phase: EvaluationPhase, context: EvaluationContext,
                           annotations base: [String: String]) -> Decision {
        let object = KubeObject(original)
        let old = request.oldObject.map { KubeObject($0).labels } ?? [:]
        let new = object.labels
        guard let named = new[GuardLabels.stage] ?? old[GuardLabels.stage] else {
            var annotations = base
            annotations["skipped"] = "namespace is not governed (no \(GuardLabels.stage) label)"
            return Decision(auditAnnotations: annotations)
        }
        var notes: [String] = []
        let stage = Stage(rawValue: named) ?? .production
        if stage.rawValue != named { notes.append("stage \"\(named)\" is not one of \(GuardPolicy.stages.joined(separator: ", ")); checked as production") }
        // No peers: a GuardException lives in the namespace it would free, so none may waive the guard;
        // only the policy's exemptions (a platform admin's) apply.
        let own = EvaluationContext(namespace: NamespaceContext(name: object.name, labels: new), now: context.now)
        let exempt = policyExemptions(object, request: request, context: own)
        var document = original
        var steps: [MutationStep] = []
        let labelsPath = FieldPath([.key("metadata"), .key("labels")])
        let missing = NamespaceRules.missingPodSecurityLabels(new, stage: stage, policy: policy)
        if !missing.isEmpty, mutationEnabled(.namespacePodSecurityLabels, stage: stage, exempt: exempt) {
            let before = document
            for (key, value) in missing.sorted(by: { $0.key < $1.key }) {
                document.set(.string(value), at: labelsPath / key)
            }
            steps.append(MutationStep(rule: .namespacePodSecurityLabels, before: before, after: document))
        }
        let admin = shared.policy.platformAdmins.includes(request.userInfo)
        // Judged as it will be stored: with the labels the mutation added.
        var findings = admin ? [] : NamespaceRules.check(NamespaceRules.Change(
            operation: request.operation, old: old, new: KubeObject(document).labels, policy: policy, stage: stage))
        if phase != .combined { findings += unappliedMutations(steps, strict: phase == .strict) }
        var annotations = base
        if admin { annotations["platform-admin"] = request.userInfo.username }
        return finish(findings: findings, request: request, object: object, stage: stage, context: own,
                      original: original, mutated: document, mutations: steps, notes: notes, annotations: annotations,
                      exemptRules: exempt, phase: phase)
    }
}
