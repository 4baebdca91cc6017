import Foundation
import KubeAPITestServer
import KubeClient
import KubeModel
import KubeRuntime
import Testing

/// ``Finalizers``' patches and decisions against an API server (the test server, and the cluster in
/// `KUBECONFIG` when set).
@Suite("Finalizers against an API server")
struct FinalizerTests {
    @Test("finalizers hold a deleted object until removed; preconditions guard deletes", arguments: Backend.allCases)
    func finalizersAndPreconditions(_ backend: Backend) async throws {
        try await backend.run { cluster in
            let created = try await cluster.create(cluster.configMap("guarded"))
            let withFinalizer = try await cluster.api.patch(.configMaps, namespace: cluster.namespace, name: "guarded",
                                                            patch: .json(Finalizers.addPatch(KubeObject(created), finalizer: "odooguard.io/test")),
                                                            subresource: nil, options: WriteOptions())
            #expect(KubeObject(withFinalizer).finalizers == ["odooguard.io/test"])
            #expect(Finalizers.decide(KubeObject(withFinalizer), finalizer: "odooguard.io/test") == .apply)
            // A patch guarded by the old version fails once the object changed.
            let stale = await #expect(throws: KubeClientError.self) {
                try await cluster.api.patch(.configMaps, namespace: cluster.namespace, name: "guarded",
                                            patch: .json(Finalizers.addPatch(KubeObject(created), finalizer: "other/x")),
                                            subresource: nil, options: WriteOptions())
            }
            #expect(stale == .invalid)

            let wrongUID = await #expect(throws: KubeClientError.self) {
                try await cluster.api.delete(.configMaps, namespace: cluster.namespace, name: "guarded",
                                             options: DeleteOptions(preconditionUID: "00000000-0000-0000-0000-000000000000"))
            }
            #expect(wrongUID == .conflict)

            _ = try await cluster.api.delete(.configMaps, namespace: cluster.namespace, name: "guarded", options: DeleteOptions())
            let terminating = try await cluster.api.get(.configMaps, namespace: cluster.namespace, name: "guarded")
            #expect(KubeObject(terminating).deletionTimestamp != nil)
            #expect(Finalizers.decide(KubeObject(terminating), finalizer: "odooguard.io/test") == .cleanup)
            let remove = try #require(Finalizers.removePatch(KubeObject(terminating), finalizer: "odooguard.io/test"))
            _ = try? await cluster.api.patch(.configMaps, namespace: cluster.namespace, name: "guarded", patch: .json(remove),
                                             subresource: nil, options: WriteOptions())
            #expect(try await cluster.eventually { try await cluster.api.getIfExists(.configMaps, namespace: cluster.namespace, name: "guarded") == nil })
        }
    }
}
