import KubeModel
import NIOConcurrencyHelpers

/// A reflector's cache: the objects of one watcher by namespace/name, with a label index. Reads are
/// synchronous and lock-protected, so the admission path can use them without an API call; the
/// cache is ``isReady`` only after the first list has been applied.
public final class ObjectStore: Sendable {
    struct State {
        var objects: [ObjectKey: JSONValue] = [:]
        var byLabel: [String: [String: Set<ObjectKey>]] = [:]
        var byNamespace: [String: Set<ObjectKey>] = [:]
        var ready = false
        var readyWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
    }

    private let state = NIOLockedValueBox(State())

    /// An empty, not yet ready store.
    public init() {}

    /// Applies one watcher event (a restart replaces everything and makes the store ready).
    public func apply(_ event: WatcherEvent) {
        let waiters: [CheckedContinuation<Void, Never>] = state.withLockedValue { state in
            switch event {
            case .restarted(let objects):
                state.objects.removeAll(keepingCapacity: true)
                state.byLabel.removeAll(keepingCapacity: true)
                state.byNamespace.removeAll(keepingCapacity: true)
                for object in objects { Self.insert(object, into: &state) }
                guard !state.ready else { return [] }
                state.ready = true
                defer { state.readyWaiters.removeAll() }
                return Array(state.readyWaiters.values)
            case .applied(let object):
                Self.remove(ObjectKey(KubeObject(object)), from: &state)
                Self.insert(object, into: &state)
            case .deleted(let object):
                Self.remove(ObjectKey(KubeObject(object)), from: &state)
            }
            return []
        }
        for waiter in waiters { waiter.resume() }
    }

    private static func insert(_ object: JSONValue, into state: inout State) {
        let view = KubeObject(object)
        let key = ObjectKey(view)
        state.objects[key] = object
        state.byNamespace[key.namespace ?? "", default: []].insert(key)
        for (label, value) in view.labels { state.byLabel[label, default: [:]][value, default: []].insert(key) }
    }

    private static func remove(_ key: ObjectKey, from state: inout State) {
        guard let old = state.objects.removeValue(forKey: key) else { return }
        state.byNamespace[key.namespace ?? ""]?.remove(key)
        for (label, value) in KubeObject(old).labels { state.byLabel[label]?[value]?.remove(key) }
    }

    /// Whether the first list has been applied.
    public var isReady: Bool { state.withLockedValue { $0.ready } }

    /// Returns once the first list has been applied (at once when it has), or when the task is cancelled.
    public func waitUntilReady() async {
        let id = state.withLockedValue { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLockedValue { state in
                    if state.ready || Task.isCancelled { return true }
                    state.readyWaiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLockedValue { $0.readyWaiters.removeValue(forKey: id) }?.resume()
        }
    }

    /// The object, or `nil`.
    public func get(_ key: ObjectKey) -> JSONValue? { state.withLockedValue { $0.objects[key] } }

    /// Objects in `namespace` (all when `nil`) matching `selector` (all when `nil`), by key order.
    /// Both narrow through indexes first, so a lookup costs what it returns, not the cache's size.
    public func list(namespace: String? = nil, selector: LabelSelector? = nil) -> [JSONValue] {
        state.withLockedValue { state in
            var keys: Set<ObjectKey>? = namespace.map { state.byNamespace[$0] ?? [] }
            for (label, value) in selector?.matchLabels ?? [:] {
                let matching = state.byLabel[label]?[value] ?? []
                keys = keys.map { $0.intersection(matching) } ?? matching
            }
            let candidates = keys.map { Array($0) } ?? Array(state.objects.keys)
            return candidates.sorted().compactMap { key in
                guard let object = state.objects[key] else { return nil }
                if let selector, !selector.matchExpressions.isEmpty, !selector.matches(KubeObject(object).labels) { return nil }
                return object
            }
        }
    }

    /// Every key, sorted.
    public var keys: [ObjectKey] { state.withLockedValue { $0.objects.keys.sorted() } }

    /// The number of objects.
    public var count: Int { state.withLockedValue { $0.objects.count } }
}
