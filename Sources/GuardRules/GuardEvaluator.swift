import Foundation
import KubeModel

/// The single evaluation entry point shared by the webhook, `guardctl check` and the tests:
/// (request: object, old object, operation, user) × (namespace context, peers, clock) × policy → ``Decision``.
///
/// Pure and deterministic: the same inputs give the same decision. Mutations run first, as in the
/// API server (mutating before validating webhooks); the rules then judge the mutated object, and the
/// patch is the diff from the raw original to the mutated document, so unknown fields survive.
public struct GuardEvaluator: Sendable {
    /// The policy every decision applies (inlinable, so a caller reading one of its members reads
    /// that member, not a copy of the whole policy).
    @inlinable public var policy: GuardPolicy { shared.policy }
    /// The policy behind one reference, which every rule input points at: copying the policy into
    /// each input retained and released every one of its members. The evaluator's own code reads
    /// `shared.policy` (a stored constant, borrowed in place): a method called through the computed
    /// ``policy`` ran on a copy of the whole policy, once per finding in `finish`.
    @usableFromInline let shared: SharedPolicy

    /// An evaluator for a policy.
    public init(policy: GuardPolicy) { shared = SharedPolicy(policy) }

    /// The kinds whose judgement reads the request's time (``EvaluationContext/now``): GuardExceptions
    /// and ChangeApprovals expire, and an exception among the peers exempts others only while it is
    /// active. A request whose object and peers are none of these is decided the same at any time.
    public static let timeDependentKinds: Set<String> = [GuardException.kind, ApprovalRules.kind]

    /// Evaluates one admission request.
    /// - Parameter phase: ``EvaluationPhase/combined`` (offline checks and the mutating webhook) judges the
    ///   object as mutated; ``EvaluationPhase/validating`` (the validating webhook) also reports every
    ///   mutation the object still lacks, since what it admits is stored as it is.
    public func evaluate(_ request: AdmissionRequest, context: EvaluationContext, phase: EvaluationPhase = .combined) -> Decision {
        // Room for every annotation a decision writes, so the map is allocated once.
        var base: [String: String] = Dictionary(minimumCapacity: 8)
        base["policy-version"] = shared.policy.version
        guard request.operation == .create || request.operation == .update else {
            base["skipped"] = "operation \(request.operation.rawValue) is not checked"
            return Decision(auditAnnotations: base)
        }
        if let subResource = request.subResource {
            guard subResource == "ephemeralcontainers", request.kind.kind == "Pod", let object = request.object, case .object = object else {
                base["skipped"] = "subresource \(subResource) is not checked"
                return Decision(auditAnnotations: base)
            }
            return evaluateEphemeralContainers(request, object: object, context: context, phase: phase, annotations: base)
        }
        guard let original = request.object, case .object = original else {
            return malformed(request, context: context, annotations: base)
        }
        let object = KubeObject(original)
        if object.kind == "Namespace" && object.apiVersion == "v1" {
            return evaluateNamespace(request, original: original, phase: phase, context: context, annotations: base)
        }
        var notes: [String] = []
        let stage = resolveStage(object, context: context, notes: &notes)
        let tier = resolveTier(object, context: context)
        let exemptRules = policyExemptions(object, request: request, context: context)
        // Rules read leniently, so a governed object's shape is judged first: a value of the wrong type
        // where a rule looks is a finding, not a skipped rule, and a list beyond its budget stops the
        // evaluation before any rule or mutation does work proportional to it.
        let shape = stage == nil ? ShapeRules.Outcome() : ShapeRules.check(object)
        if shape.overBudget {
            return finish(findings: shape.findings, request: request, object: object, stage: stage, context: context,
                          original: original, mutated: original, mutations: [], notes: notes, annotations: base,
                          exemptRules: exemptRules, phase: phase)
        }

        // Mutate.
        var document = original
        var findings = shape.findings
        var steps: [MutationStep] = []
        func input(_ value: JSONValue, pod: PodFacts? = nil) -> RuleInput {
            RuleInput(object: KubeObject(value), oldObject: request.oldObject.map(KubeObject.init), request: request,
                      policy: shared, stage: stage, tier: tier, context: context, pod: pod)
        }
        // The facts gathered with the shape follow the document through the mutations that edit
        // both; after any other change they are gathered again.
        var pod = shape.pod
        var current = input(document, pod: pod)
        for rule in Self.mutationOrder where mutationEnabled(rule, stage: stage, exempt: exemptRules) {
            let before = document
            var changed = false
            switch rule {
            case .imageDigestResolve:
                changed = ProvenanceRules.resolveDigests(current, to: &document, findings: &findings)
                if changed { pod = nil }
            case .resourcesDefaults:
                if let pod { changed = ResourceDefaults.apply(current, to: &document, pod: pod) }
            case .approvalApproverStamp:
                changed = ApprovalRules.stamp(current, to: &document)
            case .expiryStamp:
                changed = Expiry.stamp(current, to: &document)
            default:
                if let pod { changed = SecretInjection.apply(current, to: &document, pod: pod, findings: &findings) }
            }
            guard changed else { continue }
            steps.append(MutationStep(rule: rule, before: before, after: document))
            current = input(document, pod: pod)
            pod = current.pod
        }

        // Validate the mutated object.
        let mutated = current
        if let problem = mutated.object.replicasProblem {
            findings.append(Finding(rule: .objectWellFormed, path: "spec.replicas", message: problem))
        }
        ImageRules.check(mutated, into: &findings)
        ProvenanceRules.checkSignatures(mutated, into: &findings)
        ResourceRules.check(mutated, into: &findings)
        SecretRules.check(mutated, into: &findings)
        PDBRules.check(mutated, into: &findings)
        ScalingRules.check(mutated, into: &findings)
        PlacementRules.check(mutated, into: &findings)
        OdooRules.check(mutated, into: &findings)
        OwnResourceRules.check(mutated, into: &findings)
        RestoreRules.check(mutated, into: &findings)
        PodSecurityRules.check(mutated, into: &findings)
        ApprovalRules.check(mutated, into: &findings)
        base.merge(PromotionRules.check(mutated, into: &findings)) { $1 }
        base.merge(ApprovalRules.checkChange(mutated, into: &findings)) { $1 }
        base.merge(ApprovalRules.changeOutcome(mutated)) { $1 }
        base.merge(ScanRules.check(mutated, into: &findings)) { $1 }
        if phase != .combined { findings += unappliedMutations(steps, strict: phase == .strict) }
        return finish(findings: findings, request: request, object: object, stage: stage, context: context,
                      original: original, mutated: document, mutations: steps, notes: notes, annotations: base,
                      exemptRules: exemptRules, phase: phase)
    }

    /// A request without an object, or whose object is not a JSON object: denied as malformed.
    func malformed(_ request: AdmissionRequest, context: EvaluationContext, annotations: [String: String]) -> Decision {
        let original = request.object ?? .null
        let message = request.object == nil ? "the request carries no object" : "an object must be a JSON object, found \(original.typeDescription)"
        return finish(findings: [Finding(rule: .objectWellFormed, path: .root, message: message)],
                      request: request, object: KubeObject(original), stage: nil, context: context,
                      original: original, mutated: original, mutations: [], notes: [], annotations: annotations)
    }

    /// `pods/ephemeralcontainers` (`kubectl debug`): the Pod Security controls over the pod with its
    /// new ephemeral containers; nothing else of the pod changes through this subresource.
    func evaluateEphemeralContainers(_ request: AdmissionRequest, object original: JSONValue, context: EvaluationContext,
                                     phase: EvaluationPhase, annotations: [String: String]) -> Decision {
        let object = KubeObject(original)
        var notes: [String] = []
        let stage = resolveStage(object, context: context, notes: &notes)
        // The same shape budget as any governed object: a pod with thousands of containers is refused unread.
        let shape = stage == nil ? ShapeRules.Outcome() : ShapeRules.check(object)
        let input = RuleInput(object: object, oldObject: request.oldObject.map(KubeObject.init), request: request, policy: shared,
                              stage: stage, tier: resolveTier(object, context: context), context: context, pod: shape.pod)
        var findings = shape.findings
        if !shape.overBudget { PodSecurityRules.check(input, into: &findings) }
        return finish(findings: findings, request: request, object: object, stage: stage, context: context, original: original,
                      mutated: original, mutations: [], notes: notes, annotations: annotations,
                      exemptRules: policyExemptions(object, request: request, context: context), phase: phase)
    }

    /// The mutations of a workload, in the order they run (as the API server runs mutating webhooks before validating ones).
    static let mutationOrder: [RuleID] = [.imageDigestResolve, .resourcesDefaults, .approvalApproverStamp, .expiryStamp, .secretsInjection]

    /// The images of a request the caller must look up in their registries before ``evaluate(_:context:phase:)``
    /// (tags to resolve, signatures to verify, scan attestations to read), for the stage and exemptions
    /// that govern the object.
    /// Empty when no provenance rule applies; at most 32 distinct images.
    public func imageLookups(for request: AdmissionRequest, context: EvaluationContext) -> [ImageLookup] {
        guard request.operation == .create || request.operation == .update, request.subResource == nil,
              let original = request.object, case .object = original else { return [] }
        let object = KubeObject(original)
        var notes: [String] = []
        let stage = resolveStage(object, context: context, notes: &notes)
        guard let stage else { return [] }
        let stagePolicy = shared.policy.stage(stage)
        guard stagePolicy.resolveDigests || stagePolicy.requireSignatures || stagePolicy.requireScanAttestation else { return [] }
        let exempt = policyExemptions(object, request: request, context: context)
        let input = RuleInput(object: object, oldObject: request.oldObject.map(KubeObject.init), request: request, policy: shared,
                              stage: stage, tier: resolveTier(object, context: context), context: context)
        return ProvenanceRules.lookups(input, resolve: stagePolicy.resolveDigests && mutationEnabled(.imageDigestResolve, stage: stage, exempt: exempt),
                                       verify: stagePolicy.requireSignatures && exempt[.imageSignatureRequired] == nil,
                                       scan: stagePolicy.requireScanAttestation && exempt[.imageScanAttested] == nil)
    }

    /// The stage that governs the object: an OdooEnvironment's own `spec.stage`, else its namespace's
    /// label. An unknown stage name is checked as production (fail closed) with a warning.
    func resolveStage(_ object: KubeObject, context: EvaluationContext, notes: inout [String]) -> Stage? {
        var name = context.namespace?.stage
        if let own = OdooEnvironmentView(object)?.stageName { name = own }
        guard let name else { return nil }
        guard let stage = Stage(rawValue: name) else {
            notes.append("stage \"\(name)\" is not one of \(GuardPolicy.stages.joined(separator: ", ")); checked as production")
            return .production
        }
        return stage
    }

    func resolveTier(_ object: KubeObject, context: EvaluationContext) -> Tier {
        OdooEnvironmentView(object)?.tier ?? context.namespace?.tier.flatMap(Tier.init(rawValue:)) ?? shared.policy.defaultTier
    }

    func mutationEnabled(_ rule: RuleID, stage: Stage?, exempt: [RuleID: String]) -> Bool {
        exempt[rule] == nil && shared.policy.mode(of: rule, stage: stage) != .audit
    }

    /// The rules the policy's exemptions waive for this object and user, with what waived each.
    func policyExemptions(_ object: KubeObject, request: AdmissionRequest, context: EvaluationContext) -> [RuleID: String] {
        var result: [RuleID: String] = [:]
        let namespace = context.namespace?.name ?? object.namespace
        for (index, exemption) in shared.policy.exemptions.enumerated() {
            if !exemption.namespaces.isEmpty {
                guard let namespace, exemption.namespaces.contains(where: { Glob.matches($0, namespace) }) else { continue }
            }
            if let selector = exemption.objectSelector, !selector.matches(object.labels) { continue }
            if !exemption.users.isEmpty && !exemption.users.contains(where: { Glob.matches($0, request.userInfo.username) }) { continue }
            if !exemption.groups.isEmpty && !exemption.groups.contains(where: request.userInfo.groups.contains) { continue }
            let label = "policy exemption \(index) (\(exemption.reason))"
            for rule in exemption.rules.isEmpty ? RuleID.all : exemption.rules where result[rule] == nil {
                result[rule] = label
            }
        }
        return result
    }
}
