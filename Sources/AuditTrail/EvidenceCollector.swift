import Foundation
import KubeModel
import Logging
import PostgresAccess

/// Reads an audit table once — verifying its chain and keeping the records of a period — and builds
/// the ``EvidenceReport`` with the cluster's objects (`guardctl evidence`).
public struct EvidenceCollector: Sendable {
    /// The chain's verifier (database, table, key, checkpoints).
    public let verifier: AuditVerifier

    /// A collector.
    public init(verifier: AuditVerifier) { self.verifier = verifier }

    /// The report for `from <= time < to`.
    /// - Throws: ``AuditTrailError`` when the database cannot be read.
    public func collect(from: Date, to: Date, objects: [KubeObject], logger: Logger) async throws(AuditTrailError) -> EvidenceReport {
        var records: [AuditRecord] = []
        var rows: [String: Int64] = [:]
        var unreadable = 0
        let chain = try await verifier.verify(logger: logger) { row in
            guard let json = try? JSONParser.parse(Array(row.record.utf8)), let record = try? AuditRecord(json: json) else {
                unreadable += 1
                return
            }
            if record.time >= from && record.time < to {
                records.append(record)
                rows[EvidenceReport.rowKey(record)] = row.sequence
            }
        }
        var report = EvidenceReport(from: from, to: to, chain: chain, records: records, objects: objects)
        report.unreadableRecords = unreadable
        report.rowNumbers = rows
        return report
    }
}
