import Foundation
import GuardRules
import KubeAPITestServer
import KubeClient
import KubeModel
import KubeRuntime
import Logging
import OdooOperator
import OdooPlan

/// The operator running against the in-process API test server, with helpers to act as the parts of
/// Kubernetes the test server does not run (the Deployment controller's status).
struct OperatorHarness: Sendable {
    let server: KubeAPITestServer
    let api: KubeHTTPClient
    let service: OperatorService
    let namespace: String
    /// The settings every operator of this harness runs with.
    let settings: OperatorService.Settings
    let logger: Logger

    var reconciler: EnvironmentReconciler { service.reconciler }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs `body` with the operator reconciling namespace `namespace` (created first).
    /// `startOperator: false`: no operator runs; the body starts them (``operating(_:)``), as a restart test does.
    static func run(namespace: String = "clinic-prod", policy: GuardPolicy? = nil, configure: @Sendable (inout OperatorConfiguration) -> Void = { _ in },
                    settings adjust: @Sendable (inout OperatorService.Settings) -> Void = { _ in }, startOperator: Bool = true,
                    _ body: @Sendable (OperatorHarness) async throws -> Void) async throws {
        try await KubeAPITestServer.serving(bookmarkInterval: .seconds(1)) { server in
            var logger = Logger(label: "operator-tests")
            logger.logLevel = .critical
            let api = try KubeHTTPClient(config: server.config, logger: logger, maxRetryWait: .milliseconds(200))
            do {
                _ = try await api.create(.namespaces, namespace: nil, object: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(namespace)]],
                                         options: WriteOptions())
                var configuration = try Self.configuration()
                configure(&configuration)
                var settings = OperatorService.Settings(configuration: configuration, policy: try policy ?? GuardPolicy.builtIn())
                settings.host = "127.0.0.1"
                settings.port = 0
                settings.workers = 2
                settings.resyncPeriod = .seconds(3600)
                // No Service answers in the test server's cluster: a test that verifies changes sets a checker.
                settings.loginChecker = nil
                adjust(&settings)
                let service = try OperatorService(api: api, settings: settings, images: PinnedOnlyImageResolver(), identity: "test", logger: logger)
                let harness = OperatorHarness(server: server, api: api, service: service, namespace: namespace, settings: settings, logger: logger)
                if startOperator {
                    try await harness.running(service) { try await body(harness) }
                } else {
                    try await body(harness)
                }
                try await api.shutdown()
            } catch {
                try? await api.shutdown()
                throw error
            }
        }
    }

    /// Runs `service`'s controllers for the duration of `body`, then stops them.
    func running(_ service: OperatorService, _ body: @Sendable () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await service.controller.run() }
            if let releases = service.releases { group.addTask { try await releases.controller.run() } }
            group.addTask { try await service.restores.controller.run() }
            defer { group.cancelAll() }
            try await body()
        }
    }

    /// Runs a new operator process for the duration of `body`: its own caches and queues, filled
    /// from the API by list and watch, as after a restart.
    func operating(_ body: @Sendable (OperatorService) async throws -> Void) async throws {
        let service = try OperatorService(api: api, settings: settings, images: PinnedOnlyImageResolver(), identity: "test", logger: logger)
        try await running(service) { try await body(service) }
    }

    /// The production example, in the harness's namespace.
    func example(_ file: String = "clinic-production.yaml", _ change: (inout JSONValue) -> Void = { _ in }) throws -> JSONValue {
        let text = try String(contentsOf: Self.root.appendingPathComponent("examples/environments/\(file)"), encoding: .utf8)
        var object = try ManifestReader.parseSingle(yaml: text)
        object.set(.string(namespace), at: "metadata.namespace")
        change(&object)
        return object
    }

    func create(_ environment: JSONValue) async throws -> JSONValue {
        try await api.create(.odooEnvironments, namespace: namespace, object: environment, options: WriteOptions())
    }

    func environment(_ name: String = "clinic") async throws -> JSONValue? {
        try await api.getIfExists(.odooEnvironments, namespace: namespace, name: name)
    }

    func condition(_ type: String, of name: String = "clinic") async throws -> Condition? {
        try await environment(name)?["status"]?["conditions"]?.arrayValue?.compactMap(Condition.init(json:)).first { $0.type == type }
    }

    func get(_ resource: ResourceType, _ name: String) async throws -> JSONValue? {
        try await api.getIfExists(resource, namespace: namespace, name: name)
    }

    /// A TLS Secret, as cert-manager or a person would create it.
    func createTLSSecret(_ name: String) async throws {
        _ = try await api.create(.secrets, namespace: namespace, object: [
            "apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
            "metadata": ["name": .string(name)], "data": ["tls.crt": "Y2VydA==", "tls.key": "a2V5"],
        ], options: WriteOptions())
    }

    /// Reads the environment, changes it and writes it back, again on a conflict (the operator writes
    /// its status meanwhile), as `kubectl edit` users do.
    func updateEnvironment(_ name: String = "clinic", _ change: (inout JSONValue) -> Void) async throws {
        for attempt in 1...10 {
            guard var object = try await environment(name) else { throw KubeClientError.notFound("OdooEnvironment \(name) is gone") }
            change(&object)
            // A Result, not `catch where` (which crashes the 6.3.1 compiler inside a loop).
            let result: Result<JSONValue, KubeClientError>
            do { result = .success(try await api.update(.odooEnvironments, namespace: namespace, object: object, subresource: nil, options: WriteOptions())) } catch {
                result = .failure(error)
            }
            if case .failure(let error) = result {
                guard error == .conflict, attempt < 10 else { throw error }
                try await Task.sleep(for: .milliseconds(50))
                continue
            }
            return
        }
    }

    /// The built-in configuration (its tool images are pinned by digest; the tests' resolver pins nothing).
    static func configuration() throws -> OperatorConfiguration {
        try OperatorConfiguration.builtIn()
    }

    /// Reports a Job finished, as the Job controller and the kubelet would: its pod with the
    /// container's termination message, then the Job's status.
    func finishJob(_ name: String, container: String, exitCode: Int64, message: String) async throws {
        let pod = name + "-pod"
        _ = try await api.create(.pods, namespace: namespace, object: [
            "apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(pod), "labels": ["job-name": .string(name)]],
            "spec": ["containers": [["name": .string(container), "image": "busybox"]]],
        ], options: WriteOptions())
        _ = try await api.patch(.pods, namespace: namespace, name: pod, patch: .merge(["status": [
            "containerStatuses": [["name": .string(container), "state": ["terminated": ["exitCode": .int(exitCode), "message": .string(message)]]]],
        ]]), subresource: "status", options: WriteOptions())
        let now = Timestamp.format(Date())
        let status: JSONValue = exitCode == 0
            ? ["succeeded": 1, "completionTime": .string(now), "conditions": [["type": "Complete", "status": "True", "lastTransitionTime": .string(now)]]]
            : ["failed": 1, "conditions": [["type": "Failed", "status": "True", "reason": "BackoffLimitExceeded", "lastTransitionTime": .string(now)]]]
        _ = try await api.patch(.jobs, namespace: namespace, name: name, patch: .merge(["status": status]), subresource: "status", options: WriteOptions())
    }

    /// Reports every database init Job of the namespace done, as the Job controller would after `odoo --init`.
    func completeInitJobs() async throws {
        for job in try await api.listAll(.jobs, namespace: namespace).items {
            let view = KubeObject(job)
            guard view.labels[GuardLabels.component] == "init", job["status"]?["succeeded"]?.intValue != 1, job["status"]?["failed"] == nil else { continue }
            try await finishJob(view.name, container: "init", exitCode: 0, message: "")
        }
    }

    /// Reports every Deployment and StatefulSet of the namespace rolled out, as their controllers
    /// would; `except` names a Deployment left as it is (a crash-looping one, none of its pods ready).
    func markDeploymentsAvailable(except skipped: String? = nil) async throws {
        for statefulSet in try await api.listAll(.statefulSets, namespace: namespace).items {
            let view = KubeObject(statefulSet)
            guard statefulSet["status"]?["readyReplicas"]?.intValue != 1 else { continue }
            _ = try await api.patch(.statefulSets, namespace: namespace, name: view.name, patch: .merge(["status": [
                "observedGeneration": .int(view.generation ?? 1), "replicas": 1, "readyReplicas": 1, "availableReplicas": 1,
            ]]), subresource: "status", options: WriteOptions())
        }
        for deployment in try await api.listAll(.deployments, namespace: namespace).items where KubeObject(deployment).name != skipped {
            let view = KubeObject(deployment)
            let replicas = deployment["spec"]?["replicas"]?.intValue ?? 1
            _ = try await api.patch(.deployments, namespace: namespace, name: view.name, patch: .merge(["status": [
                "observedGeneration": .int(view.generation ?? 1), "replicas": .int(replicas), "updatedReplicas": .int(replicas),
                "readyReplicas": .int(replicas), "availableReplicas": .int(replicas),
            ]]), subresource: "status", options: WriteOptions())
        }
    }

    /// A pod of `component` whose config check failed with `message` (exit 3, crash-looping), as the
    /// kubelet reports it, and its Deployment short of ready pods (`ready` of `ready + 1`).
    func failConfigCheck(pod: String, component: Component, deployment: String, message: String, ready: Int64) async throws {
        let labels: JSONValue = ["app.kubernetes.io/component": .string(component.rawValue), "app.kubernetes.io/instance": "clinic", "app.kubernetes.io/name": "odoo"]
        _ = try await api.create(.pods, namespace: namespace, object: [
            "apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(pod), "labels": labels],
            "spec": ["containers": [["name": "odoo", "image": "busybox"]]],
        ], options: WriteOptions())
        _ = try await api.patch(.pods, namespace: namespace, name: pod, patch: .merge(["status": [
            "initContainerStatuses": [["name": "config", "state": ["waiting": ["reason": "CrashLoopBackOff"]],
                                       "lastState": ["terminated": ["exitCode": 3, "message": .string(message)]]]],
        ]]), subresource: "status", options: WriteOptions())
        _ = try await api.patch(.deployments, namespace: namespace, name: deployment, patch: .merge(["status": [
            "readyReplicas": .int(ready), "availableReplicas": .int(ready), "unavailableReplicas": 1,
        ]]), subresource: "status", options: WriteOptions())
    }

    /// Polls `condition` every 50 ms for up to `seconds`; an error (an injected fault hitting the
    /// test's own request) counts as not yet.
    func eventually(_ seconds: Double = 60, _ condition: @Sendable () async throws -> Bool) async throws -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if (try? await condition()) == true { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }

    /// Waits until the environment is Ready (initialising its database and rolling the Deployments out on the way).
    func waitUntilReady(_ name: String = "clinic") async throws -> Bool {
        try await eventually {
            if try await condition("Ready", of: name)?.status == .true { return true }
            try await completeInitJobs()
            try await markDeploymentsAvailable()
            return false
        }
    }

    /// Writes to the API other than Events and reads.
    var writes: [String] { server.writes.filter { !$0.contains("/events") } }

    /// Waits until the operator has had no work for `quiet` seconds.
    func settle(quiet: Double = 0.6) async throws {
        var last = writes.count
        var stable = Date()
        let end = Date().addingTimeInterval(15)
        while Date() < end {
            try await Task.sleep(for: .milliseconds(100))
            let now = writes.count
            if now != last || service.controller.queue.depth > 0 || service.controller.queue.processingCount > 0 {
                last = now
                stable = Date()
            } else if Date().timeIntervalSince(stable) >= quiet {
                return
            }
        }
    }
}
