import KubeClient
import KubeModel
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle

/// What a reconcile asks for next.
public enum ReconcileAction: Sendable, Equatable {
    /// Reconcile again after this long even if nothing changes (polling something outside the cluster).
    case requeue(after: Duration)
    /// Nothing more until the object or one of its children changes (or the periodic resync).
    case awaitChange
}

/// A controller, as controller-runtime's: caches of the primary resource and of the kinds it owns,
/// a work queue of primary keys, and N workers calling `reconcile` — never two for the same key.
/// A change of a primary object queues its key; a change of an owned object queues its controlling
/// owner (the ownerReference with `controller: true` and the primary kind); every key is queued
/// again each `resyncPeriod`. A reconcile error goes to the configuration's ``ErrorPolicy`` (by
/// default the key backs off, 5 ms → 1000 s); a
/// ``KubeRuntimeError/Code/terminal`` error is logged and not retried until the object changes.
///
/// With a ``LeaderElector``, workers run only while this instance leads and stop at once when it
/// stops leading; the caches keep syncing either way so a new leader starts warm. Graceful shutdown
/// stops handing out keys, lets running reconciles finish, and releases the lease.
public final class Controller: Service {
    /// What the controller watches and how hard it works.
    public struct Configuration: Sendable {
        /// A name for logs.
        public var name: String
        /// The primary resource.
        public var resource: ResourceType
        /// Only this namespace (`nil`: all).
        public var namespace: String?
        /// Only primary objects with these labels (the API's text form): one shard of a large fleet.
        public var labelSelector: String?
        /// The kinds whose objects the primary creates and owns.
        public var owned: [ResourceType] = []
        /// How each owned kind is watched, when not in full and unfiltered: a label selector so that only
        /// the controller's own objects are listed, metadata only for kinds whose contents it never reads.
        public var ownedWatches: [ResourceType: OwnedWatch] = [:]
        /// A label naming the primary (in the same namespace) on owned-kind objects that have no
        /// controlling owner of the primary kind, such as the Jobs a CronJob creates (`nil`: owners only).
        public var ownerLabel: String?
        /// Concurrent reconciles (of different keys).
        public var workers = 2
        /// Every key is reconciled again this often (`nil`: never).
        public var resyncPeriod: Duration? = .seconds(600)
        /// The server-side timeout of each watch request.
        public var watchTimeoutSeconds = 290
        /// What a failed reconcile leads to (default: the work queue's backoff).
        public var errorPolicy = ErrorPolicy.backOff

        /// A configuration.
        public init(name: String, resource: ResourceType) {
            self.name = name
            self.resource = resource
        }
    }

    /// Reconciles one primary key; must be idempotent (it is called again after every change, every
    /// resync and every failure). Throwing backs the key off; throw ``KubeRuntimeError/terminal(_:)``
    /// for failures retrying cannot fix.
    public typealias Reconcile = @Sendable (ObjectKey) async throws -> ReconcileAction

    /// The configuration.
    public let configuration: Configuration
    /// The primary objects.
    public let store: ObjectStore
    /// The owned objects, by resource.
    public let ownedStores: [ResourceType: ObjectStore]
    /// The queue of primary keys.
    public let queue: WorkQueue<ObjectKey>
    let api: any KubernetesAPI
    let elector: LeaderElector?
    let reconcile: Reconcile
    let logger: Logger
    private let tally = NIOLockedValueBox(Counters())

    /// Reconcile outcomes so far.
    public struct Counters: Sendable, Equatable {
        /// Reconciles that succeeded.
        public var succeeded = 0
        /// Reconciles that threw and were requeued with backoff.
        public var failed = 0
        /// Reconciles that threw a terminal error.
        public var terminal = 0
    }

    /// A controller.
    /// - Throws: ``KubeRuntimeError`` `invalidConfiguration` for zero workers or a label selector
    ///   that cannot be read.
    /// - Parameter stores: the caches to fill, when the reconcile function needs them before the
    ///   controller exists (the primary cache, and one per owned resource; missing ones are created).
    public init(api: any KubernetesAPI, configuration: Configuration, leaderElector: LeaderElector? = nil,
                queue: WorkQueue<ObjectKey> = WorkQueue(), stores: (primary: ObjectStore, owned: [ResourceType: ObjectStore])? = nil,
                logger: Logger, reconcile: @escaping Reconcile) throws(KubeRuntimeError) {
        guard configuration.workers > 0 else {
            throw KubeRuntimeError.invalidConfiguration("controller \(configuration.name): workers must be at least 1")
        }
        for (selector, owned) in [(configuration.labelSelector, nil)] + configuration.ownedWatches.map({ ($0.value.labelSelector, $0.key) }) {
            guard let selector else { continue }
            do { _ = try LabelSelector(parsing: selector) } catch {
                let which = owned.map { "the label selector of \($0): " } ?? ""
                throw KubeRuntimeError.invalidConfiguration("controller \(configuration.name): \(which)\(error)", cause: error)
            }
        }
        self.api = api
        self.configuration = configuration
        elector = leaderElector
        self.queue = queue
        self.logger = logger
        self.reconcile = reconcile
        store = stores?.primary ?? ObjectStore()
        ownedStores = Dictionary(uniqueKeysWithValues: configuration.owned.map { ($0, stores?.owned[$0] ?? ObjectStore()) })
    }

    /// Reconcile outcomes so far.
    public var counters: Counters { tally.withLockedValue { $0 } }

    /// Watches, queues and reconciles until cancelled or gracefully shut down.
    public func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.reflectPrimary() }
                await store.waitUntilReady()
                // The owned caches are listed one after the other: their first lists are the largest
                // responses the controller reads, and together they would all be in memory at once.
                // As controller-runtime's WaitForCacheSync, no worker starts before every cache has its
                // first list, or a reconcile would take an unsynced cache for "nothing exists".
                for (resource, owned) in ownedStores.sorted(by: { $0.key.description < $1.key.description }) {
                    group.addTask { await self.reflectOwned(resource, into: owned) }
                    await owned.waitUntilReady()
                }
                if let period = configuration.resyncPeriod {
                    group.addTask { await self.resync(every: period) }
                }
                if Task.isCancelled { return }
                if let elector {
                    await elector.run { await self.work() }
                } else {
                    await work()
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.queue.shutDown()
            self.elector?.stop()
        }
    }

    /// Runs the workers until the queue shuts down or the task is cancelled.
    func work() async {
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<configuration.workers {
                group.addTask {
                    while let key = await self.queue.next() { await self.process(key) }
                }
            }
        }
    }

    func process(_ key: ObjectKey) async {
        defer { queue.done(key) }
        var metadata: Logger.Metadata = ["controller": "\(configuration.name)", "k8s.kind": "\(configuration.resource.kind)", "k8s.name": "\(key.name)"]
        if let namespace = key.namespace { metadata["k8s.namespace"] = "\(namespace)" }
        do {
            let action = try await reconcile(key)
            if Task.isCancelled { queue.add(key); return } // interrupted (leadership lost): the next leader redoes it
            queue.forget(key)
            tally.withLockedValue { $0.succeeded += 1 }
            if case .requeue(let delay) = action { queue.add(key, after: delay) }
        } catch let error as KubeRuntimeError where error == .terminal {
            queue.forget(key)
            tally.withLockedValue { $0.terminal += 1 }
            logger.error("reconcile failed; not retrying until the object changes", metadata: metadata.merging(["error": "\(error)"]) { $1 })
        } catch {
            if Task.isCancelled { queue.add(key); return }
            tally.withLockedValue { $0.failed += 1 }
            let delay: Duration
            switch configuration.errorPolicy.action(for: error, failures: queue.failures(of: key)) {
            case .backOff:
                delay = queue.addRateLimited(key)
            case .requeue(let after):
                delay = after
                queue.recordFailure(key)
                queue.add(key, after: after)
            case .giveUp:
                queue.forget(key)
                logger.error("reconcile failed; not retrying until the object changes", metadata: metadata.merging(["error": "\(error)"]) { $1 })
                return
            }
            logger.warning("reconcile failed; retrying", metadata: metadata.merging(["error": "\(error)", "retry.in": "\(delay)"]) { $1 })
        }
    }

    func reflectPrimary() async {
        let watcher = Watcher(api: api, resource: configuration.resource, namespace: configuration.namespace,
                              labelSelector: configuration.labelSelector, watchTimeoutSeconds: configuration.watchTimeoutSeconds, logger: logger)
        var listed: Set<ObjectKey> = []
        for await event in watcher {
            switch event {
            case .listed(let objects, let first, let last):
                if first { listed = [] }
                listed.formUnion(objects.lazy.map { ObjectKey(KubeObject($0)) })
                guard last else {
                    store.apply(event)
                    continue
                }
                relisted(listed, event)
                listed = []
            case .applied(let object), .deleted(let object):
                store.apply(event)
                queue.add(ObjectKey(KubeObject(object)))
            }
        }
    }

    /// A list is complete: every key in it is queued, and (a re-list after 410 may miss deletions in
    /// the gap) so is every key the store held that it no longer has. Keys are queued only now, so no
    /// worker reads the store while it still holds the previous contents.
    private func relisted(_ keys: Set<ObjectKey>, _ event: WatcherEvent) {
        let vanished = Set(store.keys).subtracting(keys)
        store.apply(event)
        // A list's keys wait behind the changes seen meanwhile (a re-list queues every object again).
        for key in keys { queue.add(key, priority: .low) }
        for key in vanished { queue.add(key) }
    }

    /// A watcher of a secondary kind, scoped as `scope` says.
    func watcher(_ resource: ResourceType, _ scope: OwnedWatch?) -> Watcher {
        let scope = scope ?? OwnedWatch()
        return Watcher(api: api, resource: resource, namespace: configuration.namespace, labelSelector: scope.labelSelector,
                       metadataOnly: scope.metadataOnly, watchTimeoutSeconds: configuration.watchTimeoutSeconds, logger: logger)
    }

    func reflectOwned(_ resource: ResourceType, into store: ObjectStore) async {
        // Owners named by a list's pages, queued once the list is complete (see ``relisted(_:_:)``).
        var owners: Set<ObjectKey> = []
        for await event in watcher(resource, configuration.ownedWatches[resource]) {
            store.apply(event)
            switch event {
            case .listed(let objects, let first, let last):
                if first { owners = [] }
                owners.formUnion(objects.lazy.compactMap { self.ownerKey(of: KubeObject($0)) })
                guard last else { continue }
                for key in owners { queue.add(key, priority: .low) }
                owners = []
            case .applied(let object), .deleted(let object): enqueueOwner(of: KubeObject(object))
            }
        }
    }

    /// Queues the controlling owner of `object` when it is of the primary kind.
    func enqueueOwner(of object: KubeObject) {
        if let key = ownerKey(of: object) { queue.add(key) }
    }

    /// The key of `object`'s owner of the primary kind, when this instance watches it.
    func ownerKey(of object: KubeObject) -> ObjectKey? {
        let primary = configuration.resource
        for owner in object.ownerReferences where owner.controller && owner.kind == primary.kind
            && GroupVersionKind(apiVersion: owner.apiVersion, kind: owner.kind).group == primary.group {
            let key = ObjectKey(namespace: primary.namespaced ? object.namespace : nil, name: owner.name)
            // Sharding: only owners this instance watches.
            if store.isReady, store.get(key) == nil, configuration.labelSelector != nil { continue }
            return key
        }
        if let label = configuration.ownerLabel, primary.namespaced, let name = object.labels[label], let namespace = object.namespace {
            let key = ObjectKey(namespace: namespace, name: name)
            if store.isReady, store.get(key) == nil { return nil }
            return key
        }
        return nil
    }

    func resync(every period: Duration) async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: period) } catch { return }
            // Behind every change: a resync re-checks, a change is what someone waits for.
            for key in store.keys { queue.add(key, priority: .low) }
        }
    }
}
