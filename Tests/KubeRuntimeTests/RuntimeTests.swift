import Foundation
import KubeAPITestServer
import KubeClient
import KubeModel
import KubeRuntime
import Logging
import ServiceLifecycle
import TestSupport
import Testing

@Suite("KubeRuntime")
struct RuntimeTests {
    @Test("the watcher lists, follows changes, resumes after dropped watches and re-lists after 410", arguments: Backend.allCases)
    func watcher(_ backend: Backend) async throws {
        try await backend.run { cluster in
            try await cluster.create(cluster.configMap("before"))
            let store = ObjectStore()
            let restarts = Locked(0)
            let watcher = Watcher(api: cluster.api, resource: .configMaps, namespace: cluster.namespace, watchTimeoutSeconds: 30,
                                  backoff: Backoff(initial: .milliseconds(20), maximum: .milliseconds(200)), logger: cluster.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await event in watcher {
                        if case .listed(_, _, last: true) = event { restarts.withLock { $0 += 1 } }
                        store.apply(event)
                    }
                }
                await store.waitUntilReady()
                #expect(store.get(ObjectKey(namespace: cluster.namespace, name: "before")) != nil)
                try await cluster.create(cluster.configMap("after", labels: ["tier": "shared"]))
                #expect(try await cluster.eventually { store.get(ObjectKey(namespace: cluster.namespace, name: "after")) != nil })
                #expect(store.list(selector: try LabelSelector(parsing: "tier=shared")).count == 1)
                if let server = cluster.server {
                    server.dropWatches()
                    try await cluster.create(cluster.configMap("while-dropped"))
                    #expect(try await cluster.eventually { store.get(ObjectKey(namespace: cluster.namespace, name: "while-dropped")) != nil })
                    #expect(restarts.current == 1) // resumed from its version, no re-list
                    // A change elsewhere moves the global version past what the ConfigMap watcher has seen;
                    // compaction then leaves that watcher's version behind.
                    try await cluster.create(["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "elsewhere"]], .secrets)
                    server.compact()
                    server.dropWatches()
                    _ = try await cluster.api.delete(.configMaps, namespace: cluster.namespace, name: "before", options: DeleteOptions())
                    // The old version is compacted away: the watcher gets 410, lists again and sees the delete.
                    #expect(try await cluster.eventually { store.get(ObjectKey(namespace: cluster.namespace, name: "before")) == nil })
                    #expect(try await cluster.eventually { restarts.current == 2 })
                }
                group.cancelAll()
            }
        }
    }

    @Test("watch bookmarks advance the version; a watch from a compacted version gets 410 Gone")
    func bookmarksAndGone() async throws {
        try await Backend.testServer.run { cluster in
            let server = try #require(cluster.server)
            let start = try await cluster.api.list(.configMaps, namespace: cluster.namespace, options: ListOptions()).resourceVersion
            try await cluster.create(cluster.configMap("elsewhere"), .configMaps)
            var bookmark: WatchEvent?
            for try await event in cluster.api.watch(.secrets, namespace: cluster.namespace,
                                                     options: WatchOptions(resourceVersion: start, timeoutSeconds: 5)) where event.kind == .bookmark {
                bookmark = event
                break
            }
            #expect(Int(bookmark?.resourceVersion ?? "") ?? 0 > Int(start) ?? 0)
            server.compact()
            let gone = await #expect(throws: KubeClientError.self) {
                for try await _ in cluster.api.watch(.configMaps, namespace: cluster.namespace, options: WatchOptions(resourceVersion: start)) {}
            }
            #expect(gone == .gone)
            #expect(gone?.status == 410)
        }
    }

    @Test("the controller reconciles every object, maps owned objects to their owner, never runs one key twice at once", arguments: Backend.allCases)
    func controller(_ backend: Backend) async throws {
        try await backend.run { cluster in
            let inFlight = Locked<Set<ObjectKey>>([])
            let overlaps = Locked(0)
            let reconciled = Locked<[ObjectKey: Int]>([:])
            var configuration = Controller.Configuration(name: "mirror", resource: .configMaps)
            configuration.namespace = cluster.namespace
            configuration.labelSelector = "role=source"
            configuration.owned = [.secrets]
            configuration.workers = 4
            let api = cluster.api
            let namespace = cluster.namespace
            let controller = try Controller(api: api, configuration: configuration, logger: cluster.logger) { key in
                if inFlight.withLock({ !$0.insert(key).inserted }) { overlaps.withLock { $0 += 1 } }
                defer { inFlight.withLock { _ = $0.remove(key) } }
                reconciled.withLock { $0[key, default: 0] += 1 }
                try await Task.sleep(for: .milliseconds(5))
                return .awaitChange
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await controller.run() }
                for index in 0..<10 {
                    try await cluster.create(cluster.configMap("source-\(index)", labels: ["role": "source"]))
                }
                try await cluster.create(cluster.configMap("ignored", labels: ["role": "other"]))
                #expect(try await cluster.eventually { reconciled.current.count == 10 })
                #expect(reconciled.current[ObjectKey(namespace: namespace, name: "ignored")] == nil)
                // An owned Secret changing brings its owner back.
                let owner = try await api.get(.configMaps, namespace: namespace, name: "source-3")
                let before = reconciled.current[ObjectKey(namespace: namespace, name: "source-3")] ?? 0
                let secret: JSONValue = ["apiVersion": "v1", "kind": "Secret",
                                         "metadata": ["name": "child", "namespace": .string(namespace),
                                                      "ownerReferences": [["apiVersion": "v1", "kind": "ConfigMap", "name": "source-3",
                                                                           "uid": .string(KubeObject(owner).uid ?? ""), "controller": true]]],
                                         "stringData": ["k": "v"]]
                try await cluster.create(secret, .secrets)
                #expect(try await cluster.eventually { (reconciled.current[ObjectKey(namespace: namespace, name: "source-3")] ?? 0) > before })
                // Burst of changes to one key: merged, never concurrent.
                for round in 0..<20 {
                    _ = try await api.patch(.configMaps, namespace: namespace, name: "source-0", patch: .merge(["data": ["round": .string(String(round))]]),
                                            subresource: nil, options: WriteOptions())
                }
                try await Task.sleep(for: .milliseconds(300))
                #expect(overlaps.current == 0)
                #expect(controller.counters.failed == 0)
                group.cancelAll()
            }
        }
    }

    @Test("errors back off and retry; terminal errors are not retried")
    func errorHandling() async throws {
        try await Backend.testServer.run { cluster in
            let attempts = Locked<[String: Int]>([:])
            var configuration = Controller.Configuration(name: "failing", resource: .configMaps)
            configuration.namespace = cluster.namespace
            configuration.resyncPeriod = nil
            let controller = try Controller(api: cluster.api, configuration: configuration, logger: cluster.logger) { key in
                let count = attempts.withLock { $0[key.name, default: 0] += 1; return $0[key.name, default: 0] }
                if key.name == "flaky", count < 4 { throw KubeClientError.serverError("not yet") }
                if key.name == "broken" { throw KubeRuntimeError.terminal("the spec is invalid") }
                return .awaitChange
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await controller.run() }
                try await cluster.create(cluster.configMap("flaky"))
                try await cluster.create(cluster.configMap("broken"))
                #expect(try await cluster.eventually { attempts.current["flaky"] == 4 })
                try await Task.sleep(for: .milliseconds(500))
                #expect(attempts.current["broken"] == 1)
                #expect(controller.counters.terminal == 1)
                #expect(controller.counters.failed == 3)
                group.cancelAll()
            }
        }
    }

    @Test("an error policy picks the retry: a fixed delay, or none until the object changes")
    func errorPolicy() async throws {
        try await Backend.testServer.run { cluster in
            let attempts = Locked<[String: [ContinuousClock.Instant]]>([:])
            var configuration = Controller.Configuration(name: "policy", resource: .configMaps)
            configuration.namespace = cluster.namespace
            configuration.resyncPeriod = nil
            configuration.errorPolicy = ErrorPolicy { error, failures in
                guard let failure = error as? KubeClientError else { return .backOff }
                if failure == .forbidden { return failures < 2 ? .requeue(after: .milliseconds(300)) : .giveUp }
                return .backOff
            }
            let controller = try Controller(api: cluster.api, configuration: configuration, logger: cluster.logger) { key in
                attempts.withLock { $0[key.name, default: []].append(ContinuousClock.now) }
                throw KubeClientError.forbidden("configmaps is forbidden")
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await controller.run() }
                try await cluster.create(cluster.configMap("refused"))
                #expect(try await cluster.eventually { attempts.current["refused"]?.count == 3 })
                // Two fixed 300 ms waits (not 5 ms, 10 ms of the backoff), then no more.
                try await Task.sleep(for: .milliseconds(800))
                let times = attempts.current["refused"] ?? []
                #expect(times.count == 3)
                for (earlier, later) in zip(times, times.dropFirst()) { #expect(later - earlier >= .milliseconds(290)) }
                #expect(controller.counters.failed == 3)
                #expect(controller.queue.failures(of: ObjectKey(namespace: cluster.namespace, name: "refused")) == 0)
                group.cancelAll()
            }
        }
    }

    @Test("faults: throttling storms, dropped watches, compaction and a restart mid-watch; the controller converges with no lost update")
    func convergesThroughFaults() async throws {
        try await Backend.testServer.run { cluster in
            let server = try #require(cluster.server)
            let api = cluster.api
            let namespace = cluster.namespace
            let inFlight = Locked<Set<ObjectKey>>([])
            let overlaps = Locked(0)
            var configuration = Controller.Configuration(name: "mirror", resource: .configMaps)
            configuration.namespace = namespace
            configuration.labelSelector = "role=source"
            configuration.workers = 3
            configuration.resyncPeriod = .seconds(2)
            // The reconcile mirrors each source's value into a target ConfigMap it applies.
            let controller = try Controller(api: api, configuration: configuration, logger: cluster.logger) { key in
                if inFlight.withLock({ !$0.insert(key).inserted }) { overlaps.withLock { $0 += 1 } }
                defer { inFlight.withLock { _ = $0.remove(key) } }
                guard let source = try await api.getIfExists(.configMaps, namespace: key.namespace, name: key.name) else { return .awaitChange }
                let value = source["data"]?["value"] ?? ""
                let target: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap",
                                         "metadata": ["name": .string(key.name + "-mirror"), "namespace": .string(namespace)],
                                         "data": ["value": value]]
                _ = try await api.apply(.configMaps, object: target, fieldManager: "mirror", force: true)
                return .awaitChange
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await controller.run() }
                for index in 0..<8 {
                    try await cluster.create(cluster.configMap("s\(index)", data: ["value": "0"], labels: ["role": "source"]))
                }
                for round in 1...5 {
                    switch round {
                    case 1: server.failNext(30, status: 429, retryAfter: 1)
                    case 2: server.dropWatches()
                    case 3: server.compact(); server.dropWatches()
                    case 4: try await server.restart()
                    default: server.failNext(5, status: 500)
                    }
                    for index in 0..<8 {
                        // The test's own writes meet the injected faults too: it retries them.
                        _ = try await cluster.eventually {
                            (try? await api.patch(.configMaps, namespace: namespace, name: "s\(index)",
                                                  patch: .merge(["data": ["value": .string(String(round))]]), subresource: nil,
                                                  options: WriteOptions())) != nil
                        }
                    }
                }
                let converged = try await cluster.eventually(30) {
                    for index in 0..<8 {
                        let mirror = server.object(.configMaps, namespace: namespace, name: "s\(index)-mirror")
                        if mirror?["data"]?["value"] != "5" { return false }
                    }
                    return true
                }
                #expect(converged)
                #expect(overlaps.current == 0)
                group.cancelAll()
            }
        }
    }

    @Test("sharding: two controllers with disjoint selectors split the objects between them")
    func sharding() async throws {
        try await Backend.testServer.run { cluster in
            let seen = Locked<[String: Set<String>]>([:])
            func controller(_ shard: String) throws -> Controller {
                var configuration = Controller.Configuration(name: "shard-\(shard)", resource: .configMaps)
                configuration.namespace = cluster.namespace
                configuration.labelSelector = "odooguard.io/shard=\(shard)"
                return try Controller(api: cluster.api, configuration: configuration, logger: cluster.logger) { key in
                    seen.withLock { _ = $0[shard, default: []].insert(key.name) }
                    return .awaitChange
                }
            }
            let a = try controller("a")
            let b = try controller("b")
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await a.run() }
                group.addTask { try await b.run() }
                for index in 0..<6 {
                    try await cluster.create(cluster.configMap("env-\(index)", labels: ["odooguard.io/shard": index % 2 == 0 ? "a" : "b"]))
                }
                #expect(try await cluster.eventually { seen.current.values.map(\.count).reduce(0, +) == 6 })
                #expect(seen.current["a"] == ["env-0", "env-2", "env-4"])
                #expect(seen.current["b"] == ["env-1", "env-3", "env-5"])
                group.cancelAll()
            }
        }
    }

    @Test("leader election: one leader at a time, a successor after release, stepping down when renewals fail", arguments: Backend.allCases)
    func leaderElection(_ backend: Backend) async throws {
        try await backend.run { cluster in
            func elector(_ identity: String) throws -> LeaderElector {
                var configuration = LeaderElector.Configuration(leaseName: "odoo-guard-operator", namespace: cluster.namespace, identity: identity)
                configuration.leaseDuration = .seconds(3)
                configuration.renewDeadline = .seconds(2)
                configuration.retryPeriod = .milliseconds(250)
                return try LeaderElector(api: cluster.api, configuration: configuration, logger: cluster.logger)
            }
            let first = try elector("first")
            let second = try elector("second")
            let leaders = Locked<[String]>([])
            let bothLeading = Locked(false)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await first.run { leaders.withLock { $0.append("first") }; try await Task.sleep(for: .seconds(3600)) } }
                #expect(try await cluster.eventually { first.isLeader })
                group.addTask { await second.run { leaders.withLock { $0.append("second") }; try await Task.sleep(for: .seconds(3600)) } }
                for _ in 0..<10 {
                    if first.isLeader && second.isLeader { bothLeading.withLock { $0 = true } }
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(!second.isLeader)
                let lease = try await ResourceClient<Lease>(api: cluster.api, namespace: cluster.namespace).get("odoo-guard-operator")
                #expect(lease.holderIdentity == "first")
                #expect(lease.leaseDurationSeconds == 3)
                first.stop()
                // Released on stop: the second takes over without waiting out the lease.
                #expect(try await cluster.eventually(10) { second.isLeader })
                #expect(!first.isLeader)
                if let server = cluster.server {
                    server.failNext(1000, status: 500)
                    #expect(try await cluster.eventually(5) { !second.isLeader })
                    server.failNext(0, status: 500)
                }
                #expect(!bothLeading.current)
                #expect(leaders.current.prefix(2) == ["first", "second"])
                second.stop()
                group.cancelAll()
            }
        }
    }

    @Test("Finalizers.reconcile: the finalizer first, apply with the stored object, cleanup on deletion, then the finalizer off",
          arguments: Backend.allCases)
    func finalizerReconcile(_ backend: Backend) async throws {
        try await backend.run { cluster in
            let finalizer = "odooguard.io/test"
            let calls = Locked<[String]>([])
            func reconcile() async throws -> ReconcileAction {
                let live = KubeObject(try await cluster.api.get(.configMaps, namespace: cluster.namespace, name: "guarded"))
                return try await Finalizers.reconcile(live, finalizer: finalizer, resource: .configMaps, api: cluster.api) { stored in
                    calls.withLock { $0.append("apply:" + (stored.finalizers.contains(finalizer) ? "finalized" : "bare")) }
                    return .awaitChange
                } cleanup: {
                    calls.withLock { $0.append("cleanup") }
                    return .awaitChange
                }
            }
            try await cluster.create(cluster.configMap("guarded"))
            #expect(try await reconcile() == .awaitChange)
            #expect(calls.current == ["apply:finalized"], "apply runs in the same pass, with the object that has the finalizer")
            _ = try await cluster.api.delete(.configMaps, namespace: cluster.namespace, name: "guarded", options: DeleteOptions())
            #expect(try await reconcile() == .awaitChange)
            #expect(calls.current == ["apply:finalized", "cleanup"])
            #expect(try await cluster.eventually { try await cluster.api.getIfExists(.configMaps, namespace: cluster.namespace, name: "guarded") == nil })
        }
    }

    @Test("a Lease in a namespace that does not exist is a failing standing that names the namespace, and recovers when it appears",
          arguments: Backend.allCases)
    func leaseInAMissingNamespace(_ backend: Backend) async throws {
        try await backend.run { cluster in
            let missing = cluster.namespace + "-lease"
            var configuration = LeaderElector.Configuration(leaseName: "odoo-guard-operator", namespace: missing, identity: "only")
            configuration.leaseDuration = .seconds(3)
            configuration.renewDeadline = .seconds(2)
            configuration.retryPeriod = .milliseconds(200)
            let elector = try LeaderElector(api: cluster.api, configuration: configuration, logger: cluster.logger)
            #expect(elector.standing == .campaigning)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await elector.run { try await Task.sleep(for: .seconds(3600)) } }
                #expect(try await cluster.eventually {
                    if case .failing(let reason, _, let attempts) = elector.standing { return attempts >= 2 && reason.contains("namespace \(missing) does not exist") }
                    return false
                })
                #expect(!elector.isLeader)
                _ = try await cluster.api.create(.namespaces, namespace: nil, object: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(missing)]],
                                                 options: WriteOptions())
                #expect(try await cluster.eventually { elector.standing == .leading && elector.isLeader })
                elector.stop()
                group.cancelAll()
            }
            _ = try? await cluster.api.delete(.namespaces, namespace: nil, name: missing, options: DeleteOptions())
        }
    }

    @Test("the event recorder writes events.k8s.io Events and folds repeats into a series", arguments: Backend.allCases)
    func events(_ backend: Backend) async throws {
        try await backend.run { cluster in
            let subject = KubeObject(try await cluster.create(cluster.configMap("subject")))
            let recorder = EventRecorder(api: cluster.api, controller: "odooguard.io/operator", instance: "operator-0", logger: cluster.logger)
            let name = await recorder.record(.normal, reason: "Applied", action: "Reconcile", note: "3 objects applied", regarding: subject)
            let repeated = await recorder.record(.normal, reason: "Applied", action: "Reconcile", note: "3 objects applied", regarding: subject)
            #expect(name != nil)
            #expect(repeated == name)
            let events = try await cluster.api.listAll(.events, namespace: cluster.namespace)
            #expect(events.items.count == 1)
            let event = try #require(events.items.first)
            #expect(event["regarding"]?["name"] == "subject")
            #expect(event["series"]?["count"] == 2)
            #expect(event["reportingController"] == "odooguard.io/operator")
        }
    }

    @Test("graceful shutdown of a controller in a ServiceGroup ends it and releases its lease")
    func gracefulShutdown() async throws {
        try await Backend.testServer.run { cluster in
            var electionConfiguration = LeaderElector.Configuration(leaseName: "graceful", namespace: cluster.namespace, identity: "only")
            electionConfiguration.retryPeriod = .milliseconds(200)
            let elector = try LeaderElector(api: cluster.api, configuration: electionConfiguration, logger: cluster.logger)
            var configuration = Controller.Configuration(name: "graceful", resource: .configMaps)
            configuration.namespace = cluster.namespace
            let controller = try Controller(api: cluster.api, configuration: configuration, leaderElector: elector, logger: cluster.logger) { _ in .awaitChange }
            let group = ServiceGroup(configuration: .init(services: [.init(service: controller)], logger: cluster.logger))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                #expect(try await cluster.eventually { elector.isLeader })
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            let lease = try await ResourceClient<Lease>(api: cluster.api, namespace: cluster.namespace).get("graceful")
            #expect(lease.holderIdentity == nil)
        }
    }
}
