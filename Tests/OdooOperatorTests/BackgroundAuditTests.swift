import Foundation
@testable import PolicyAudit
import GuardRules
import KubeAPITestServer
import KubeClient
import KubeModel
import Logging
import OdooOperator
import Testing

/// The background audit against the in-process API server: 2,000 existing objects in 20 governed
/// namespaces become 20 PolicyReports and a ClusterPolicyReport; an unchanged cluster causes zero
/// writes; one changed object rewrites one report; a policy change rewrites them.
@Suite("Background audit", .serialized)
struct BackgroundAuditTests {
    static func deployment(_ name: String, namespace: String, compliant: Bool) -> JSONValue {
        var container: JSONObject = ["name": "web", "image": .string(compliant ? "registry.example.com/odoo/odoo:17.0@sha256:" + String(repeating: "a", count: 64)
                                                                           : "registry.example.com/odoo/odoo:latest"),
                                     "securityContext": ["allowPrivilegeEscalation": false, "capabilities": ["drop": ["ALL"]]]]
        if compliant { container["resources"] = ["requests": ["cpu": "250m", "memory": "512Mi"], "limits": ["memory": "1Gi"]] }
        return ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name), "namespace": .string(namespace)],
                "spec": ["replicas": 1, "selector": ["matchLabels": ["app": .string(name)]],
                         "template": ["metadata": ["labels": ["app": .string(name)]],
                                      "spec": ["securityContext": ["runAsNonRoot": true, "seccompProfile": ["type": "RuntimeDefault"]],
                                               "containers": [.object(container)]]]]]
    }

    static func configMap(_ name: String, namespace: String, listDB: Bool) -> JSONValue {
        ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name), "namespace": .string(namespace)],
         "data": ["odoo.conf": .string("[options]\nproxy_mode = True\nlist_db = \(listDB ? "True" : "False")\ndbfilter = ^clinic$\n")]]
    }

    /// 20 governed namespaces with 100 objects each (Deployments, odoo.conf ConfigMaps, pods a
    /// ReplicaSet owns), one ungoverned namespace, all through the API.
    static func populate(_ api: any KubernetesAPI) async throws {
        for index in 0..<21 {
            let name = "tenant-\(index)"
            var labels: JSONObject = [:]
            if index < 20 { labels = [GuardLabels.stage: index % 2 == 0 ? "production" : "development", GuardLabels.tier: "shared"] }
            _ = try await api.create(.namespaces, namespace: nil, object: ["apiVersion": "v1", "kind": "Namespace",
                                                                         "metadata": ["name": .string(name), "labels": .object(labels)]],
                                     options: WriteOptions())
            for item in 0..<100 {
                let object: JSONValue
                let resource: ResourceType
                switch item % 4 {
                case 0, 1: (resource, object) = (.deployments, deployment("web-\(item)", namespace: name, compliant: item % 8 != 0))
                case 2: (resource, object) = (.configMaps, configMap("conf-\(item)", namespace: name, listDB: item % 20 == 2))
                default:
                    var pod = deployment("pod-\(item)", namespace: name, compliant: false)
                    pod = ["apiVersion": "v1", "kind": "Pod",
                           "metadata": ["name": .string("pod-\(item)"), "namespace": .string(name),
                                        "ownerReferences": [["apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": "rs-uid", "controller": true]]],
                           "spec": pod["spec"]?["template"]?["spec"] ?? .null]
                    (resource, object) = (.pods, pod)
                }
                _ = try await api.create(resource, namespace: name, object: object, options: WriteOptions())
            }
        }
    }

    @Test("2,000 objects: 21 reports, then zero writes while nothing changes, one after one change, all after a policy change")
    func bounded() async throws {
        try await KubeAPITestServer.serving { server in
            var logger = Logger(label: "audit-tests")
            logger.logLevel = .critical
            let client = try KubeHTTPClient(config: server.config, logger: logger, maxRetryWait: .milliseconds(200))
            do {
                try await Self.populate(client)
                let api = WriteCountingAPI(client)
                let audit = BackgroundAudit(api: api, settings: BackgroundAudit.Settings(), logger: logger)
                let policy = try GuardPolicy.builtIn()
                let now = Date()

                let first = await audit.runPass(policy: policy, now: now)
                #expect(first.namespaces == 20 && first.objects == 2_000 && first.failures == 0, "\(first)")
                #expect(first.writes == 21 && api.writes == 21)
                #expect(first.largestReport < 150_000, "largest report \(first.largestReport) bytes")
                let report = try await client.get(.policyReports, namespace: "tenant-0", name: PolicyReportBuilder.reportName)
                let results = report["results"]?.arrayValue ?? []
                // 50 Deployments (13 with findings), 25 ConfigMaps; the 25 owned pods are judged through their owner.
                let judgedPods = results.filter { $0["resources"]?[0]?["kind"] == "Pod" }
                #expect(judgedPods.isEmpty)
                let passes: Int64 = report["summary"]?["pass"]?.intValue ?? 0
                #expect(passes > 50, "\(report["summary"] ?? .null)")
                #expect(results.contains { $0["rule"] == "odoo.list-db-disabled" && $0["result"] == "fail" })
                #expect(try await client.getIfExists(.policyReports, namespace: "tenant-20", name: PolicyReportBuilder.reportName) == nil,
                        "an ungoverned namespace gets no report")

                let second = await audit.runPass(policy: policy, now: now.addingTimeInterval(3600))
                #expect(second.writes == 0 && api.writes == 21, "an unchanged cluster causes no write: \(second)")

                _ = try await client.create(.deployments, namespace: "tenant-3", object: Self.deployment("new", namespace: "tenant-3", compliant: false),
                                            options: WriteOptions())
                let third = await audit.runPass(policy: policy, now: now.addingTimeInterval(7200))
                #expect(third.writes == 1, "\(third)")

                var stricter = policy
                stricter.version = "stricter"
                let fourth = await audit.runPass(policy: stricter, now: now.addingTimeInterval(7300))
                #expect(fourth.writes == 21, "a policy change re-judges every report: \(fourth)")
                try await client.shutdown()
            } catch {
                try? await client.shutdown()
                throw error
            }
        }
    }
}

/// The audit reads the cluster's GuardPolicy as the webhook does: the file's policy while there is
/// none, the cluster's once created, kept while it is deleted and recreated, the file's again once it
/// has stayed gone for the grace period.
@Suite("Background audit: the cluster's GuardPolicy")
struct BackgroundAuditPolicyTests {
    @Test func keptWhileRecreatedThenTheFallback() async throws {
        try await KubeAPITestServer.serving { server in
            var logger = Logger(label: "audit-policy-tests")
            logger.logLevel = .critical
            let client = try KubeHTTPClient(config: server.config, logger: logger, maxRetryWait: .milliseconds(200))
            do {
                var settings = BackgroundAudit.Settings()
                var file = try GuardPolicy.builtIn()
                file.version = "file"
                settings.fallbackPolicy = file
                let audit = BackgroundAudit(api: client, settings: settings, logger: logger)
                var selection = AuditPolicySelection(grace: settings.policyGoneGrace)
                let start = ContinuousClock.now
                func version(after seconds: Int) async -> String {
                    await audit.currentPolicy(&selection, now: start + .seconds(seconds)).version
                }
                #expect(await version(after: 0) == "file")

                var object = try ManifestReader.parseSingle(yaml: GuardPolicy.builtInDefaultText)
                _ = object.set(.array([.string("registry.internal.example")]), at: "spec.stages.production.allowedRegistries")
                _ = try await client.create(.guardPolicies, namespace: nil, object: object, options: WriteOptions())
                let cluster = await version(after: 30)
                let stored = try GuardPolicy(json: try await client.get(.guardPolicies, namespace: nil, name: "default"))
                #expect(cluster != "file" && cluster == stored.version)

                // Deleted, read once, recreated: the cluster's policy throughout.
                _ = try await client.delete(.guardPolicies, namespace: nil, name: "default", options: DeleteOptions())
                #expect(await version(after: 60) == cluster)
                _ = try await client.create(.guardPolicies, namespace: nil, object: object, options: WriteOptions())
                #expect(await version(after: 90) == cluster)

                // Gone for good: kept at the first read, the file's from the first read past the grace.
                _ = try await client.delete(.guardPolicies, namespace: nil, name: "default", options: DeleteOptions())
                #expect(await version(after: 120) == cluster)
                #expect(await version(after: 121) == cluster)
                #expect(await version(after: 150) == "file")
                try await client.shutdown()
            } catch {
                try? await client.shutdown()
                throw error
            }
        }
    }
}
