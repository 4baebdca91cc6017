import AuditTrail
import Foundation
import GuardRules
import KubeModel
import Logging
import PostgresAccess
import Testing
import TestSupport

/// `guardctl evidence`: golden reports from fixed records and objects (`UPDATE_GOLDEN=1` rewrites
/// them; review the diff), and the real chain in PostgreSQL, intact and tampered.
@Suite(.serialized) struct EvidenceReportTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    static func at(_ text: String) -> Date { Timestamp.parse(text) ?? Date.distantPast }

    /// A record as the webhook writes it, with fixed time and uid.
    static func record(_ uid: String, time: String, kind: String = "OdooEnvironment", name: String = "clinic", user: String = "alice@example.com",
                       endpoint: String = "validate", dryRun: Bool = false, denied: [RuleID] = [], annotations: [String: String] = [:]) -> AuditRecord {
        let gvk = kind == "OdooEnvironment" ? GroupVersionKind(group: "odooguard.io", version: "v1alpha1", kind: kind)
                                            : GroupVersionKind(group: "apps", version: "v1", kind: kind)
        let request = AdmissionRequest(uid: uid, kind: gvk, resource: ResourceType.of(gvk).gvr, name: name, namespace: "clinic-prod",
                                       operation: .update, userInfo: UserInfo(username: user, groups: ["clinic-team"]), object: nil, dryRun: dryRun)
        let decision = Decision(violations: denied.map { Violation(rule: $0, path: "spec.image", message: "m", mode: .enforce) },
                                auditAnnotations: annotations)
        return AuditRecord(request: request, decision: decision, endpoint: endpoint, allowed: denied.isEmpty, policyVersion: "default@abc123",
                           duration: .microseconds(50), time: at(time))
    }

    static let records: [AuditRecord] = [
        record("u1", time: "2026-11-03T09:00:00Z", annotations: [
            "change-ref": "CHG-42", "approval": "chg-42", "approved-by": "bob@example.com", "requested-by": "alice@example.com",
            "changed-fields": "spec.image", "image-digest": "sha256:" + String(repeating: "b", count: 64),
            "promoted-from": "sha256:\(String(repeating: "b", count: 64)) clinic-staging/clinic 30.0 h",
            "scan": "registry.example.com/odoo/odoo@sha256:\(String(repeating: "b", count: 64)) scanned 2026-11-02T08:00:00Z by trivy 0.58.1, signed with ci-scanner: 0 critical, 2 high, 5 medium, 9 low"]),
        record("u2", time: "2026-11-04T10:00:00Z", user: "bob@example.com", denied: [.odooChangeApproved]),
        record("u3", time: "2026-11-05T11:00:00Z", kind: "Deployment", name: "legacy <web>", denied: [.imageNoLatest, .resourcesLimitsRequired]),
        record("u4", time: "2026-11-05T11:00:01Z", kind: "Deployment", name: "legacy", dryRun: true, denied: [.imageNoLatest]),
        record("u5", time: "2026-11-05T11:00:02Z", kind: "Deployment", name: "legacy", endpoint: "mutate", denied: [.imageNoLatest]),
        record("u6", time: "2026-12-05T00:00:00Z", denied: [.imageNoLatest]),
        record("u7", time: "2026-11-10T02:14:00Z", user: "system:serviceaccount:odoo-guard:guard-operator", annotations: [
            "change-outcome": "RolledBack registry.example.com/odoo/odoo@sha256:\(String(repeating: "c", count: 64)) → registry.example.com/odoo/odoo@sha256:\(String(repeating: "b", count: 64)): restart loop: pod clinic-web-7f9c container odoo restarted 3 times (CrashLoopBackOff)",
            "requested-by": "system:serviceaccount:odoo-guard:guard-operator"]),
    ]

    static func digest(_ character: Character) -> String { "registry.example.com/odoo/odoo@sha256:" + String(repeating: character, count: 64) }

    static let objects: [KubeObject] = [
        KubeObject(["apiVersion": "odooguard.io/v1alpha1", "kind": "OdooEnvironment", "metadata": ["name": "clinic", "namespace": "clinic-prod"],
                    "spec": ["stage": "production"],
                    "status": ["lastBackupTime": "2026-11-30T02:00:11Z", "lastRestoreCheckTime": "2026-11-29T03:10:00Z",
                               "conditions": [["type": "BackupReady", "status": "True", "reason": "BackupFresh", "message": "the last good backup is 2026-11-30T02:00:11Z"]],
                               "changeHistory": [
                                   ["from": ["image": .string(digest("a"))], "to": ["image": .string(digest("b"))], "by": "CHG-42", "started": "2026-11-03T09:01:00Z",
                                    "outcome": "Verified", "finished": "2026-11-03T09:13:00Z", "message": "verified: rolled out, no restart loop, Odoo's login form served"],
                                   ["from": ["image": .string(digest("b"))], "to": ["image": .string(digest("c"))], "by": "release/december", "started": "2026-11-10T02:10:00Z",
                                    "outcome": "RolledBack", "finished": "2026-11-10T02:14:00Z", "message": "restart loop: pod clinic-web-7f9c container odoo restarted 3 times (CrashLoopBackOff)"],
                                   ["from": ["image": .string(digest("b"))], "to": ["image": .string(digest("d"))], "by": "release/january", "started": "2026-12-02T02:10:00Z",
                                    "outcome": "Verified", "finished": "2026-12-02T02:22:00Z", "message": "after the period: not listed"],
                               ]]]),
        KubeObject(["apiVersion": "odooguard.io/v1alpha1", "kind": "OdooRelease", "metadata": ["name": "december"],
                    "spec": ["image": .string(digest("c"))],
                    "status": ["phase": "Halted", "done": 3, "total": 12, "failed": 1, "cohort": "wave-1",
                               "message": "halted in cohort wave-1: 1 failed, its budget is 0; first: clinic-prod/clinic: rolled back to its previous digests: restart loop"]]),
        KubeObject(["apiVersion": "odooguard.io/v1alpha1", "kind": "GuardException", "metadata": ["name": "accept-openssl", "namespace": "clinic-prod"],
                    "spec": ["rules": ["image.scan-attested"], "vulnerabilities": ["CVE-2026-0001"], "targets": [["kind": "Deployment", "name": "web"]],
                             "approver": "ciso@example.com", "reason": "no fixed package <3.0.13> yet", "ticket": "SEC-7", "expiresAt": "2026-12-15T00:00:00Z"]]),
        KubeObject(["apiVersion": "odooguard.io/v1alpha1", "kind": "GuardException", "metadata": ["name": "expired", "namespace": "clinic-prod"],
                    "spec": ["rules": ["pdb.required"], "targets": [["kind": "Deployment", "name": "web"]], "approver": "lead@example.com",
                             "reason": "migration", "expiresAt": "2026-11-20T00:00:00Z"]]),
    ]

    static func report(broken: Bool, needsKey: Bool = false) -> EvidenceReport {
        let chain = AuditVerifier.Report(rows: 7, head: "f00d", firstBreak: broken ? AuditChain.Break(sequence: 3, reason: "the row's hash does not match its content", needsKey: needsKey) : nil,
                                         checkpoints: 2, keyed: true)
        var report = EvidenceReport(from: at("2026-11-01T00:00:00Z"), to: at("2026-12-01T00:00:00Z"), chain: chain, records: records, objects: objects)
        // The rows the collector reads them from: u1 is row 1, u2 row 2, and so on.
        for (index, record) in records.enumerated() { report.rowNumbers[EvidenceReport.rowKey(record)] = Int64(index + 1) }
        return report
    }

    static func compare(_ text: String, _ file: String) throws {
        let url = golden.appendingPathComponent(file)
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" { try Data(text.utf8).write(to: url) }
        let expected = try #require(FileManager.default.contents(atPath: url.path), "missing \(file); run with UPDATE_GOLDEN=1")
        #expect(text == String(decoding: expected, as: UTF8.self), "\(file) differs; run with UPDATE_GOLDEN=1 and review the diff")
    }

    @Test("the report of a period matches its golden JSON and HTML, and is the same on every run")
    func golden() throws {
        let report = Self.report(broken: false)
        #expect(report.changes.map(\.record.uid) == ["u1"])
        #expect(report.denials.map { "\($0.rule) \($0.count)" } == ["image.no-latest 1", "odoo.change-approved 1", "resources.limits-required 1"])
        #expect(report.totals.allowed == 2 && report.totals.denied == 2, "dry runs, the mutating endpoint and other periods are left out")
        // Releases and every change's verification: the rolled-back one in the status and in the chain; the one after the period left out.
        #expect(report.releases.map(\.name) == ["december"])
        #expect(report.verifiedChanges.map(\.outcome) == ["Verified", "RolledBack"])
        #expect(report.failedChangeRecords.map(\.uid) == ["u7"])
        #expect(report.exceptions.map(\.name) == ["accept-openssl"], "only exceptions in force at the end")
        try Self.compare(report.jsonText, "evidence.json")
        try Self.compare(report.html, "evidence.html")
        #expect(Self.report(broken: false).html == report.html)
        #expect(report.html.contains("no fixed package &lt;3.0.13&gt; yet") && !report.html.contains("<3.0.13>"), "values are escaped")
    }

    @Test("a broken chain is said first and plainly, in both formats")
    func broken() throws {
        let report = Self.report(broken: true)
        #expect(!report.chainIntact)
        try Self.compare(report.html, "evidence-broken.html")
        let verdict = report.html.components(separatedBy: "<div class=\"verdict ").dropFirst().first ?? ""
        #expect(verdict.hasPrefix("broken\"><strong>✖ BROKEN</strong>THE AUDIT CHAIN IS BROKEN at row 3"), "\(verdict)")
        #expect(verdict.contains("<br>Read: 7 rows, verified only before row 3 (up to hash") && !verdict.contains("Verified:"),
                "only the rows before the break count as verified")
        let verdictAt = report.html.firstRange(of: "<div class=\"verdict")?.lowerBound
        let firstTable = report.html.firstRange(of: "<h2>")?.lowerBound
        #expect(verdictAt != nil && firstTable != nil && verdictAt.map { at in firstTable.map { at < $0 } ?? false } == true,
                "the verdict comes before every table")
        #expect(report.json["chain"]?["intact"] == false && report.json["chain"]?["break"]?["row"] == 3)
        // Every record row says on which side of the break it is (rows 1–2 before, 3 on after).
        #expect(report.html.contains("<td data-label=\"Chain\">before the break</td>") && report.html.contains("<td data-label=\"Chain\">AFTER THE BREAK: not vouched for</td>"))
        #expect(report.json["refusedRequests"]?[0]?["afterBreak"] == false && report.json["refusedRequests"]?[1]?["afterBreak"] == true)
    }

    @Test func aKeyedChainReadWithoutItsKeyIsNotVerifiedRatherThanBroken() {
        let report = Self.report(broken: true, needsKey: true)
        #expect(report.chainSentence.hasPrefix("THE AUDIT CHAIN WAS NOT VERIFIED: from row 3 its rows are linked with the audit key"), "\(report.chainSentence)")
        #expect(report.html.contains("<strong>✖ NOT VERIFIED</strong>") && !report.html.contains("IS BROKEN"))
        #expect(report.json["chain"]?["break"]?["needsKey"] == true)
        // Read without its key from the first row: nothing verified, and no head claimed.
        let unread = AuditVerifier.Report(rows: 7, head: AuditChain.genesis, firstBreak: AuditChain.Break(sequence: 1, reason: "keyed", needsKey: true))
        let html = EvidenceReport(from: Self.at("2026-11-01T00:00:00Z"), to: Self.at("2026-12-01T00:00:00Z"), chain: unread, records: Self.records, objects: []).html
        #expect(html.contains("<br>Read: 7 rows, none verified; no key given, and its keyed links cannot be checked without it;"))
        #expect(!html.contains("Verified:") && !html.contains("head <abbr"))
    }

    @Test func refusalsAreListedAndCountedByRequestWithoutMutations() {
        var records = Self.records
        records.append(Self.record("u8", time: "2026-11-06T08:00:00Z", kind: "Deployment", name: "web", denied: [.imageNoLatest, .resourcesDefaults]))
        let chain = AuditVerifier.Report(rows: 8, head: "f00d", firstBreak: nil)
        let report = EvidenceReport(from: Self.at("2026-11-01T00:00:00Z"), to: Self.at("2026-12-01T00:00:00Z"), chain: chain, records: records, objects: [])
        #expect(report.refused.map(\.uid) == ["u2", "u3", "u8"])
        #expect(report.denials.map { "\($0.rule) \($0.count)" } == ["image.no-latest 2", "odoo.change-approved 1", "resources.limits-required 1"],
                "resources.defaults is a mutation the validating webhook found unapplied, not a refusal by a rule")
        #expect(report.html.contains("<h2>Refused requests (3)</h2>") && report.html.contains("<td data-label=\"Refused by\">image.no-latest, resources.defaults</td>"))
        #expect(report.json["refusedRequests"]?.arrayValue?.count == 3)
    }

    /// What the promotion cell says of a change without promotion evidence, by the fields it
    /// changed as the webhook records them (`spec.`-prefixed paths).
    @Test("a change without promotion evidence says whether it needed some", arguments: [
        ("spec.image", "no promotion evidence"),
        ("spec.addons.0.image", "no promotion evidence"),
        ("spec.replicas,spec.version", "no promotion evidence"),
        ("spec.replicas", "not required (no new digest)"),
        ("spec.resources.limits.memory,spec.workers", "not required (no new digest)"),
        ("spec.imagePullPolicy", "not required (no new digest)"),
    ])
    func promotionBlankSaysWhy(fields: String, says: String) {
        let change = Self.record("c1", time: "2026-11-03T09:00:00Z", annotations: ["change-ref": "CHG-1", "changed-fields": fields])
        let chain = AuditVerifier.Report(rows: 1, head: "f00d", firstBreak: nil)
        let html = EvidenceReport(from: Self.at("2026-11-01T00:00:00Z"), to: Self.at("2026-12-01T00:00:00Z"), chain: chain, records: [change], objects: []).html
        #expect(html.contains("Promotion: \(says)."), "\(fields)")
    }

    @Test func digestsAreShortenedWithTheFullValueOnHoverAndBlanksSayWhy() {
        let html = Self.report(broken: false).html
        let full = "sha256:" + String(repeating: "b", count: 64)
        #expect(html.contains("<abbr title=\"\(full)\">sha256:bbbbbbbbbbbb…</abbr>") && !html.contains(">\(full)<"))
        #expect(Self.report(broken: false).jsonText.contains(full), "the JSON keeps every digest in full")
        #expect(html.contains("bob@<wbr>example.com (ChangeApproval chg-42)"))
        #expect(html.contains("Verified: 7 rows; links checked with the audit key (HMAC-SHA-256); 2 checkpoints from the webhook&#39;s log held"))
    }

    @Test("guardctl evidence over a real chain: exit 0 with the change while intact, exit 1 saying BROKEN once a row is edited")
    func realChain() async throws {
        let server = try await offPool { try PostgresServer() }
        defer { server.stop() }
        let writer = PostgresAuditWriter(configuration: .init(dsn: try PostgresDSN(server.dsn), table: try AuditTable(), capacity: 100, batchSize: 7),
                                         logger: PostgresAuditTests.logger)
        for record in Self.records { writer.submit(record) }
        #expect(await writer.flush())
        await writer.close()
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("evidence-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let dsnFile = directory.appendingPathComponent("dsn").path
        try Data(server.dsn.utf8).write(to: URL(fileURLWithPath: dsnFile))
        let context = directory.appendingPathComponent("cluster.json").path
        let list: JSONValue = ["apiVersion": "v1", "kind": "List", "items": .array(Self.objects.map(\.raw))]  // as `kubectl get -o json` prints
        try Data(list.serializedBytes()).write(to: URL(fileURLWithPath: context))
        let arguments = ["evidence", "--dsn-file", dsnFile, "--from", "2026-11-01T00:00:00Z", "--to", "2026-12-01T00:00:00Z", "--context", context, "--output", "json"]
        let intact = try await offPool { try Subprocess.run(ExecutablePath.built("guardctl"), arguments) }
        #expect(intact.status == 0, "\(intact.output.prefix(3000))")
        let json = try JSONParser.parse(Array(intact.output.utf8))
        #expect(json["chain"]?["intact"] == true && json["chain"]?["rows"] == 7)
        #expect(json["verifiedChanges"]?[1]?["outcome"] == "RolledBack" && json["releases"]?[0]?["phase"] == "Halted")
        #expect(json["productionChanges"]?[0]?["approvedBy"] == "bob@example.com")
        #expect(json["exceptionsInForce"]?[0]?["approver"] == "ciso@example.com")

        try await offPool { try server.psql("UPDATE odoo_guard_audit SET record = replace(record, 'bob@example.com', 'mallory@example.com') WHERE seq = 1") }
        let tampered = try await offPool { try Subprocess.run(ExecutablePath.built("guardctl"), Array(arguments.dropLast(2)) + ["--output", "html"]) }
        #expect(tampered.status == 1)
        #expect(tampered.output.contains("THE AUDIT CHAIN IS BROKEN at row 1"), "\(tampered.output.prefix(2000))")
        let noDatabase = try await offPool { try Subprocess.run(ExecutablePath.built("guardctl"), ["evidence", "--context", context]) }
        #expect(noDatabase.status == 2 && noDatabase.output.contains("--dsn-file"))
    }
}
