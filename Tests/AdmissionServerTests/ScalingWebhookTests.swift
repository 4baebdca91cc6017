import AdmissionServer
import Foundation
import GuardRules
import KubeAPITestServer
import KubeClient
import KubeModel
import Testing

/// The webhook judges a tenant's HorizontalPodAutoscaler by the connection budget the operator
/// recorded in the environment's status, read from its OdooEnvironment cache; a spec that raises the
/// maximum counts as soon as the cache has it.
@Suite struct ScalingWebhookTests {
    static func hpa(_ maximum: Int64) -> JSONValue {
        ["apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": ["name": "burst", "namespace": "clinic-prod"],
         "spec": ["scaleTargetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": "clinic-web"], "minReplicas": 2, "maxReplicas": .int(maximum)]]
    }

    @Test func aTenantAutoscalerPastTheBudgetIsDenied() async throws {
        try await KubeAPITestServer.serving { api in
            let client = try ClusterContextTests.client(of: api)
            do {
                _ = try await client.create(.namespaces, namespace: nil, object: ["apiVersion": "v1", "kind": "Namespace",
                    "metadata": ["name": "clinic-prod", "labels": [GuardLabels.stage: "production", GuardLabels.tier: "shared"]]], options: WriteOptions())
                let environment: JSONValue = ["apiVersion": "odooguard.io/v1alpha1", "kind": "OdooEnvironment",
                    "metadata": ["name": "clinic", "namespace": "clinic-prod"],
                    "spec": ["version": "17.0", "stage": "production", "tier": "shared", "scaling": ["minReplicas": 2, "maxReplicas": 3]]]
                _ = try await client.create(.odooEnvironments, namespace: "clinic-prod", object: environment, options: WriteOptions())
                // What the operator records after planning: 3 web pods of 10 connections, cron 5, Jobs 5.
                let record = ConnectionBudgetRecord(webDeployment: "clinic-web", cronDeployment: "clinic-cron", maxWebReplicas: 3, perWebPod: 10,
                                                    cron: 5, jobs: 5, limit: 50, tierLimit: 50)
                _ = try await client.patch(.odooEnvironments, namespace: "clinic-prod", name: "clinic", patch: .merge(["status": ["connectionBudget": record.json]]),
                                           subresource: "status", options: WriteOptions())
                let harness = try await WebhookHarness.start(contextFiles: []) { $0.cluster = api.config }
                do {
                    #expect(try await ClusterContextTests.eventually { try await harness.get("/readyz").status == 200 })
                    #expect(try await ClusterContextTests.eventually {
                        let denied = try await harness.post("/validate", Review.body(object: Self.hpa(8))).response
                        return denied["allowed"] == .bool(false) && denied["status"]?["message"]?.stringValue?.contains(
                            "[scaling.connection-budget] spec.maxReplicas: HorizontalPodAutoscaler burst scales Deployment clinic-web up to 8 pods, which needs up to 100 PostgreSQL connections") == true
                    }, "the recorded budget reached the webhook's cache")
                    let within = try await harness.post("/validate", Review.body(object: Self.hpa(3))).response
                    #expect(within["allowed"] == .bool(true), "\(within)")
                    // The tenant raises spec.scaling.maxReplicas: the webhook follows the spec before the operator's record does.
                    _ = try await client.patch(.odooEnvironments, namespace: "clinic-prod", name: "clinic", patch: .merge(["spec": ["scaling": ["maxReplicas": 8]]]),
                                               subresource: nil, options: WriteOptions())
                    #expect(try await ClusterContextTests.eventually {
                        try await harness.post("/validate", Review.body(object: Self.hpa(8))).response["allowed"] == .bool(true)
                    })
                } catch { try await harness.shutdown(); throw error }
                try await harness.shutdown()
            } catch { try? await client.shutdown(); throw error }
            try await client.shutdown()
        }
    }
}
