import AsyncHTTPClient
import Foundation
import GuardRules
import KubeAPITestServer
import KubeClient
import KubeRuntime
import Logging
import OdooOperator
import OdooPlan
import ServiceLifecycle
import TestSupport
import Testing

/// `guard-operator`'s services: health, readiness once the caches synced, metrics, leader election.
@Suite("guard-operator server")
struct OperatorServerTests {
    @Test func healthReadinessAndMetrics() async throws {
        try await KubeAPITestServer.serving { server in
            var logger = Logger(label: "operator-server-tests")
            logger.logLevel = .critical
            let api = try KubeHTTPClient(config: server.config, logger: logger, maxRetryWait: .milliseconds(200))
            _ = try? await api.create(.namespaces, namespace: nil, object: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "default"]],
                                      options: WriteOptions())
            var settings = OperatorService.Settings(configuration: try OperatorConfiguration.builtIn(), policy: try GuardPolicy.builtIn())
            settings.host = "127.0.0.1"
            settings.port = 0
            settings.leaderElection = LeaderElector.Configuration(leaseName: "guard-operator", namespace: "default", identity: "a")
            let service = try OperatorService(api: api, settings: settings, images: PinnedOnlyImageResolver(), identity: "a", logger: logger)
            let port = Locked(0)
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            do {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    let configuration = ServiceGroupConfiguration(services: service.services { bound in port.withLock { $0 = bound } }.map { .init(service: $0) }, logger: logger)
                    group.addTask { try await ServiceGroup(configuration: configuration).run() }
                    defer { group.cancelAll() }
                    func get(_ path: String) async throws -> (Int, String) {
                        let response = try await http.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port.current)\(path)"), timeout: .seconds(5))
                        let body = try await response.body.collect(upTo: 1 << 20)
                        return (Int(response.status.code), String(buffer: body))
                    }
                    let end = Date().addingTimeInterval(10)
                    while port.current == 0 && Date() < end { try await Task.sleep(for: .milliseconds(20)) }
                    #expect(try await get("/healthz").0 == 200)
                    var ready = try await get("/readyz")
                    while ready.0 != 200 && Date() < end {
                        #expect(ready.0 == 503 && ready.1.contains("not synced"))
                        try await Task.sleep(for: .milliseconds(50))
                        ready = try await get("/readyz")
                    }
                    #expect(ready.0 == 200)
                    // Leader election: the Lease is taken.
                    let deadline = Date().addingTimeInterval(10)
                    while try await api.getIfExists(.leases, namespace: "default", name: "guard-operator") == nil && Date() < deadline {
                        try await Task.sleep(for: .milliseconds(50))
                    }
                    let lease = try #require(try await api.getIfExists(.leases, namespace: "default", name: "guard-operator"))
                    #expect(lease["spec"]?["holderIdentity"] == "a")
                    let metrics = try await get("/metrics").1
                    for name in ["odoo_guard_operator_reconcile_total", "odoo_guard_operator_reconcile_duration_seconds", "odoo_guard_operator_workqueue_depth",
                                 "odoo_guard_operator_managed_objects", "odoo_guard_operator_leader 1"] {
                        #expect(metrics.contains(name), "\(name)")
                    }
                }
                try await http.shutdown()
                try await api.shutdown()
            } catch {
                try? await http.shutdown()
                try? await api.shutdown()
                throw error
            }
        }
    }
}
