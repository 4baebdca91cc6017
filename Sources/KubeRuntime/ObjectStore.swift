import KubeModel
import NIOConcurrencyHelpers

/// A reflector's cache: the objects of one watcher by namespace/name, with a label index. Reads are
/// synchronous and lock-protected, so the admission path can use them without an API call; the
/// cache is ``isReady`` only after the first list has been applied.
public final class ObjectStore: Sendable {
    /// One cached object: the JSON tree, or (compact stores) its serialized bytes, parsed on read —
    /// deflated (``DeflatedJSON``) when the store says so, and inflated first.
    struct Entry {
        enum Body {
            case tree(JSONValue)
            case compact([UInt8])
            case deflated([UInt8], size: UInt32)
        }
        let body: Body

        init(_ object: JSONValue, compact: Bool, deflated: Bool) {
            guard compact else {
                body = .tree(object)
                return
            }
            let bytes = object.serializedBytes()
            if deflated, bytes.count <= UInt32.max, let deflated = DeflatedJSON.compress(bytes) {
                body = .deflated(deflated, size: UInt32(bytes.count))
            } else {
                // Copied to an exactly sized buffer: the serializer's growth leaves up to half unused.
                body = .compact([UInt8](unsafeUninitializedCapacity: bytes.count) { buffer, count in
                    count = buffer.initialize(from: bytes).1 - buffer.startIndex
                })
            }
        }

        /// The object's labels (a compact entry parses for them: kept apart they cost more memory
        /// than the serialized object).
        var labels: [String: String] { value.map { KubeObject($0).labels } ?? [:] }

        var value: JSONValue? {
            switch body {
            case .tree(let value): return value
            case .compact(let bytes): return try? JSONParser.parse(bytes)
            case .deflated(let bytes, let size): return DeflatedJSON.decompress(bytes, size: Int(size)).flatMap { try? JSONParser.parse($0) }
            }
        }

        /// Bytes the entry keeps (its tree counted as its serialized size).
        var storedBytes: Int {
            switch body {
            case .tree(let value): return value.serializedBytes().count
            case .compact(let bytes), .deflated(let bytes, _): return bytes.count
            }
        }
    }

    struct State {
        var objects: [ObjectKey: Entry] = [:]
        var byLabel: [String: [String: Set<ObjectKey>]] = [:]
        var byNamespace: [String: Set<ObjectKey>] = [:]
        /// The pages of a list in progress, prepared.
        var staged: [(ObjectKey, Entry, [String: String])] = []
        var ready = false
        var readyWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
    }

    private let state = NIOLockedValueBox(State())
    private let listeners = NIOLockedValueBox([@Sendable () -> Void]())
    /// Applied to every object before it is stored (controller-runtime's cache transform).
    let transform: (@Sendable (JSONValue) -> JSONValue)?
    /// Whether objects are kept serialized (a fraction of the memory of a JSON tree; each read parses).
    public let compact: Bool
    /// Whether a compact store deflates what it keeps (about a third of the bytes again; each read
    /// inflates first): for large caches off any request path, such as the operator's.
    public let deflated: Bool
    /// The labels the index keeps (`nil`: every label). A selector on another label is answered by
    /// reading the candidates' labels instead.
    public let indexedLabels: Set<String>?

    /// An empty, not yet ready store; `transform` trims each object before it is kept (see
    /// ``ObjectStore/withoutBookkeeping(_:)``); `compact` keeps objects serialized, for large caches
    /// read a few objects at a time (an operator's owned objects), not for per-request lookups;
    /// `deflated` makes a compact store deflate them too; `indexedLabels` limits the label index to the
    /// labels looked up by (an index entry per label of every object is, in a large cache, as big as
    /// the objects themselves).
    public init(transform: (@Sendable (JSONValue) -> JSONValue)? = nil, compact: Bool = false, deflated: Bool = false,
                indexedLabels: Set<String>? = nil) {
        self.transform = transform
        self.compact = compact
        self.deflated = deflated
        self.indexedLabels = indexedLabels
    }

    private func indexes(_ label: String) -> Bool { indexedLabels?.contains(label) ?? true }

    /// Keeps `apiVersion`, `kind` and the identifying metadata (name, namespace, uid, resourceVersion,
    /// labels, ownerReferences, deletionTimestamp), for a cache that only asks what exists and who owns
    /// it: a spec, a status or a Secret's data never sits in memory.
    @Sendable public static func metadataOnly(_ object: JSONValue) -> JSONValue {
        var metadata: JSONObject = [:]
        for key in ["name", "namespace", "uid", "resourceVersion", "labels", "ownerReferences", "deletionTimestamp"] {
            if let value = object["metadata"]?[key] { metadata[key] = value }
        }
        var result: JSONObject = ["metadata": .object(metadata)]
        if let apiVersion = object["apiVersion"] { result["apiVersion"] = apiVersion }
        if let kind = object["kind"] { result["kind"] = kind }
        return .object(result)
    }

    /// The object without the API's and kubectl's bookkeeping: `metadata.managedFields` (server-side
    /// apply's, often the larger part of an object) and the `kubectl.kubernetes.io/last-applied-configuration`
    /// annotation (a second copy of the object as someone last applied it). No reconcile reads either
    /// from a cache. Idempotent; an object without them is returned as it is.
    @Sendable public static func withoutBookkeeping(_ object: JSONValue) -> JSONValue {
        let annotations = object["metadata"]?["annotations"]
        let lastApplied = annotations?[lastAppliedAnnotation] != nil
        guard object["metadata"]?["managedFields"] != nil || lastApplied,
              case .object(var root) = object, case .object(var metadata)? = root["metadata"] else { return object }
        metadata.removeValue(forKey: "managedFields")
        if lastApplied, case .object(var kept)? = annotations {
            kept.removeValue(forKey: lastAppliedAnnotation)
            metadata["annotations"] = .object(kept)
        }
        root["metadata"] = .object(metadata)
        return .object(root)
    }

    /// kubectl's client-side apply annotation.
    static let lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

    /// Applies one watcher event (a restart replaces everything and makes the store ready).
    public func apply(_ event: WatcherEvent) {
        // Trimmed and serialized before the lock is taken.
        let prepare = { (object: JSONValue) -> (ObjectKey, Entry, [String: String]) in
            let object = self.transform?(object) ?? object
            let view = KubeObject(object)
            let labels = self.indexedLabels == nil ? view.labels : view.labels.filter { self.indexes($0.key) }
            return (ObjectKey(view), Entry(object, compact: self.compact, deflated: self.deflated), labels)
        }
        let waiters: [CheckedContinuation<Void, Never>]
        switch event {
        case .listed(let objects, let first, let last):
            waiters = list(objects.map(prepare), first: first, last: last)
        case .applied(let object):
            let (key, entry, labels) = prepare(object)
            waiters = state.withLockedValue { state in
                self.remove(key, from: &state)
                Self.insert(entry, labels: labels, at: key, into: &state)
                return []
            }
        case .deleted(let object):
            let key = ObjectKey(KubeObject(object))
            waiters = state.withLockedValue { state in
                self.remove(key, from: &state)
                return []
            }
        }
        for waiter in waiters { waiter.resume() }
        for listener in listeners.withLockedValue({ $0 }) { listener() }
    }

    /// Stages a list's page (kept prepared, so the page's trees are freed at once); the last page
    /// replaces the contents and makes the store ready. Reads see the previous contents until then.
    private func list(_ entries: [(ObjectKey, Entry, [String: String])], first: Bool, last: Bool) -> [CheckedContinuation<Void, Never>] {
        state.withLockedValue { state in
            if first { state.staged.removeAll() }
            state.staged.append(contentsOf: entries)
            guard last else { return [] }
            let staged = state.staged
            state.staged = []
            state.objects.removeAll(keepingCapacity: true)
            state.byLabel.removeAll(keepingCapacity: true)
            state.byNamespace.removeAll(keepingCapacity: true)
            for (key, entry, labels) in staged { Self.insert(entry, labels: labels, at: key, into: &state) }
            guard !state.ready else { return [] }
            state.ready = true
            defer { state.readyWaiters.removeAll() }
            return Array(state.readyWaiters.values)
        }
    }

    /// Calls `listener` after every change applied from now on (a list, an object added, changed or
    /// deleted), outside the store's lock: how a second controller is woken by a cache it shares
    /// rather than watching the same objects again. The listener must not block.
    public func onChange(_ listener: @escaping @Sendable () -> Void) {
        listeners.withLockedValue { $0.append(listener) }
    }

    private static func insert(_ entry: Entry, labels: [String: String], at key: ObjectKey, into state: inout State) {
        state.objects[key] = entry
        state.byNamespace[key.namespace ?? "", default: []].insert(key)
        for (label, value) in labels { state.byLabel[label, default: [:]][value, default: []].insert(key) }
    }

    private func remove(_ key: ObjectKey, from state: inout State) {
        guard let old = state.objects.removeValue(forKey: key) else { return }
        state.byNamespace[key.namespace ?? ""]?.remove(key)
        guard indexedLabels?.isEmpty != true else { return }
        for (label, value) in old.labels where indexes(label) { state.byLabel[label]?[value]?.remove(key) }
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
    public func get(_ key: ObjectKey) -> JSONValue? { state.withLockedValue { $0.objects[key] }?.value }

    /// Objects in `namespace` (all when `nil`) matching `selector` (all when `nil`), by key order.
    /// Both narrow through indexes first, so a lookup costs what it returns, not the cache's size.
    public func list(namespace: String? = nil, selector: LabelSelector? = nil) -> [JSONValue] {
        state.withLockedValue { state in
            var keys: Set<ObjectKey>? = namespace.map { state.byNamespace[$0] ?? [] }
            var unindexed = false
            for (label, value) in selector?.matchLabels ?? [:] {
                guard indexes(label) else {
                    unindexed = true
                    continue
                }
                let matching = state.byLabel[label]?[value] ?? []
                keys = keys.map { $0.intersection(matching) } ?? matching
            }
            let candidates = keys.map { Array($0) } ?? Array(state.objects.keys)
            return candidates.sorted().compactMap { key -> Entry? in
                guard let entry = state.objects[key] else { return nil }
                if let selector, unindexed || !selector.matchExpressions.isEmpty, !selector.matches(entry.labels) { return nil }
                return entry
            }
        }.compactMap(\.value)
    }

    /// How many objects carry `label` = `value`: from the label index (no object is read) when the
    /// store indexes `label`, else by reading every object's labels.
    public func count(label: String, value: String) -> Int {
        guard indexes(label) else {
            return state.withLockedValue { $0.objects.values.filter { $0.labels[label] == value }.count }
        }
        return state.withLockedValue { $0.byLabel[label]?[value]?.count ?? 0 }
    }

    /// Every key, sorted.
    public var keys: [ObjectKey] { state.withLockedValue { $0.objects.keys.sorted() } }

    /// The number of objects.
    public var count: Int { state.withLockedValue { $0.objects.count } }

    /// The bytes the cached objects take as kept (a tree store counts its objects' serialized size). Reads every entry under the lock: for tests and diagnostics.
    public var storedBytes: Int { state.withLockedValue { $0.objects.values.reduce(0) { $0 + $1.storedBytes } } }
}
