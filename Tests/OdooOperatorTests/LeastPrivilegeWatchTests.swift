import Foundation
import KubeAPITestServer
import KubeClient
import KubeModel
import KubeRuntime
import OdooOperator
import Testing

/// Issue #34: the operator reads only what it owns. Its owned kinds are watched with its own label
/// selector, Secrets and Namespaces as metadata the server sends as such; its Secret cache never
/// holds a value, while Secrets it does not make (the tenant's TLS certificate) are still seen.
@Suite("Least-privilege watches")
struct LeastPrivilegeWatchTests {
    static let selector = "labelSelector=" + ResourceType.escape(EnvironmentReconciler.ownedSelector)

    @Test func ownedKindsCarryTheSelectorAndSecretsArriveAsMetadata() async throws {
        try await OperatorHarness.run { cluster in
            // A tenant's own Deployment and Secret in the same namespace, not made by the operator.
            _ = try await cluster.api.create(.deployments, namespace: cluster.namespace, object: [
                "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "tenant-tool"],
                "spec": ["selector": ["matchLabels": ["app": "tool"]], "template": ["metadata": ["labels": ["app": "tool"]],
                         "spec": ["containers": [["name": "tool", "image": "busybox"]]]]],
            ], options: WriteOptions())
            try await cluster.createTLSSecret("clinic-tls")
            _ = try await cluster.create(try cluster.example())
            #expect(try await cluster.waitUntilReady())
            try await cluster.settle()

            // Every watch and list of an owned kind but Secrets and Namespaces carried the selector.
            let reads = cluster.server.requests.filter { $0.hasPrefix("GET ") && !$0.contains("/odooenvironments") && !$0.contains("/pods") }
            for resource in EnvironmentReconciler.watchedResources(try OperatorHarness.configuration()) {
                let collection = resource.path(namespace: nil)
                let ofKind = reads.filter { $0.hasPrefix("GET \(collection)?") }
                #expect(!ofKind.isEmpty, "\(resource) is never listed")
                if resource == .secrets || resource == .namespaces {
                    #expect(cluster.server.metadataOnlyReads.filter { $0.hasPrefix("\(collection)?") }.count == ofKind.count,
                            "\(resource) read in full: \(ofKind)")
                } else {
                    #expect(ofKind.allSatisfy { $0.contains(Self.selector) }, "\(resource) watched without the selector: \(ofKind)")
                }
            }

            let secrets = try #require(cluster.reconciler.stores[.secrets])
            let cached = secrets.list(namespace: cluster.namespace)
            #expect(Set(cached.map { KubeObject($0).name }).isSuperset(of: ["clinic-admin", "clinic-db", "clinic-redis", "clinic-tls"]))
            for secret in cached {
                #expect(secret["data"] == nil && secret["stringData"] == nil, "\(KubeObject(secret).name) holds values")
                #expect(Set(secret.objectValue?.keys.map { $0 } ?? []) == ["apiVersion", "kind", "metadata"])
            }
            // The tenant's Deployment is not the operator's business.
            let deployments = try #require(cluster.reconciler.stores[.deployments])
            #expect(deployments.get(ObjectKey(namespace: cluster.namespace, name: "tenant-tool")) == nil)
            #expect(deployments.get(ObjectKey(namespace: cluster.namespace, name: "clinic-web")) != nil)
        }
    }

    @Test func aServerWithoutMetadataReadsStillLeavesNoValueInTheCache() async throws {
        try await OperatorHarness.run { cluster in
            cluster.server.servePartialMetadata(false)
            try await cluster.createTLSSecret("clinic-tls")
            _ = try await cluster.create(try cluster.example())
            #expect(try await cluster.waitUntilReady())
            let cached = try #require(cluster.reconciler.stores[.secrets]).list(namespace: cluster.namespace)
            #expect(cached.count >= 4)
            #expect(cached.allSatisfy { $0["data"] == nil })
        }
    }
}
