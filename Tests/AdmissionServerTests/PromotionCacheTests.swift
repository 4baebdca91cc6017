import AdmissionServer
import Foundation
import GuardRules
import KubeAPITestServer
import KubeClient
import KubeModel
import Logging
import Testing

/// The webhook's OdooEnvironment cache keeps what promotion needs (stage, labels, `status.readyHistory`)
/// from every namespace, and a production change follows the staging environment's status as it changes.
@Suite struct PromotionCacheTests {
    static let digest = "sha256:" + String(repeating: "d", count: 64)

    @Test func aStagingSoakWrittenToStatusAdmitsTheProductionDigest() async throws {
        try await KubeAPITestServer.serving { api in
            let client = try ClusterContextTests.client(of: api)
            do {
                for (name, stage) in [("clinic-prod", "production"), ("clinic-staging", "staging")] {
                    _ = try await client.create(.namespaces, namespace: nil, object: ["apiVersion": "v1", "kind": "Namespace",
                        "metadata": ["name": .string(name), "labels": [GuardLabels.stage: .string(stage)]]], options: WriteOptions())
                }
                let staging: JSONValue = ["apiVersion": "odooguard.io/v1alpha1", "kind": "OdooEnvironment",
                                          "metadata": ["name": "clinic", "namespace": "clinic-staging", "labels": [GuardLabels.partOf: "clinic"]],
                                          "spec": ["version": "17.0", "stage": "staging", "tier": "shared", "image": "odoo:17.0"]]
                _ = try await client.create(.odooEnvironments, namespace: "clinic-staging", object: staging, options: WriteOptions())
                let policy = GuardPolicy.builtInDefaultText.replacingOccurrences(of: "    image.promoted: warn\n", with: "    image.promoted: enforce\n")
                let harness = try await WebhookHarness.start(policy: policy, contextFiles: []) { $0.cluster = api.config }
                do {
                    #expect(try await ClusterContextTests.eventually { try await harness.get("/readyz").status == 200 })
                    let production: JSONValue = ["apiVersion": "odooguard.io/v1alpha1", "kind": "OdooEnvironment",
                        "metadata": ["name": "clinic", "namespace": "clinic-prod", "labels": [GuardLabels.partOf: "clinic"]],
                        "spec": ["version": "17.0", "stage": "production", "tier": "dedicated",
                                 "image": .string("registry.example.com/odoo/odoo@" + Self.digest)]]
                    let unproven = try await harness.post("/validate", Review.body(object: production)).response
                    #expect(unproven["status"]?["message"]?.stringValue?.contains("[image.promoted] spec.image") == true, "\(unproven)")
                    let since = Timestamp.format(Date().addingTimeInterval(-30 * 3600))
                    let status: JSONValue = ["status": ["readyHistory": [["image": .string("registry.example.com/odoo/odoo@" + Self.digest),
                                                                          "readySince": .string(since)]]]]
                    _ = try await client.patch(.odooEnvironments, namespace: "clinic-staging", name: "clinic", patch: .merge(status),
                                               subresource: "status", options: WriteOptions())
                    #expect(try await ClusterContextTests.eventually {
                        try await harness.post("/validate", Review.body(object: production)).response["allowed"] == .bool(true)
                    }, "the soak recorded in staging's status admits the digest")
                } catch { try await harness.shutdown(); throw error }
                try await harness.shutdown()
            } catch { try? await client.shutdown(); throw error }
            try await client.shutdown()
        }
    }
}
