import Foundation
import KubeModel

extension EvidenceReport {
    /// The report as one self-contained HTML page (no script, no external resource), every value escaped.
    public var html: String {
        var page = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>odoo-guard evidence \(Self.escape(Timestamp.format(from))) to \(Self.escape(Timestamp.format(to)))</title>
        <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:2em}td,th{border:1px solid #999;padding:4px 8px;text-align:left;vertical-align:top}td{overflow-wrap:anywhere}@media (max-width:700px){body{margin:1em}table,tbody,tr,td{display:block}tr.head{display:none}tr{border:1px solid #999;margin-bottom:.8em}td{border:none;border-bottom:1px solid #ddd}td:before{content:attr(data-label) \": \";font-weight:bold}}.broken{background:#b00;color:#fff;padding:1em;font-size:1.2em}.intact{background:#060;color:#fff;padding:1em}</style>
        </head><body>
        <h1>odoo-guard evidence</h1>
        <p>Period: \(Self.escape(Timestamp.format(from))) to \(Self.escape(Timestamp.format(to))) (UTC). Reviews: \(totals.allowed) allowed, \(totals.denied) denied.</p>
        <p class="\(chainIntact ? "intact" : "broken")">\(Self.escape(chainSentence))</p>

        """
        page += Self.table("Production changes admitted", ["Time", "Environment", "Requested by", "Approved by", "Change", "Image", "Addons",
                                                            "Promoted from", "Scan", "Changed fields", "Policy"],
                           changes.map { change in
                               [Timestamp.format(change.record.time), "\(change.record.namespace)/\(change.record.name)", change.record.user,
                                change.evidence("approved-by"), change.evidence("change-ref"), change.evidence("image-digest"),
                                change.evidence("addon-digests"), change.evidence("promoted-from"), change.evidence("scan"),
                                change.evidence("changed-fields"), change.record.policyVersion]
                           })
        page += Self.table("Release trains", ["Release", "Image", "Phase", "Done", "Failed", "Message"], releases.map { object in
            let status = object.raw["status"]
            return [object.name, object.raw["spec"]?["image"]?.stringValue ?? "", status?["phase"]?.stringValue ?? "Pending",
                    "\(status?["done"]?.intValue ?? 0) of \(status?["total"]?.intValue ?? 0)", String(status?["failed"]?.intValue ?? 0),
                    status?["message"]?.stringValue ?? ""]
        })
        page += Self.table("Changes verified after the switch", ["Rolled out", "Environment", "By", "From", "To", "Outcome", "Migration", "Restore point", "Evidence"],
                           verifiedChanges.map { change in
                               [Timestamp.format(change.started), change.environment, change.by, change.fromImage, change.toImage, change.outcome,
                                change.migration, change.restorePoint, change.message]
                           })
        page += Self.table("Failed verifications in the audit chain", ["Time", "Environment", "Written by", "Outcome"], failedChangeRecords.map { record in
            [Timestamp.format(record.time), "\(record.namespace)/\(record.name)", record.user, record.evidence["change-outcome"] ?? ""]
        })
        page += Self.table("Denials by rule", ["Rule", "Denied requests"], denials.map { [$0.rule, String($0.count)] })
        page += Self.table("Exceptions in force at the end of the period", ["Exception", "Rules", "Approved by", "Reason", "Ticket", "Expires", "Vulnerabilities"],
                           exceptions.map { object in
                               let spec = object.raw["spec"]
                               func list(_ key: String) -> String { (spec?[key]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ", ") }
                               return ["\(object.namespace ?? "")/\(object.name)", list("rules"), spec?["approver"]?.stringValue ?? "",
                                       spec?["reason"]?.stringValue ?? "", spec?["ticket"]?.stringValue ?? "", spec?["expiresAt"]?.stringValue ?? "",
                                       list("vulnerabilities")]
                           })
        page += Self.table("Backups and restore rehearsals", ["Environment", "Stage", "Last backup", "Last restore rehearsal", "BackupReady", "Why"],
                           environments.map { object in
                               let backup = Self.backupJSON(object)
                               func field(_ key: String) -> String { backup[key]?.stringValue ?? "" }
                               return ["\(object.namespace ?? "")/\(object.name)", field("stage"), field("lastBackupTime"), field("lastRestoreCheckTime"),
                                       field("backupReady"), [field("reason"), field("message")].filter { !$0.isEmpty }.joined(separator: ": ")]
                           })
        return page + "</body></html>\n"
    }

    /// A titled table; "none" when it has no row.
    static func table(_ title: String, _ headers: [String], _ rows: [[String]]) -> String {
        var text = "<h2>\(escape(title))</h2>\n"
        guard !rows.isEmpty else { return text + "<p>None.</p>\n" }
        text += "<table><tr class=\"head\">" + headers.map { "<th>\(escape($0))</th>" }.joined() + "</tr>\n"
        // Each cell names its column, so a phone shows a row as a labelled card.
        for row in rows {
            text += "<tr>" + zip(headers, row).map { "<td data-label=\"\(escape($0))\">\(escape($1))</td>" }.joined() + "</tr>\n"
        }
        return text + "</table>\n"
    }

    /// HTML text escaping: `&`, `<`, `>`, `"` and `'`.
    static func escape(_ text: String) -> String { HTMLText.escape(text) }
}
