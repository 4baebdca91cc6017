import Foundation
import KubeAPITestServer
import KubeClient
import KubeModel
import Testing

/// Metadata-only lists and watches (issue #34): a Secret's values never reach the client, from a
/// server that answers `PartialObjectMetadata` and from one that sends whole objects.
@Suite("Metadata-only reads")
struct MetadataOnlyTests {
    static func secret(_ name: String, namespace: String) -> JSONValue {
        ["apiVersion": "v1", "kind": "Secret", "type": "Opaque",
         "metadata": ["name": .string(name), "namespace": .string(namespace), "labels": ["app.kubernetes.io/managed-by": "odoo-guard"]],
         "data": ["password": .string(Data("hunter2-\(name)".utf8).base64EncodedString())]]
    }

    /// What a metadata-only object must be: the resource's kind, its name and labels, nothing else.
    static func expectMetadataOnly(_ object: JSONValue, name: String) {
        #expect(object["kind"] == "Secret")
        #expect(object["apiVersion"] == "v1")
        #expect(object["metadata"]?["name"]?.stringValue == name)
        #expect(object["metadata"]?["labels"]?["app.kubernetes.io/managed-by"] == "odoo-guard")
        #expect(object["metadata"]?["managedFields"] == nil)
        #expect(Set(object.objectValue?.keys.map { $0 } ?? []) == ["apiVersion", "kind", "metadata"])
        #expect(!String(decoding: object.serializedBytes(), as: UTF8.self).contains(Data("hunter2".utf8).base64EncodedString().prefix(8)))
    }

    static func listAndWatch(_ cluster: Cluster) async throws {
        _ = try await cluster.create(secret("first", namespace: cluster.namespace), .secrets)
        let list = try await cluster.api.list(.secrets, namespace: cluster.namespace,
                                              options: ListOptions(labelSelector: "app.kubernetes.io/managed-by=odoo-guard", metadataOnly: true))
        #expect(list.items.count == 1)
        for item in list.items { expectMetadataOnly(item, name: "first") }
        #expect(!list.resourceVersion.isEmpty)

        let events = cluster.api.watch(.secrets, namespace: cluster.namespace, options: WatchOptions(
            resourceVersion: list.resourceVersion, labelSelector: "app.kubernetes.io/managed-by=odoo-guard",
            allowWatchBookmarks: false, timeoutSeconds: 20, metadataOnly: true))
        _ = try await cluster.create(secret("second", namespace: cluster.namespace), .secrets)
        var iterator = events.makeAsyncIterator()
        let event = try #require(try await iterator.next())
        #expect(event.kind == .added)
        expectMetadataOnly(event.object, name: "second")
        // A whole read still has the values: the option changes only what is asked for.
        let whole = try await cluster.api.get(.secrets, namespace: cluster.namespace, name: "second")
        #expect(whole["data"]?["password"] != nil)
    }

    @Test("a list and a watch asked for metadata carry no data, as the resource's own kind", arguments: Backend.allCases)
    func metadataOnly(_ backend: Backend) async throws {
        try await backend.run { cluster in
            try await Self.listAndWatch(cluster)
            if let server = cluster.server {
                // The server was asked for PartialObjectMetadata: the values never crossed the wire.
                let reads = server.metadataOnlyReads
                #expect(reads.contains { $0.hasPrefix("/api/v1/namespaces/\(cluster.namespace)/secrets?") && !$0.contains("watch=true") })
                #expect(reads.contains { $0.hasPrefix("/api/v1/namespaces/\(cluster.namespace)/secrets?") && $0.contains("watch=true") })
            }
        }
    }

    @Test("a server that sends whole objects: the client cuts them down to metadata")
    func fallback() async throws {
        try await Backend.testServer.run { cluster in
            let server = try #require(cluster.server)
            server.servePartialMetadata(false)
            try await Self.listAndWatch(cluster)
            #expect(server.metadataOnlyReads.isEmpty)
        }
    }

    @Test("reduce keeps apiVersion, kind and metadata less managedFields", arguments: [
        JSONValue.object(["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": ["name": "a", "managedFields": []]]),
        JSONValue.object(["kind": "Secret", "apiVersion": "v1", "metadata": ["name": "a"], "data": ["k": "dg=="], "type": "Opaque"]),
        JSONValue.object(["metadata": ["name": "a"], "stringData": ["k": "v"]]),
    ])
    func reduce(_ object: JSONValue) {
        #expect(PartialObjectMetadata.reduce(object, resource: .secrets) == ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "a"]])
    }
}
