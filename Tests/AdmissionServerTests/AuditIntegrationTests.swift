import AdmissionServer
import AuditTrail
import Foundation
import KubeModel
import Logging
import PostgresAccess
import TestSupport
import Testing

/// Decisions through the real server into a real PostgreSQL 15 audit chain.
@Suite struct AuditIntegrationTests {
    @Test func decisionsAreChainedDryRunsAreNotAndTheDatabaseBeingDownNeverFailsAdmission() async throws {
        let database = try await offPool { try PostgresServer() }
        defer { database.stop() }
        let harness = try await WebhookHarness.start(auditDSN: database.dsn)
        do {
            let object = try Review.manifest("examples/noncompliant/odoo-web-insecure.yaml", kind: "Deployment")
            for index in 0..<5 {
                #expect(try await harness.post("/validate", Review.body(uid: "audit-\(index)", object: object)).status == 200)
            }
            #expect(try await harness.post("/validate", Review.body(uid: "dry-run", object: object, dryRun: true)).status == 200)
            try await ReloadTests.waitUntil { harness.server.auditWriter?.statistics.written == 5 }
            let uids = try await offPool { try database.psql("SELECT record::jsonb->>'uid' FROM odoo_guard_audit ORDER BY seq") }
            #expect(uids.split(separator: "\n") == ["audit-0", "audit-1", "audit-2", "audit-3", "audit-4"])
            let text = try await offPool { try database.psql("SELECT record FROM odoo_guard_audit ORDER BY seq LIMIT 1") }
            let record = try JSONParser.parse(text)
            #expect(record["user"] == "alice@example.com")
            #expect(record["decision"] == "denied")
            #expect(record["policyVersion"]?.stringValue == harness.server.policies.state.policyVersion)
            #expect(record["rulesDenied"]?.arrayValue?.isEmpty == false)

            // The database goes away: admission goes on, records queue, then drain when it returns.
            try await offPool { try database.halt() }
            let started = ContinuousClock.now
            for index in 5..<10 {
                #expect(try await harness.post("/validate", Review.body(uid: "audit-\(index)", object: object)).status == 200)
            }
            // Admission never waits on the database: five requests blocked on a 5 s connect would take 25 s.
            #expect(ContinuousClock.now - started < .seconds(10))
            try await ReloadTests.waitUntil { (harness.server.auditWriter?.statistics.failedFlushes ?? 0) > 0 }
            #expect(try await harness.metric("odoo_guard_audit_queue_depth") == 5)
            try await offPool { try database.start() }
            try await waitLong { harness.server.auditWriter?.statistics.written == 10 }
            let report = try await AuditVerifier(dsn: try PostgresDSN(database.dsn), table: try AuditTable()).verify(logger: Logger(label: "t"))
            #expect(report.rows == 10)
            #expect(report.firstBreak == nil)
        } catch { try await harness.shutdown(); throw error }
        try await harness.shutdown()
    }

    /// The writer backs off up to 5 s between attempts while the database is down.
    func waitLong(_ condition: () async throws -> Bool) async throws {
        for _ in 0..<150 {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("condition not met within 15 s")
    }
}
