import Foundation
import KubeClient
import KubeModel
import OdooPlan
import Testing
import TestSupport

/// A shared-tier environment provisioned on a real PostgreSQL 15 by the running operator: the
/// administrator's DSN in a Secret, the tenant's password from the Secret the operator generates.
@Suite("Shared database provisioning", .serialized)
struct ProvisioningReconcilerTests {
    @Test func aSharedEnvironmentGetsItsDatabaseAndReportsAnOutage() async throws {
        let postgres = try await offPool { try PostgresServer() }
        defer { postgres.stop() }
        try await OperatorHarness.run(namespace: "pharmacy-dev", configure: { configuration in
            configuration.databaseServers = [.init(name: "main", host: "127.0.0.1", port: postgres.port, namespace: nil, cidrs: ["127.0.0.1/32"],
                                                   adminSecret: .init(namespace: "pharmacy-dev", name: "postgres-admin", key: "dsn"))]
        }) { cluster in
            _ = try await cluster.api.create(.secrets, namespace: cluster.namespace, object: [
                "apiVersion": "v1", "kind": "Secret", "metadata": ["name": "postgres-admin"],
                "stringData": ["dsn": .string("postgres://postgres@127.0.0.1:\(postgres.port)/postgres?sslmode=disable")],
            ], options: WriteOptions())
            _ = try await cluster.create(try cluster.example("pharmacy-development.yaml") {
                _ = $0.set(.string("docker.io/library/odoo:17.0@sha256:" + String(repeating: "ab", count: 32)), at: "spec.image")
            })
            // Provisioned first, then the init Job (reported done here, as the Job controller would).
            #expect(try await cluster.eventually(60) { try await cluster.condition("DatabaseReady", of: "pharmacy")?.reason == "Initializing" })
            #expect(try await cluster.eventually(60) {
                try await cluster.completeInitJobs()
                return try await cluster.condition("DatabaseReady", of: "pharmacy")?.status == .true
            })
            let degraded = try await cluster.condition("Degraded", of: "pharmacy")
            #expect(degraded?.status == .false, "\(degraded?.message ?? "")")
            let ready = try #require(try await cluster.condition("DatabaseReady", of: "pharmacy"))
            #expect(ready.reason == "Initialized")
            #expect(ready.message.contains("owns it") && ready.message.contains("pharmacy-init-"), "\(ready.message)")
            // The role's limit is the environment's worst case: 2 web pods × ((3 workers + main) × 2 + gevent 4) + cron 5 + an upgrade's 2.
            let role = try await offPool { try postgres.psql("SELECT rolcanlogin, rolcreatedb, rolconnlimit FROM pg_roles WHERE rolname = 'pharmacy_dev'") }
            #expect(role.trimmingCharacters(in: .whitespacesAndNewlines) == "t|f|31")
            let extensions = try await offPool { try postgres.psql("SELECT extname FROM pg_extension ORDER BY 1", database: "pharmacy_dev") }
            #expect(extensions.split(separator: "\n").contains("pg_trgm"), "created by the provisioner before the init Job: \(extensions)")
            let databases = try await offPool { try postgres.psql("SELECT datname FROM pg_database WHERE datname LIKE 'pharmacy_dev%' ORDER BY 1") }
            #expect(databases.split(separator: "\n") == ["pharmacy_dev", "pharmacy_dev_restore"])

            // The server goes away: DatabaseReady says so with the client's error; nothing crashes.
            try await offPool { try postgres.halt() }
            try await cluster.updateEnvironment("pharmacy") { _ = $0.set(2, at: "spec.replicas") }
            #expect(try await cluster.eventually { try await cluster.condition("DatabaseReady", of: "pharmacy")?.reason == "DatabaseUnreachable" })
            #expect(try await cluster.condition("DatabaseReady", of: "pharmacy")?.message.contains("127.0.0.1:\(postgres.port)") == true)
            #expect(try await cluster.condition("Ready", of: "pharmacy")?.status == .false)
            // It comes back: the backoff's next look finds it.
            try await offPool { try postgres.start() }
            #expect(try await cluster.eventually(30) { try await cluster.condition("DatabaseReady", of: "pharmacy")?.status == .true })

            // deletionPolicy Delete drops the role and both databases.
            try await cluster.updateEnvironment("pharmacy") { _ = $0.set("Delete", at: "spec.deletionPolicy") }
            try await cluster.settle()
            _ = try await cluster.api.delete(.odooEnvironments, namespace: cluster.namespace, name: "pharmacy", options: DeleteOptions())
            #expect(try await cluster.eventually { try await cluster.environment("pharmacy") == nil })
            let left = try await offPool { try postgres.psql("SELECT count(*) FROM pg_roles WHERE rolname = 'pharmacy_dev'") }
            #expect(left.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        }
    }
}
