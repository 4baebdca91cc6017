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
    /// Runs the operator's services against the test server; `body` gets the API and a GET on the HTTP port.
    static func serving(leaderElection: LeaderElector.Configuration,
                        _ body: @Sendable (KubeHTTPClient, @Sendable (String) async throws -> (Int, String)) async throws -> Void) async throws {
        try await KubeAPITestServer.serving { server in
            var logger = Logger(label: "operator-server-tests")
            logger.logLevel = .critical
            let api = try KubeHTTPClient(config: server.config, logger: logger, maxRetryWait: .milliseconds(200))
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            do {
                _ = try? await api.create(.namespaces, namespace: nil, object: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "default"]],
                                          options: WriteOptions())
                var settings = OperatorService.Settings(configuration: try OperatorConfiguration.builtIn(), policy: try GuardPolicy.builtIn())
                settings.host = "127.0.0.1"
                settings.port = 0
                settings.leaderElection = leaderElection
                let service = try OperatorService(api: api, settings: settings, images: PinnedOnlyImageResolver(), identity: leaderElection.identity, logger: logger)
                let port = Locked(0)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    let configuration = ServiceGroupConfiguration(services: service.services { bound in port.withLock { $0 = bound } }.map { .init(service: $0) }, logger: logger)
                    group.addTask { try await ServiceGroup(configuration: configuration).run() }
                    defer { group.cancelAll() }
                    let end = Date().addingTimeInterval(10)
                    while port.current == 0 && Date() < end { try await Task.sleep(for: .milliseconds(20)) }
                    try await body(api) { path in
                        let response = try await http.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port.current)\(path)"), timeout: .seconds(5))
                        let body = try await response.body.collect(upTo: 1 << 20)
                        return (Int(response.status.code), String(buffer: body))
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

    @Test func healthReadinessAndMetrics() async throws {
        try await Self.serving(leaderElection: LeaderElector.Configuration(leaseName: "guard-operator", namespace: "default", identity: "a")) { api, get in
            #expect(try await get("/healthz").0 == 200)
            let end = Date().addingTimeInterval(20)
            var ready = try await get("/readyz")
            while ready.0 != 200 && Date() < end {
                #expect(ready.0 == 503 && ready.1.contains("not synced"))
                try await Task.sleep(for: .milliseconds(50))
                ready = try await get("/readyz")
            }
            #expect(ready.0 == 200)
            // Leader election: the Lease is taken.
            let deadline = Date().addingTimeInterval(20)
            while try await api.getIfExists(.leases, namespace: "default", name: "guard-operator") == nil && Date() < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            let lease = try #require(try await api.getIfExists(.leases, namespace: "default", name: "guard-operator"))
            #expect(lease["spec"]?["holderIdentity"] == "a")
            #expect(try await get("/readyz").1.contains("leading"))
            let metrics = try await get("/metrics").1
            for name in ["odoo_guard_operator_reconcile_total", "odoo_guard_operator_reconcile_duration_seconds", "odoo_guard_operator_workqueue_depth",
                         "odoo_guard_operator_managed_objects", "odoo_guard_operator_leader 1", "odoo_guard_operator_leader_lease_failures 0"] {
                #expect(metrics.contains(name), "\(name)")
            }
        }
    }

    @Test func anOperatorThatCannotTakeItsLeaseIsNotReadyAndSaysWhy() async throws {
        var election = LeaderElector.Configuration(leaseName: "guard-operator", namespace: "odoo-guard", identity: "a")
        election.leaseDuration = .seconds(2)
        election.renewDeadline = .milliseconds(1500)
        election.retryPeriod = .milliseconds(200)
        try await Self.serving(leaderElection: election) { _, get in
            let end = Date().addingTimeInterval(30)
            var ready = try await get("/readyz")
            while !(ready.0 == 503 && ready.1.contains("Lease")) && Date() < end {
                try await Task.sleep(for: .milliseconds(100))
                ready = try await get("/readyz")
            }
            #expect(ready.0 == 503)
            #expect(ready.1.contains("not reconciling") && ready.1.contains("namespace odoo-guard does not exist"), "\(ready.1)")
            let metrics = try await get("/metrics").1
            #expect(metrics.contains("odoo_guard_operator_leader 0"))
            #expect(!metrics.contains("odoo_guard_operator_leader_lease_failures 0"), "the failures are counted")
        }
    }
}
