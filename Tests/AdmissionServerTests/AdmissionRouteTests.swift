import AdmissionServer
import Foundation
import KubeModel
import Testing
import TestSupport

/// Every route of a real server over TLS, with the default policy and the examples as cluster context.
@Suite struct AdmissionRouteTests {
    @Test func validateDeniesWithEveryViolationAndEchoesTheUID() async throws {
        let harness = try await WebhookHarness.start()
        do {
            let object = try Review.manifest("examples/noncompliant/odoo-web-insecure.yaml", kind: "Deployment")
            let reply = try await harness.post("/validate", Review.body(uid: "uid-deny-1", object: object))
            #expect(reply.status == 200)
            #expect(reply.json["apiVersion"] == "admission.k8s.io/v1")
            let response = reply.response
            #expect(response["uid"] == "uid-deny-1")
            #expect(response["allowed"] == .bool(false))
            #expect(response["status"]?["code"] == .int(403))
            let message = response["status"]?["message"]?.stringValue ?? ""
            #expect(message.contains("[image.no-latest]") || message.contains("[image.registry-allowed]"), "\(message)")
            #expect(message.contains("spec.template.spec.containers[0]"))
            #expect(response["patch"] == nil && response["patchType"] == nil)
            #expect(response["auditAnnotations"]?["policy-version"]?.stringValue?.isEmpty == false)
            #expect(response["auditAnnotations"]?["rules-denied"]?.stringValue?.isEmpty == false)
            #expect(try await harness.metric(#"odoo_guard_admission_requests_total{endpoint="validate",decision="denied"}"#) == 1)
        } catch { try await harness.shutdown(); throw error }
        try await harness.shutdown()
    }

    @Test func mutateThenValidateIsWhatTheAPIServerDoes() async throws {
        let harness = try await WebhookHarness.start()
        do {
            let object = try Review.manifest("examples/compliant/odoo-web.yaml", kind: "Deployment")
            // Validating the object as submitted: the injection the mutating webhook adds is missing.
            let unmutated = try await harness.post("/validate", Review.body(object: object)).response
            #expect(unmutated["allowed"] == .bool(false))
            #expect(unmutated["status"]?["message"]?.stringValue?.contains("mutating webhook") == true)

            let mutation = try await harness.post("/mutate", Review.body(uid: "uid-mutate", object: object)).response
            #expect(mutation["uid"] == "uid-mutate")
            #expect(mutation["allowed"] == .bool(true))
            #expect(mutation["patchType"] == "JSONPatch")
            let patchText = try #require(mutation["patch"]?.stringValue)
            let patchJSON = try JSONParser.parse(Array(try #require(Data(base64Encoded: patchText))))
            let patch = try JSONPatch(json: patchJSON)
            let mutated = try patch.apply(to: object)
            let python = try await offPool { try PythonJSONPatch.check([PatchTriple(document: object, patch: patch, expected: mutated)]) }
            #expect(python.checked == 1 && python.failures.isEmpty, "\(python.failures)")
            #expect(mutation["auditAnnotations"]?["mutations"]?.stringValue?.contains("secrets.injection") == true)

            let validated = try await harness.post("/validate", Review.body(object: mutated)).response
            #expect(validated["allowed"] == .bool(true), "\(validated)")
            // Mutating an already mutated object changes nothing: no patch fields at all.
            let again = try await harness.post("/mutate", Review.body(object: mutated)).response
            #expect(again["patch"] == nil && again["patchType"] == nil)
        } catch { try await harness.shutdown(); throw error }
        try await harness.shutdown()
    }

    @Test func deleteSubresourcesUpdatesAndUnknownKindsAreHandledDeliberately() async throws {
        let harness = try await WebhookHarness.start()
        do {
            let bad = try Review.manifest("examples/noncompliant/odoo-web-insecure.yaml", kind: "Deployment")
            let good = try Review.manifest("examples/compliant/odoo-web.yaml", kind: "Deployment")
            for endpoint in ["/validate", "/mutate"] {
                let delete = try await harness.post(endpoint, Review.body(object: nil, oldObject: bad, operation: "DELETE")).response
                #expect(delete["allowed"] == .bool(true))
                #expect(delete["auditAnnotations"]?["skipped"]?.stringValue?.contains("DELETE") == true)
                let status = try await harness.post(endpoint, Review.body(object: bad, oldObject: bad, operation: "UPDATE", subResource: "status")).response
                #expect(status["allowed"] == .bool(true))
                #expect(status["auditAnnotations"]?["skipped"]?.stringValue?.contains("status") == true)
                let scale = try await harness.post(endpoint, Review.body(object: ["apiVersion": "autoscaling/v1", "kind": "Scale",
                    "metadata": ["name": "clinic-web", "namespace": "clinic-prod"], "spec": ["replicas": 0]],
                    operation: "UPDATE", subResource: "scale", kind: ("autoscaling", "v1", "Scale"))).response
                #expect(scale["allowed"] == .bool(true))
            }
            // UPDATE judges the new object, whatever the old one was.
            let update = try await harness.post("/validate", Review.body(object: bad, oldObject: good, operation: "UPDATE")).response
            #expect(update["allowed"] == .bool(false))
            // A kind no rule knows is allowed with nothing to say.
            let widget: JSONValue = ["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "w", "namespace": "clinic-prod"]]
            let unknown = try await harness.post("/validate", Review.body(object: widget)).response
            #expect(unknown["allowed"] == .bool(true))
            #expect(unknown["warnings"] == nil)
            // CREATE without an object is a malformed request, denied with a reason.
            let empty = try await harness.post("/validate", Review.body(object: nil, kind: ("apps", "v1", "Deployment"))).response
            #expect(empty["allowed"] == .bool(false))
        } catch { try await harness.shutdown(); throw error }
        try await harness.shutdown()
    }

    @Test func healthReadinessAndMetrics() async throws {
        let harness = try await WebhookHarness.start()
        do {
            #expect(try await harness.get("/healthz").status == 200)
            let ready = try await harness.get("/readyz")
            #expect(ready.status == 200)
            #expect(ready.text.contains(harness.server.policies.state.policyVersion))
            _ = try await harness.post("/validate", Review.body(object: try Review.manifest("examples/noncompliant/odoo-web-insecure.yaml", kind: "Deployment")))
            let metrics = try await harness.get("/metrics").text
            for name in ["odoo_guard_admission_requests_total", "odoo_guard_admission_rule_results_total", "odoo_guard_admission_request_duration_seconds_bucket",
                         "odoo_guard_admission_in_flight_requests", "odoo_guard_certificate_expiry_timestamp_seconds", "odoo_guard_policy_reloads_total",
                         "odoo_guard_certificate_reloads_total", "odoo_guard_audit_queue_depth", "odoo_guard_audit_dropped_total", "odoo_guard_policy_info"] {
                #expect(metrics.contains(name), "\(name) missing from /metrics")
            }
            #expect(metrics.contains(#"result="denied",mode="enforce""#))
            let expiry = try await harness.metric("odoo_guard_certificate_expiry_timestamp_seconds")
            #expect(expiry > Date().timeIntervalSince1970 + 300 * 86_400)
        } catch { try await harness.shutdown(); throw error }
        try await harness.shutdown()
    }
}
