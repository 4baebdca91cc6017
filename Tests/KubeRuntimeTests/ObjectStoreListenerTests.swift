import Foundation
import KubeModel
import KubeRuntime
import NIOConcurrencyHelpers
import Testing

/// A store's change listeners: what lets the release controller share the environment controller's
/// cache instead of watching every environment a second time.
@Suite("ObjectStore listeners")
struct ObjectStoreListenerTests {
    static func object(_ name: String, _ version: String) -> JSONValue {
        ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name), "namespace": "a", "resourceVersion": .string(version)]]
    }

    @Test func everyAppliedEventCallsEveryListenerAfterTheChange() {
        let store = ObjectStore(compact: true)
        let seen = NIOLockedValueBox([Int]())
        store.apply(.listed([Self.object("before", "1")], first: true, last: true))  // before any listener: not seen
        store.onChange { seen.withLockedValue { $0.append(store.count) } }
        store.onChange { seen.withLockedValue { $0.append(-1) } }
        store.apply(.applied(Self.object("x", "2")))
        store.apply(.applied(Self.object("x", "3")))
        store.apply(.deleted(Self.object("before", "4")))
        store.apply(.listed([], first: true, last: true))
        // Each event called both listeners once, after the store had changed (counts 2, 2, 1, 0).
        #expect(seen.withLockedValue { $0 } == [2, -1, 2, -1, 1, -1, 0, -1])
    }
}
