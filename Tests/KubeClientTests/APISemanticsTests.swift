import Foundation
import KubeAPITestServer
import KubeClient
import KubeModel
import Testing

/// The client against an API server: each test runs on the test server and, when `KUBECONFIG` is
/// set, unchanged against that cluster. Only behaviour the real API server has is asserted.
@Suite("KubeClient against an API server")
struct APISemanticsTests {
    @Test("create, get, conflicts on stale updates, no-op updates keep the version, delete", arguments: Backend.allCases)
    func crud(_ backend: Backend) async throws {
        try await backend.run { cluster in
            let created = try await cluster.create(cluster.configMap("settings", data: ["a": "1"]))
            let view = KubeObject(created)
            #expect(view.uid?.isEmpty == false)
            let version = try #require(view.resourceVersion)
            let fetched = try await cluster.api.get(.configMaps, namespace: cluster.namespace, name: "settings")
            #expect(fetched["data"]?["a"] == "1")
            #expect(fetched["kind"] == "ConfigMap")

            let again = await #expect(throws: KubeClientError.self) { try await cluster.create(cluster.configMap("settings")) }
            #expect(again == .alreadyExists)
            #expect(again?.status == 409)

            var changed = created
            _ = changed.set("2", at: "data.a")
            let updated = try await cluster.api.update(.configMaps, namespace: cluster.namespace, object: changed, subresource: nil, options: WriteOptions())
            #expect(KubeObject(updated).resourceVersion != version)
            // The first copy still carries the old version: the write is refused.
            _ = changed.set("3", at: "data.a")
            let stale = await #expect(throws: KubeClientError.self) {
                try await cluster.api.update(.configMaps, namespace: cluster.namespace, object: changed, subresource: nil, options: WriteOptions())
            }
            #expect(stale == .conflict)
            #expect(stale?.reason == "Conflict")

            let same = try await cluster.api.update(.configMaps, namespace: cluster.namespace, object: updated, subresource: nil, options: WriteOptions())
            #expect(KubeObject(same).resourceVersion == KubeObject(updated).resourceVersion)

            _ = try await cluster.api.delete(.configMaps, namespace: cluster.namespace, name: "settings", options: DeleteOptions())
            let gone = await #expect(throws: KubeClientError.self) {
                try await cluster.api.get(.configMaps, namespace: cluster.namespace, name: "settings")
            }
            #expect(gone == .notFound)
            #expect(try await cluster.api.getIfExists(.configMaps, namespace: cluster.namespace, name: "settings") == nil)
        }
    }

    @Test("an invalid name is a 422 naming metadata.name", arguments: Backend.allCases)
    func invalidName(_ backend: Backend) async throws {
        try await backend.run { cluster in
            let error = await #expect(throws: KubeClientError.self) { try await cluster.create(cluster.configMap("Not_Valid")) }
            #expect(error == .invalid)
            #expect(error?.causes.contains { $0.field == "metadata.name" } == true)
        }
    }

    @Test("label selectors and limit/continue pagination", arguments: Backend.allCases)
    func paginationAndSelectors(_ backend: Backend) async throws {
        try await backend.run { cluster in
            for index in 0..<7 {
                try await cluster.create(cluster.configMap("item-\(index)", labels: ["tier": index % 2 == 0 ? "shared" : "dedicated", "app": "odoo"]))
            }
            var names: [String] = []
            var pages = 0
            var options = ListOptions(labelSelector: "app=odoo", limit: 3)
            repeat {
                let page = try await cluster.api.list(.configMaps, namespace: cluster.namespace, options: options)
                #expect(page.items.count <= 3)
                names += page.items.map { KubeObject($0).name }
                pages += 1
                options.continueToken = page.continueToken
            } while options.continueToken != nil
            #expect(pages == 3)
            #expect(names.sorted() == (0..<7).map { "item-\($0)" })
            let shared = try await cluster.api.listAll(.configMaps, namespace: cluster.namespace, options: ListOptions(labelSelector: "tier in (shared),app"))
            #expect(shared.items.map { KubeObject($0).name }.sorted() == ["item-0", "item-2", "item-4", "item-6"])
            let notShared = try await cluster.api.listAll(.configMaps, namespace: cluster.namespace, options: ListOptions(labelSelector: "tier!=shared,app=odoo"))
            #expect(notShared.items.count == 3)
            let byName = try await cluster.api.listAll(.configMaps, namespace: cluster.namespace, options: ListOptions(fieldSelector: "metadata.name=item-3"))
            #expect(byName.items.map { KubeObject($0).name } == ["item-3"])
        }
    }

    @Test("merge patch, JSON patch, and a failed test op leaves the object untouched", arguments: Backend.allCases)
    func patches(_ backend: Backend) async throws {
        try await backend.run { cluster in
            try await cluster.create(cluster.configMap("patched", data: ["a": "1", "b": "2"]))
            let merged = try await cluster.api.patch(.configMaps, namespace: cluster.namespace, name: "patched",
                                                     patch: .merge(["data": ["a": nil, "c": "3"]]), subresource: nil, options: WriteOptions())
            #expect(merged["data"] == ["b": "2", "c": "3"])
            let failing = JSONPatch([.test("/data/b", "wrong"), .replace("/data/b", "9")])
            let error = await #expect(throws: KubeClientError.self) {
                try await cluster.api.patch(.configMaps, namespace: cluster.namespace, name: "patched", patch: .json(failing),
                                            subresource: nil, options: WriteOptions())
            }
            #expect(error == .invalid)
            let passing = JSONPatch([.test("/data/b", "2"), .replace("/data/b", "9")])
            let patched = try await cluster.api.patch(.configMaps, namespace: cluster.namespace, name: "patched", patch: .json(passing),
                                                      subresource: nil, options: WriteOptions())
            #expect(patched["data"]?["b"] == "9")
        }
    }

    @Test("server-side apply: ownership, conflicts with causes, force, and removal of fields no longer applied", arguments: Backend.allCases)
    func serverSideApply(_ backend: Backend) async throws {
        try await backend.run { cluster in
            let first = cluster.configMap("applied", data: ["shared": "1", "mine": "x"])
            let created = try await cluster.api.apply(.configMaps, object: first, fieldManager: "odoo-guard")
            #expect(created["data"] == ["shared": "1", "mine": "x"])
            let managers = created["metadata"]?["managedFields"]?.arrayValue?.compactMap { $0["manager"]?.stringValue } ?? []
            #expect(managers.contains("odoo-guard"))

            // Re-applying the same configuration changes nothing.
            let again = try await cluster.api.apply(.configMaps, object: first, fieldManager: "odoo-guard")
            #expect(KubeObject(again).resourceVersion == KubeObject(created).resourceVersion)

            let other = cluster.configMap("applied", data: ["shared": "2"])
            let conflict = await #expect(throws: KubeClientError.self) {
                try await cluster.api.apply(.configMaps, object: other, fieldManager: "someone-else")
            }
            #expect(conflict == .conflict)
            #expect(conflict?.causes.contains { $0.reason == "FieldManagerConflict" && $0.field.contains("shared") } == true)

            let forced = try await cluster.api.apply(.configMaps, object: other, fieldManager: "someone-else", force: true)
            #expect(forced["data"]?["shared"] == "2")

            // odoo-guard no longer owns "shared"; dropping "mine" from its configuration removes it.
            let shrunk = try await cluster.api.apply(.configMaps, object: cluster.configMap("applied", data: [:]), fieldManager: "odoo-guard")
            #expect(shrunk["data"] == ["shared": "2"])
        }
    }

    @Test("status is a subresource; generation counts spec changes only", arguments: Backend.allCases)
    func statusSubresource(_ backend: Backend) async throws {
        try await backend.run { cluster in
            let deployment: JSONValue = [
                "apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": ["name": "web", "namespace": .string(cluster.namespace)],
                "spec": ["replicas": 0, "selector": ["matchLabels": ["app": "web"]],
                         "template": ["metadata": ["labels": ["app": "web"]],
                                      "spec": ["containers": [["name": "web", "image": .string("registry.example/odoo@sha256:" + String(repeating: "a", count: 64))]]]]],
            ]
            let created = try await cluster.create(deployment, .deployments)
            #expect(KubeObject(created).generation == 1)
            let labelled = try await cluster.api.patch(.deployments, namespace: cluster.namespace, name: "web",
                                                       patch: .merge(["metadata": ["labels": ["team": "a"]], "status": ["observedGeneration": 99]]),
                                                       subresource: nil, options: WriteOptions())
            #expect(KubeObject(labelled).generation == 1)
            #expect(labelled["status"]?["observedGeneration"] != 99)
            let scaled = try await cluster.api.patch(.deployments, namespace: cluster.namespace, name: "web",
                                                     patch: .merge(["spec": ["replicas": 1]]), subresource: nil, options: WriteOptions())
            #expect(KubeObject(scaled).generation == 2)
            let status = try await cluster.api.patch(.deployments, namespace: cluster.namespace, name: "web",
                                                     patch: .merge(["spec": ["replicas": 5], "status": ["observedGeneration": 2]]),
                                                     subresource: "status", options: WriteOptions())
            #expect(status["spec"]?["replicas"] == 1)
            #expect(KubeObject(status).generation == 2)
        }
    }

    @Test("deleting an owner removes its dependents (background) or keeps them (orphan)", arguments: Backend.allCases)
    func garbageCollection(_ backend: Backend) async throws {
        try await backend.run { cluster in
            for (owner, policy) in [("owner-bg", DeleteOptions.Propagation.background), ("owner-orphan", .orphan)] {
                let parent = try await cluster.create(cluster.configMap(owner))
                var child = cluster.configMap(owner + "-child")
                _ = child.set([["apiVersion": "v1", "kind": "ConfigMap", "name": .string(owner),
                                "uid": .string(KubeObject(parent).uid ?? ""), "controller": true]], at: "metadata.ownerReferences")
                try await cluster.create(child)
                _ = try await cluster.api.delete(.configMaps, namespace: cluster.namespace, name: owner, options: DeleteOptions(propagationPolicy: policy))
                if policy == .background {
                    #expect(try await cluster.eventually { try await cluster.api.getIfExists(.configMaps, namespace: cluster.namespace, name: owner + "-child") == nil })
                } else {
                    #expect(try await cluster.eventually {
                        let kept = try await cluster.api.getIfExists(.configMaps, namespace: cluster.namespace, name: owner + "-child")
                        return kept.map { KubeObject($0).ownerReferences.isEmpty } ?? false
                    })
                }
            }
        }
    }

    @Test("a watch from a list's version sees ADDED, MODIFIED and DELETED in order", arguments: Backend.allCases)
    func watchOrder(_ backend: Backend) async throws {
        try await backend.run { cluster in
            let list = try await cluster.api.list(.configMaps, namespace: cluster.namespace, options: ListOptions())
            let events = cluster.api.watch(.configMaps, namespace: cluster.namespace,
                                           options: WatchOptions(resourceVersion: list.resourceVersion, fieldSelector: "metadata.name=watched", timeoutSeconds: 30))
            let created = try await cluster.create(cluster.configMap("watched", data: ["v": "1"]))
            var changed = created
            _ = changed.set("2", at: "data.v")
            _ = try await cluster.api.update(.configMaps, namespace: cluster.namespace, object: changed, subresource: nil, options: WriteOptions())
            _ = try await cluster.api.delete(.configMaps, namespace: cluster.namespace, name: "watched", options: DeleteOptions())
            var seen: [String] = []
            for try await event in events where event.kind != .bookmark {
                seen.append("\(event.kind.rawValue):\(event.object["data"]?["v"]?.stringValue ?? "")")
                if event.kind == .deleted { break }
            }
            #expect(seen == ["ADDED:1", "MODIFIED:2", "DELETED:2"])
        }
    }
}
