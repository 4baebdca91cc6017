import Foundation
import GuardRules
import KubeModel

/// `guardctl evidence`: what an auditor asks of a period, from the audit chain and the environments,
/// computed without I/O and deterministic (the same inputs give the same bytes; the report is dated
/// by its range, never by the clock).
///
/// It lists every production change admitted (who, approver, change reference, digests, promotion,
/// scan, policy version), denials by rule, the GuardExceptions in force at the end of the range and
/// who approved them, each environment's backups and restore rehearsals, the release trains and every
/// change's verification after its switch (verified, rolled back, failed after a migration with its
/// restore point), and the chain's verification — saying plainly, first, when the chain is broken.
public struct EvidenceReport: Sendable {
    /// One admitted production change.
    public struct Change: Sendable, Equatable {
        /// The record it comes from.
        public var record: AuditRecord
        /// A piece of evidence (`change-ref`, `approved-by`, …), empty when absent.
        public func evidence(_ key: String) -> String { record.evidence[key] ?? "" }
    }

    /// The period covered (records with `from <= time < to`).
    public var from: Date
    /// The end of the period; exceptions are "in force" at this time.
    public var to: Date
    /// The chain's verification over the whole table.
    public var chain: AuditVerifier.Report
    /// Admitted production changes in the period, in time order.
    public var changes: [Change]
    /// Denied requests per rule in the period (validating endpoint, dry runs excluded), most first.
    /// A request that breaks several rules counts once under each; mutations the validating webhook
    /// found unapplied are not denials of a rule and are left out (``refused`` lists every request).
    public var denials: [(rule: String, count: Int)]
    /// Every denied request of the period (validating endpoint, dry runs excluded), in time order.
    public var refused: [AuditRecord]
    /// The table row of each record read, by ``rowKey(_:)`` (set by ``EvidenceCollector``), so the
    /// report can say which records come after a break.
    public var rowNumbers: [String: Int64] = [:]
    /// Reviews in the period: allowed and denied (validating endpoint, dry runs excluded).
    public var totals: (allowed: Int, denied: Int)
    /// GuardExceptions in force at ``to``.
    public var exceptions: [KubeObject]
    /// OdooEnvironments, with their backup status and change history.
    public var environments: [KubeObject]
    /// OdooReleases, with their status.
    public var releases: [KubeObject]
    /// Changes of image or addons the environments verified after the switch, started in the period
    /// (`status.changeHistory` and `status.change`), in time order.
    public var verifiedChanges: [VerifiedChange]
    /// Admitted writes that recorded a failed verification (`change-outcome` evidence) in the period.
    public var failedChangeRecords: [AuditRecord]
    /// Rows of the table whose record could not be read as an audit record (counted, never hidden).
    public var unreadableRecords = 0

    /// A report of `records` (already verified as ``chain`` says) and the cluster's objects
    /// (OdooEnvironments and GuardExceptions; other kinds are ignored).
    public init(from: Date, to: Date, chain: AuditVerifier.Report, records: [AuditRecord], objects: [KubeObject]) {
        self.from = from
        self.to = to
        self.chain = chain
        let judged = records.filter { $0.time >= from && $0.time < to && $0.endpoint == "validate" && !$0.dryRun }
            .sorted { ($0.time, $0.uid) < ($1.time, $1.uid) }
        changes = judged.filter { $0.decision == "allowed" && $0.evidence["change-ref"] != nil }.map { Change(record: $0) }
        var counts: [String: Int] = [:]
        refused = judged.filter { $0.decision == "denied" }
        for record in refused {
            for rule in Set(record.rulesDenied) where RuleCatalogue.description(of: RuleID(rawValue: rule))?.kind != .mutation {
                counts[rule, default: 0] += 1
            }
        }
        denials = counts.map { (rule: $0.key, count: $0.value) }.sorted { ($1.count, $0.rule) < ($0.count, $1.rule) }
        totals = (judged.filter { $0.decision == "allowed" }.count, judged.filter { $0.decision == "denied" }.count)
        func byName(_ a: KubeObject, _ b: KubeObject) -> Bool { (a.namespace ?? "", a.name) < (b.namespace ?? "", b.name) }
        exceptions = objects.filter { object in
            guard object.kind == "GuardException", case .success(let exception) = GuardException.decode(object, now: to) else { return false }
            return exception.expiresAt > to
        }.sorted(by: byName)
        environments = objects.filter { $0.kind == "OdooEnvironment" }.sorted(by: byName)
        releases = objects.filter { $0.kind == "OdooRelease" }.sorted(by: byName)
        verifiedChanges = environments.flatMap(VerifiedChange.all(of:)).filter { $0.started >= from && $0.started < to }
            .sorted { ($0.started, $0.environment) < ($1.started, $1.environment) }
        failedChangeRecords = judged.filter { $0.decision == "allowed" && $0.evidence["change-outcome"] != nil }
    }

    /// One change of an environment as its status records its verification.
    public struct VerifiedChange: Sendable, Equatable {
        /// `namespace/name`.
        public var environment: String
        /// When it was rolled out.
        public var started: Date
        /// Who asked (`release/<name>`, a change reference, a field manager).
        public var by: String
        /// The image before and after.
        public var fromImage: String
        /// The image rolled out.
        public var toImage: String
        /// `Verifying`, `Verified`, `RolledBack`, `VerificationFailed` or `Superseded`.
        public var outcome: String
        /// Why the database counts as migrated, empty when it does not.
        public var migration: String
        /// The restore point named for a migrated change.
        public var restorePoint: String
        /// The verification's words.
        public var message: String

        /// The changes `object` (an OdooEnvironment) records: its history, and its current change
        /// when that is still being verified.
        static func all(of object: KubeObject) -> [VerifiedChange] {
            let status = object.raw["status"]
            var entries = status?["changeHistory"]?.arrayValue ?? []
            if let current = status?["change"], current["outcome"]?.stringValue == "Verifying" { entries.append(current) }
            return entries.compactMap { entry in
                guard let started = entry["started"]?.stringValue.flatMap(Timestamp.parse) else { return nil }
                func text(_ value: JSONValue?) -> String { value?.stringValue ?? "" }
                return VerifiedChange(environment: "\(object.namespace ?? "")/\(object.name)", started: started, by: text(entry["by"]),
                                      fromImage: text(entry["from"]?["image"]), toImage: text(entry["to"]?["image"]), outcome: text(entry["outcome"]),
                                      migration: text(entry["migration"]), restorePoint: text(entry["restorePoint"]), message: text(entry["message"]))
            }
        }
    }

    /// Whether the chain verified.
    public var chainIntact: Bool { chain.firstBreak == nil }

    /// The key of a record in ``rowNumbers``.
    public static func rowKey(_ record: AuditRecord) -> String { record.endpoint + " " + record.uid + " " + Timestamp.format(record.time) }

    /// The table row of `record`, when known.
    public func row(of record: AuditRecord) -> Int64? { rowNumbers[Self.rowKey(record)] }

    /// Whether `record` comes at or after the chain's first break (unknown row: after, to be safe).
    public func afterBreak(_ record: AuditRecord) -> Bool {
        guard let broken = chain.firstBreak else { return false }
        return row(of: record).map { $0 >= broken.sequence } ?? true
    }

    /// One sentence on the chain, for the top of the report.
    public var chainSentence: String {
        if let broken = chain.firstBreak, broken.needsKey {
            return "THE AUDIT CHAIN WAS NOT VERIFIED: from row \(broken.sequence) its rows are linked with the audit key, and no key was given (--key-file). This report cannot vouch for any record; run it again with the key."
        }
        if let broken = chain.firstBreak {
            return "THE AUDIT CHAIN IS BROKEN at \(broken): records from row \(broken.sequence) on may have been changed, removed or reordered, and this report cannot vouch for them."
        }
        let unreadable = unreadableRecords == 0 ? "" : " \(unreadableRecords) rows hold records this version cannot read; they are not in the tables below."
        return "The audit chain is intact: \(chain.rows) rows verified, head \(chain.head).\(unreadable)"
    }
}
