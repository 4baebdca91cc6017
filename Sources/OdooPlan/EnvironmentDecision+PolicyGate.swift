import GuardRules
import KubeModel

extension EnvironmentDecision {
    /// The policy gate over `desired` (``PolicyGate``): the denials, and the ``PolicyGate/Judgement``
    /// of the plan when it passed. A plan judged exactly as the one the gate passed at the last
    /// reconcile (``EnvironmentObservation/passedGate``) passes without being evaluated again.
    /// `serialized` are the bytes of `desired.objects`, keys in byte order. No policy: no denial and
    /// no judgement.
    static func policyGate(_ desired: DesiredState, serialized: [[UInt8]], _ environment: OdooEnvironment,
                           _ observation: EnvironmentObservation) -> (denials: [String], passed: PolicyGate.Judgement?) {
        guard let policy = observation.policy else { return ([], nil) }
        let labels = PlanContext.governanceLabels(environment, podSecurity: policy.podSecurity)
        // What the gate judges is `printable`: the objects (already serialized), then the init Job and Secrets.
        let beside = desired.printedBesideObjects
        let printable = desired.objects + beside
        let bytes = serialized + beside.map { $0.serializedBytes(.sortedKeys) }
        let judgement = PolicyGate.Judgement(policyVersion: policy.version, namespace: environment.namespace, labels: labels,
                                             objects: zip(printable, bytes).map { (kind: KubeObject($0).kind, serialized: $1) })
        if let judgement, judgement == observation.passedGate { return ([], judgement) }
        let denials = PolicyGate(policy: policy).denials(of: printable, namespace: environment.namespace, labels: labels, now: observation.now)
        return (denials, denials.isEmpty ? judgement : nil)
    }
}
