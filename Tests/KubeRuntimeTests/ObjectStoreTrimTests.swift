import Foundation
import KubeAPITestServer
import KubeClient
import KubeModel
import KubeRuntime
import TestSupport
import Testing

/// What the operator's caches keep (issue #37): no API or kubectl bookkeeping, and a restart's list
/// trimmed page by page as it arrives, never held whole first.
@Suite("Cache trimming")
struct ObjectStoreTrimTests {
    static let lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

    struct Case: Sendable, CustomStringConvertible {
        let description: String
        let object: JSONValue
        let expected: JSONValue
    }

    static let cases: [Case] = [
        Case(description: "both removed, other annotations kept",
             object: ["kind": "ConfigMap", "metadata": ["name": "a", "managedFields": [["manager": "kubectl"]],
                                                       "annotations": [.init(stringLiteral: lastApplied): "{\"big\":1}", "keep": "me"]], "data": ["k": "v"]],
             expected: ["kind": "ConfigMap", "metadata": ["name": "a", "annotations": ["keep": "me"]], "data": ["k": "v"]]),
        Case(description: "only the annotation",
             object: ["kind": "ConfigMap", "metadata": ["name": "a", "annotations": [.init(stringLiteral: lastApplied): "{}"]]],
             expected: ["kind": "ConfigMap", "metadata": ["name": "a", "annotations": [:]]]),
        Case(description: "nothing to remove: returned as it is",
             object: ["kind": "ConfigMap", "metadata": ["name": "a", "annotations": ["keep": "me"]]],
             expected: ["kind": "ConfigMap", "metadata": ["name": "a", "annotations": ["keep": "me"]]]),
        Case(description: "annotations of the wrong type: managedFields still removed, annotations left",
             object: ["kind": "ConfigMap", "metadata": ["name": "a", "managedFields": [], "annotations": "x"]],
             expected: ["kind": "ConfigMap", "metadata": ["name": "a", "annotations": "x"]]),
        Case(description: "not an object", object: "text", expected: "text"),
    ]

    @Test("bookkeeping is removed, idempotently", arguments: cases)
    func trims(_ example: Case) {
        let once = ObjectStore.withoutBookkeeping(example.object)
        #expect(once == example.expected)
        #expect(ObjectStore.withoutBookkeeping(once) == once)
    }

    @Test("a watcher's restart list arrives and is trimmed page by page", arguments: Backend.allCases)
    func pagedRestart(_ backend: Backend) async throws {
        try await backend.run { cluster in
            for index in 0..<5 {
                var object = cluster.configMap("trim-\(index)")
                object.set(.string(String(repeating: "x", count: 4_096)), at: FieldPath([.key("metadata"), .key("annotations"), .key(Self.lastApplied)]))
                _ = try await cluster.create(object)
            }
            let pages = Locked(0)
            let watcher = Watcher(api: cluster.api, resource: .configMaps, namespace: cluster.namespace, pageSize: 2, logger: cluster.logger)
            // The list arrives page by page, and the store trims and keeps each page as it comes.
            let store = ObjectStore(transform: { object in
                pages.withLock { $0 += 1 }
                return ObjectStore.withoutBookkeeping(object)
            }, compact: true, deflated: true)
            var iterator = watcher.makeAsyncIterator()
            var objects: [JSONValue] = []
            var pageSizes: [Int] = []
            while true {
                guard case .listed(let page, let first, let last)? = await iterator.next() else {
                    Issue.record("the watcher did not list first")
                    return
                }
                #expect(first == pageSizes.isEmpty)
                pageSizes.append(page.count)
                objects += page
                store.apply(.listed(page, first: first, last: last))
                #expect(store.isReady == last, "the store is ready only once the list is complete")
                if last { break }
            }
            #expect(pageSizes.allSatisfy { $0 <= 2 } && pageSizes.count >= 3, "\(pageSizes)")
            #expect(store.count == objects.count)
            let ours = store.list().filter { $0["metadata"]?["name"]?.stringValue?.hasPrefix("trim-") == true }
            #expect(ours.count == 5)
            #expect(ours.allSatisfy { $0["metadata"]?["annotations"]?[Self.lastApplied] == nil && $0["metadata"]?["managedFields"] == nil })
            #expect(pages.withLock { $0 } == objects.count, "the transform ran once per listed object")
        }
    }

    @Test("a store indexing one label still answers selectors and counts on every label", arguments: [true, false])
    func partialLabelIndex(_ compact: Bool) throws {
        let store = ObjectStore(compact: compact, indexedLabels: ["managed"])
        func object(_ name: String, _ namespace: String, _ labels: [String: String]) -> JSONValue {
            ["apiVersion": "v1", "kind": "ConfigMap",
             "metadata": ["name": .string(name), "namespace": .string(namespace), "labels": .object(JSONObject(uniqueKeysWithValues: labels.map { ($0.key, .string($0.value)) }))]]
        }
        store.apply(.listed([object("a", "x", ["managed": "yes", "tier": "shared"]), object("b", "x", ["managed": "yes", "tier": "dedicated"]),
                                object("c", "y", ["tier": "shared"])], first: true, last: true))
        let names = { (selector: String, namespace: String?) throws -> [String] in
            try store.list(namespace: namespace, selector: LabelSelector(parsing: selector)).compactMap { $0["metadata"]?["name"]?.stringValue }
        }
        #expect(try names("tier=shared", nil) == ["a", "c"])
        #expect(try names("tier=shared", "x") == ["a"])
        #expect(try names("managed=yes,tier=dedicated", nil) == ["b"])
        #expect(try names("managed=yes", nil) == ["a", "b"])
        #expect(store.count(label: "managed", value: "yes") == 2)
        #expect(store.count(label: "tier", value: "shared") == 2)
        // A change moves an object between label values in the index and outside it.
        store.apply(.applied(object("a", "x", ["tier": "dedicated"])))
        #expect(store.count(label: "managed", value: "yes") == 1)
        #expect(try names("tier=dedicated", nil) == ["a", "b"])
        store.apply(.deleted(object("b", "x", [:])))
        #expect(store.count(label: "managed", value: "yes") == 0)
        #expect(try names("tier=dedicated", nil) == ["a"])
    }

    @Test func anInterruptedListIsVoidAndReadsSeeTheOldContentsUntilTheLastPage() {
        let store = ObjectStore(compact: true)
        func object(_ name: String) -> JSONValue { ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name), "namespace": "n"]] }
        store.apply(.listed([object("old")], first: true, last: true))
        store.apply(.listed([object("half")], first: true, last: false))   // interrupted: its next page never comes
        #expect(store.keys.map(\.name) == ["old"])
        store.apply(.listed([object("a")], first: true, last: false))
        store.apply(.listed([object("b")], first: false, last: false))
        #expect(store.keys.map(\.name) == ["old"], "a list in progress is not visible")
        store.apply(.listed([object("c")], first: false, last: true))
        #expect(store.keys.map(\.name) == ["a", "b", "c"])
    }
}
