import Foundation
import KubeModel

extension AdmissionResponse {
    /// The response to `request` for `decision`, as the webhook sends it.
    ///
    /// - validating (`mutating == false`): allowed unless an enforce-mode finding remains; a denial
    ///   carries 403 and its violations (within the ``OutputBudget``); warnings and audit annotations as
    ///   decided; never a patch (validating webhooks cannot patch).
    /// - mutating: always allowed (denying is the validating webhook's job, so a tenant sees each
    ///   violation once); the patch when there is one; audit annotations naming the mutations and the
    ///   policy version; no warnings (the validating call reports them).
    /// Audit annotation values (change references, changed fields, digests: some are the caller's text)
    /// are cut to ``annotationBytes``.
    public init(answering request: AdmissionRequest, decision: Decision, mutating: Bool) {
        if mutating {
            var annotations: [String: String] = [:]
            for key in ["policy-version", "mutations", "skipped", "stage"] { annotations[key] = decision.auditAnnotations[key] }
            self.init(uid: request.uid, allowed: true, patch: decision.patch.isEmpty ? nil : decision.patch, auditAnnotations: annotations)
        } else {
            self.init(uid: request.uid, allowed: decision.allowed, statusCode: decision.allowed ? nil : 403,
                      statusMessage: decision.allowed ? nil : decision.denialMessage,
                      warnings: decision.warnings, auditAnnotations: decision.auditAnnotations)
        }
        if auditAnnotations.values.contains(where: { $0.exceedsEcho(limit: Self.annotationBytes) }) {
            auditAnnotations = auditAnnotations.mapValues { $0.echoed(limit: Self.annotationBytes) }
        }
    }

    /// Bytes of one audit annotation value in a response.
    public static let annotationBytes = 4_096

    /// This response and its AdmissionReview body, at most ``OutputBudget/responseBytes``: a response
    /// that would be larger (no decision within the other budgets gets there; this is the last guard)
    /// becomes a denial that says so, never a truncated or oversized body.
    public func bounded() -> (response: AdmissionResponse, body: [UInt8]) {
        let bytes = reviewBytes()
        guard bytes.count > OutputBudget.responseBytes else { return (self, bytes) }
        var refusal = AdmissionResponse(uid: uid, allowed: false, statusCode: 403, statusMessage:
            "denied by odoo-guard: the answer to this request would be \(bytes.count) bytes, more than the webhook's budget of \(OutputBudget.responseBytes); make the object smaller")
        refusal.auditAnnotations = ["decision": "denied", "refused": "response-budget"]
        if let version = auditAnnotations["policy-version"] { refusal.auditAnnotations["policy-version"] = version }
        return (refusal, refusal.reviewBytes())
    }
}
