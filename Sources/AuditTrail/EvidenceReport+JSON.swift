import Foundation
import KubeModel

extension EvidenceReport {
    /// The report as JSON (keys in a fixed order).
    public var json: JSONValue {
        var chainJSON: JSONObject = ["intact": .bool(chainIntact), "rows": .int(Int64(chain.rows)), "head": .string(chain.head),
                                     "statement": .string(chainSentence), "unreadableRecords": .int(Int64(unreadableRecords))]
        if let broken = chain.firstBreak {
            chainJSON["break"] = ["row": .int(broken.sequence), "reason": .string(broken.reason), "needsKey": .bool(broken.needsKey)]
        }
        chainJSON["keyed"] = .bool(chain.keyed)
        chainJSON["unkeyedRows"] = .int(Int64(chain.unkeyedRows))
        chainJSON["checkpoints"] = .int(Int64(chain.checkpoints))
        return [
            "range": ["from": .string(Timestamp.format(from)), "to": .string(Timestamp.format(to))],
            "chain": .object(chainJSON),
            "reviews": ["allowed": .int(Int64(totals.allowed)), "denied": .int(Int64(totals.denied))],
            "productionChanges": .array(changes.map { rowed($0.json, $0.record) }),
            "denialsByRule": .array(denials.map { ["rule": .string($0.rule), "count": .int(Int64($0.count))] }),
            "refusedRequests": .array(refused.map { record in
                var fields: JSONObject = ["time": .string(Timestamp.format(record.time, milliseconds: true)), "user": .string(record.user),
                                          "kind": .string(record.kind.kind), "namespace": .string(record.namespace), "name": .string(record.name),
                                          "operation": .string(record.operation), "rules": .array(record.rulesDenied.map(JSONValue.string))]
                if let row = row(of: record) { fields["row"] = .int(row) }
                if chain.firstBreak != nil { fields["afterBreak"] = .bool(afterBreak(record)) }
                return .object(fields)
            }),
            "exceptionsInForce": .array(exceptions.map(Self.exceptionJSON)),
            "backups": .array(environments.map(Self.backupJSON)),
            "releases": .array(releases.map(Self.releaseJSON)),
            "verifiedChanges": .array(verifiedChanges.map(\.json)),
            "failedVerifications": .array(failedChangeRecords.map { record in
                ["time": .string(Timestamp.format(record.time, milliseconds: true)), "namespace": .string(record.namespace), "name": .string(record.name),
                 "writtenBy": .string(record.user), "outcome": .string(record.evidence["change-outcome"] ?? "")]
            }),
        ]
    }

    /// `value` (an object) with the record's table row and, when the chain is broken, whether it
    /// comes after the break.
    func rowed(_ value: JSONValue, _ record: AuditRecord) -> JSONValue {
        guard case .object(var fields) = value else { return value }
        if let row = row(of: record) { fields["row"] = .int(row) }
        if chain.firstBreak != nil { fields["afterBreak"] = .bool(afterBreak(record)) }
        return .object(fields)
    }

    /// ``json`` as indented text with a final newline.
    public var jsonText: String { String(decoding: json.serializedBytes(.prettyPrinted), as: UTF8.self) + "\n" }

    static func exceptionJSON(_ object: KubeObject) -> JSONValue {
        let spec = object.raw["spec"]
        var fields: JSONObject = ["namespace": .string(object.namespace ?? ""), "name": .string(object.name),
                                  "rules": spec?["rules"] ?? .array([]), "approver": .string(spec?["approver"]?.stringValue ?? ""),
                                  "reason": .string(spec?["reason"]?.stringValue ?? ""), "expiresAt": .string(spec?["expiresAt"]?.stringValue ?? "")]
        if let ticket = spec?["ticket"]?.stringValue { fields["ticket"] = .string(ticket) }
        if let vulnerabilities = spec?["vulnerabilities"] { fields["vulnerabilities"] = vulnerabilities }
        return .object(fields)
    }

    static func releaseJSON(_ object: KubeObject) -> JSONValue {
        let status = object.raw["status"]
        return ["name": .string(object.name), "image": .string(object.raw["spec"]?["image"]?.stringValue ?? ""),
                "phase": .string(status?["phase"]?.stringValue ?? "Pending"), "done": .int(status?["done"]?.intValue ?? 0),
                "total": .int(status?["total"]?.intValue ?? 0), "failed": .int(status?["failed"]?.intValue ?? 0),
                "message": .string(status?["message"]?.stringValue ?? "")]
    }

    static func backupJSON(_ object: KubeObject) -> JSONValue {
        let status = object.raw["status"]
        let condition = (status?["conditions"]?.arrayValue ?? []).first { $0["type"]?.stringValue == "BackupReady" }
        return ["namespace": .string(object.namespace ?? ""), "environment": .string(object.name),
                "stage": .string(object.raw["spec"]?["stage"]?.stringValue ?? ""),
                "lastBackupTime": .string(status?["lastBackupTime"]?.stringValue ?? ""),
                "lastRestoreCheckTime": .string(status?["lastRestoreCheckTime"]?.stringValue ?? ""),
                "backupReady": .string(condition?["status"]?.stringValue ?? "Unknown"),
                "reason": .string(condition?["reason"]?.stringValue ?? ""), "message": .string(condition?["message"]?.stringValue ?? "")]
    }
}

extension EvidenceReport.Change {
    /// The change as JSON.
    var json: JSONValue {
        let record = self.record
        var fields: JSONObject = ["time": .string(Timestamp.format(record.time, milliseconds: true)), "namespace": .string(record.namespace),
                                  "kind": .string(record.kind.kind), "name": .string(record.name), "operation": .string(record.operation),
                                  "requestedBy": .string(record.user), "policyVersion": .string(record.policyVersion)]
        for (key, name) in [("change-ref", "changeRef"), ("approved-by", "approvedBy"), ("approval", "approval"), ("changed-fields", "changedFields"),
                            ("image-digest", "imageDigest"), ("addon-digests", "addonDigests"), ("promoted-from", "promotedFrom"), ("scan", "scan")] {
            if let value = record.evidence[key] { fields[name] = .string(value) }
        }
        if !record.rulesWarned.isEmpty { fields["admittedWithWarnings"] = .array(record.rulesWarned.map(JSONValue.string)) }
        return .object(fields)
    }
}

extension EvidenceReport.VerifiedChange {
    /// The change as JSON.
    var json: JSONValue {
        ["environment": .string(environment), "started": .string(Timestamp.format(started)), "by": .string(by), "fromImage": .string(fromImage),
         "toImage": .string(toImage), "outcome": .string(outcome), "migration": .string(migration), "restorePoint": .string(restorePoint),
         "message": .string(message)]
    }
}
