import Foundation
import KubeModel

extension EvidenceReport {
    /// The report as JSON (keys in a fixed order).
    public var json: JSONValue {
        var chainJSON: JSONObject = ["intact": .bool(chainIntact), "rows": .int(Int64(chain.rows)), "head": .string(chain.head),
                                     "statement": .string(chainSentence), "unreadableRecords": .int(Int64(unreadableRecords))]
        if let broken = chain.firstBreak { chainJSON["break"] = ["row": .int(broken.sequence), "reason": .string(broken.reason)] }
        return [
            "range": ["from": .string(Timestamp.format(from)), "to": .string(Timestamp.format(to))],
            "chain": .object(chainJSON),
            "reviews": ["allowed": .int(Int64(totals.allowed)), "denied": .int(Int64(totals.denied))],
            "productionChanges": .array(changes.map(\.json)),
            "denialsByRule": .array(denials.map { ["rule": .string($0.rule), "count": .int(Int64($0.count))] }),
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
