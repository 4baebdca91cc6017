import AuditTrail
import Foundation
import GuardRules
import ImageProvenance
import KubeModel
import Logging

/// Turns one AdmissionReview body into the response body: decode, evaluate with the current policy
/// and context, encode, and leave evidence (log line, audit sink, metrics). No HTTP here: the routes
/// check method, size and Content-Type before calling it.
public struct AdmissionHandler: Sendable {
    /// The outcome of one review.
    public enum Outcome: Sendable {
        /// A review response (HTTP 200), allowed or denied.
        case review(response: AdmissionResponse, body: [UInt8])
        /// The body is not a usable AdmissionReview (HTTP 400), with a message for the caller.
        case badRequest(String)
        /// The caller closed its connection while registry look-ups ran; they were cancelled and no
        /// decision was made (nor audited).
        case callerGone
    }

    let policies: PolicyStore
    let provenance: ImageProvenanceService?
    let registryCredentials: CredentialStore
    let audit: any AuditSink
    let metrics: WebhookMetrics
    let logger: Logger
    let clock = ContinuousClock()

    /// A handler. Without `provenance`, the provenance rules do not run (as in offline checks).
    public init(policies: PolicyStore, provenance: ImageProvenanceService? = nil, registryCredentials: CredentialStore = CredentialStore(),
                audit: any AuditSink, metrics: WebhookMetrics, logger: Logger) {
        self.policies = policies
        self.provenance = provenance
        self.registryCredentials = registryCredentials
        self.audit = audit
        self.metrics = metrics
        self.logger = logger
    }

    /// Handles one review body. Registry look-ups (when the policy asks for them) end within the
    /// policy's provenance budget, or as soon as `callerPresent` turns false (checked every 100 ms).
    public func handle(_ body: [UInt8], endpoint: AdmissionEndpoint, callerPresent: @escaping @Sendable () async -> Bool = { true }) async -> Outcome {
        let start = clock.now
        let json: JSONValue
        do { json = try JSONParser.parse(body) } catch {
            return reject(endpoint, "the body is not valid JSON: \(error)")
        }
        let request: AdmissionRequest
        do { request = try AdmissionReview(json: json).request } catch {
            return reject(endpoint, "the body is not an admission.k8s.io/v1 AdmissionReview request: \(error)")
        }
        let state = policies.state
        let now = Date()
        var context = state.context.context(for: request, now: now)
        if let provenance {
            guard let facts = await lookUpImages(request, context: context, evaluator: state.evaluator, service: provenance,
                                                 callerPresent: callerPresent) else {
                metrics.recordRejection("caller_gone")
                logger.notice("caller left during registry look-ups; cancelled", metadata: ["admission.uid": .string(request.uid)])
                return .callerGone
            }
            context.provenance = facts
        }
        let decision = state.evaluator.evaluate(request, context: context, phase: endpoint == .validate ? .validating : .combined)
        let (response, bytes) = Self.response(to: request, decision: decision, endpoint: endpoint).bounded()
        let duration = clock.now - start
        metrics.recordDecision(endpoint: endpoint.rawValue, allowed: response.allowed, decision: decision, duration: duration)
        let record = AuditRecord(request: request, decision: decision, endpoint: endpoint.rawValue, allowed: response.allowed,
                                 policyVersion: state.policyVersion, duration: duration, time: now)
        logger.info("admission decision", metadata: record.logMetadata)
        if !request.dryRun { audit.submit(record) }
        return .review(response: response, body: bytes)
    }

    /// The registry facts for the request's images, with the credentials of its `imagePullSecrets`
    /// (from its own namespace) before the webhook's own auth file.
    /// `nil` when the caller left first (the look-ups are cancelled).
    private func lookUpImages(_ request: AdmissionRequest, context: EvaluationContext, evaluator: GuardEvaluator,
                              service: ImageProvenanceService, callerPresent: @escaping @Sendable () async -> Bool) async -> ImageProvenanceFacts? {
        let lookups = evaluator.imageLookups(for: request, context: context)
        guard !lookups.isEmpty else { return ImageProvenanceFacts() }
        var credentials = registryCredentials
        if let template = request.object.map(KubeObject.init)?.podTemplate, !template.imagePullSecrets.isEmpty {
            let (store, problems) = CredentialStore.fromPullSecrets(template.imagePullSecrets, in: context.peers)
            credentials = store.merging(registryCredentials)
            for problem in problems {
                logger.warning("image pull secret not used", metadata: ["admission.uid": .string(request.uid), "reason": .string(problem.echoed(limit: EchoBudget.message))])
            }
        }
        let policy = evaluator.policy.provenance
        let finalCredentials = credentials
        let facts = await withTaskGroup(of: ImageProvenanceFacts?.self) { group in
            group.addTask { await service.facts(for: lookups, policy: policy, credentials: finalCredentials) }
            group.addTask {
                // Watches the connection; cancelled (and done) as soon as the look-ups finish.
                while await callerPresent() {
                    do { try await Task.sleep(for: .milliseconds(100)) } catch { return nil }
                }
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        if let facts { metrics.recordProvenance(facts) }
        return facts
    }

    private func reject(_ endpoint: AdmissionEndpoint, _ problem: String) -> Outcome {
        // Decoding errors name fields and echo little, but a review's errors are many: bounded like every answer.
        let message = problem.echoed(limit: 4 * EchoBudget.message)
        metrics.recordError(endpoint: endpoint.rawValue)
        metrics.recordRejection("bad_request")
        logger.warning("admission review refused", metadata: ["admission.endpoint": .string(endpoint.rawValue), "error": .string(message)])
        return .badRequest(message)
    }

    /// The response for a decision (see ``AdmissionResponse/init(answering:decision:mutating:)``).
    public static func response(to request: AdmissionRequest, decision: Decision, endpoint: AdmissionEndpoint) -> AdmissionResponse {
        AdmissionResponse(answering: request, decision: decision, mutating: endpoint == .mutate)
    }
}
