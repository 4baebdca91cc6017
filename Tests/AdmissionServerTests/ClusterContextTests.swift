import AdmissionServer
import Foundation
import GuardRules
import KubeAPITestServer
import KubeClient
import KubeModel
import Logging
import Testing

/// The webhook connected to a cluster (the API test server): decisions follow the cluster's
/// Namespaces, PodDisruptionBudgets and GuardPolicy as they change, with no API call per review.
@Suite("Webhook with cluster context")
struct ClusterContextTests {
    static func mutated(_ harness: WebhookHarness, _ object: JSONValue) async throws -> JSONValue {
        let mutation = try await harness.post("/mutate", Review.body(object: object)).response
        guard let text = mutation["patch"]?.stringValue, let data = Data(base64Encoded: text) else { return object }
        return try JSONPatch(json: try JSONParser.parse(Array(data))).apply(to: object)
    }

    /// A quiet client of the test API server.
    static func client(of api: KubeAPITestServer) throws -> KubeHTTPClient {
        var logger = Logger(label: "cluster-test")
        logger.logLevel = .critical
        return try KubeHTTPClient(config: api.config, logger: logger)
    }

    static func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
        for _ in 0..<200 {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    @Test func decisionsFollowTheClusterNamespacesBudgetsAndPolicy() async throws {
        try await KubeAPITestServer.serving { api in
            let client = try Self.client(of: api)
            do {
                let namespace = try Review.manifest("examples/namespaces.yaml", kind: "Namespace")
                _ = try await client.create(.namespaces, namespace: nil, object: namespace, options: WriteOptions())
                let harness = try await WebhookHarness.start(contextFiles: []) { $0.cluster = api.config }
                do {
                    #expect(try await Self.eventually { try await harness.get("/readyz").status == 200 })
                    #expect(harness.server.policies.usesClusterContext)
                    let deployment = try await Self.mutated(harness, try Review.manifest("examples/compliant/odoo-web.yaml", kind: "Deployment"))
                    // clinic-prod is production in the cluster and has no PDB yet.
                    let denied = try await harness.post("/validate", Review.body(object: deployment)).response
                    #expect(denied["allowed"] == .bool(false))
                    #expect(denied["status"]?["message"]?.stringValue?.contains("[pdb.required]") == true, "\(denied)")

                    let budget = try Review.manifest("examples/compliant/odoo-web.yaml", kind: "PodDisruptionBudget")
                    _ = try await client.create(.podDisruptionBudgets, namespace: "clinic-prod", object: budget, options: WriteOptions())
                    #expect(try await Self.eventually {
                        try await harness.post("/validate", Review.body(object: deployment)).response["allowed"] == .bool(true)
                    })

                    // The Secret of an environment the cluster holds is foreign to another environment's pods.
                    let borrower = try Review.manifest("examples/noncompliant/foreign-secret.yaml", kind: "Pod")
                    #expect(try await harness.post("/validate", Review.body(object: borrower)).response["allowed"] == .bool(true),
                            "no environment clinic in clinic-prod yet: clinic-db is nobody's")
                    let environment = try Review.manifest("examples/compliant/odooenvironment.yaml", kind: "OdooEnvironment")
                    _ = try await client.create(.odooEnvironments, namespace: "clinic-prod", object: environment, options: WriteOptions())
                    #expect(try await Self.eventually {
                        let verdict = try await harness.post("/validate", Review.body(object: borrower)).response
                        return verdict["status"]?["message"]?.stringValue?.contains("[secrets.foreign-secret]") == true
                    })

                    // A cluster GuardPolicy named "default" replaces the file's policy.
                    let before = harness.server.policies.state.policyVersion
                    var policy = try ManifestReader.parseSingle(yaml: GuardPolicy.builtInDefaultText)
                    _ = policy.set(["team": "platform"], at: "metadata.labels")
                    _ = policy.set(.array([.string("registry.internal.example")]), at: "spec.stages.production.allowedRegistries")
                    _ = try await client.create(.guardPolicies, namespace: nil, object: policy, options: WriteOptions())
                    #expect(try await Self.eventually {
                        try await harness.post("/validate", Review.body(object: deployment)).response["allowed"] == .bool(false)
                    })
                    let clusters = harness.server.policies.state.policyVersion
                    #expect(clusters != before)
                    // Deleted and recreated at once, as a Helm upgrade does with its hook: the file's
                    // policy is never used in between.
                    _ = try await client.delete(.guardPolicies, namespace: nil, name: "default", options: DeleteOptions())
                    _ = try await client.create(.guardPolicies, namespace: nil, object: policy, options: WriteOptions())
                    var sawFile = false
                    for _ in 0..<60 {
                        if harness.server.policies.state.policyVersion == before { sawFile = true }
                        try await Task.sleep(for: .milliseconds(50))
                    }
                    #expect(!sawFile && harness.server.policies.state.policyVersion == clusters,
                            "a GuardPolicy recreated within the grace keeps the cluster's policy")
                    // Gone from the cluster for good: back to the file's policy after the grace.
                    _ = try await client.delete(.guardPolicies, namespace: nil, name: "default", options: DeleteOptions())
                    #expect(try await Self.eventually { harness.server.policies.state.policyVersion == before })
                } catch { try await harness.shutdown(); throw error }
                try await harness.shutdown()
            } catch { try? await client.shutdown(); throw error }
            try await client.shutdown()
        }
    }

    @Test func notReadyUntilTheCachesSync() async throws {
        var unreachable = KubeConfig(server: "https://127.0.0.1:1", source: "an unreachable cluster")
        unreachable.insecureSkipTLSVerify = true
        let harness = try await WebhookHarness.start { $0.cluster = unreachable }
        do {
            let ready = try await harness.get("/readyz")
            #expect(ready.status == 503)
            #expect(ready.text.contains("an unreachable cluster"))
            #expect(!harness.server.policies.usesClusterContext)
        } catch { try await harness.shutdown(); throw error }
        try await harness.shutdown()
    }
}
