import Crypto
import Foundation
import KubeModel

extension PolicyReportBuilder {
    /// One result before it becomes JSON: its identity, what it says, and its order.
    struct Result {
        let rule: String
        let outcome: String
        let severity: String?
        let message: String
        let resource: JSONValue
        let properties: [String: String]

        /// Failures first, then warnings, skips and passes; then by object and rule.
        var order: (Int, String, String) {
            (["fail": 0, "warn": 1, "error": 2, "skip": 3, "pass": 4][outcome] ?? 5,
             (resource["kind"]?.stringValue ?? "") + "/" + (resource["name"]?.stringValue ?? ""), rule)
        }
    }

    /// The results of one object, judged as if created now by the audit's own identity: a result per
    /// rule that found something (messages merged), a `skip` per waived rule, or one `pass`.
    func results(for object: KubeObject, context: EvaluationContext) -> [Result] {
        let request = AdmissionRequest(uid: "background-audit", kind: object.gvk, resource: ResourceType.of(object.gvk).gvr,
                                       name: object.name, namespace: object.namespace, operation: .create,
                                       userInfo: Self.auditUser, object: object.raw)
        // Strict: what the mutating webhook would add and the stored object lacks (no limits, no Pod
        // Security labels on a namespace that pre-dates the policy) is a finding of its rule.
        let decision = evaluator.evaluate(request, context: context, phase: .strict)
        var resource: JSONObject = ["apiVersion": .string(object.apiVersion), "kind": .string(object.kind), "name": .string(object.name)]
        if let namespace = object.namespace { resource["namespace"] = .string(namespace) }
        if let uid = object.uid { resource["uid"] = .string(uid) }
        let reference = JSONValue.object(resource)
        var byRule: [RuleID: [Violation]] = [:]
        for violation in decision.violations where !Self.changeOnlyRules.contains(violation.rule) {
            byRule[violation.rule, default: []].append(violation)
        }
        var results = byRule.map { rule, violations -> Result in
            let mode = violations.map(\.mode).max { Self.rank($0) < Self.rank($1) } ?? .warn
            let shown = violations.prefix(3).map(\.description)
            let more = violations.count > 3 ? " (and \(violations.count - 3) more)" : ""
            return Result(rule: rule.rawValue, outcome: mode == .enforce ? "fail" : "warn",
                          severity: mode == .enforce ? "high" : mode == .warn ? "medium" : "low",
                          message: shown.joined(separator: "; ") + more, resource: reference,
                          properties: ["mode": mode.rawValue, "paths": violations.map(\.path.description).prefix(10).joined(separator: ",")])
        }
        var waived: [RuleID: String] = [:]
        for exempted in decision.exempted where !Self.changeOnlyRules.contains(exempted.violation.rule) { waived[exempted.violation.rule] = exempted.by }
        results += waived.map { rule, by in
            Result(rule: rule.rawValue, outcome: "skip", severity: nil, message: "waived by \(by)", resource: reference, properties: ["waivedBy": by])
        }
        if results.isEmpty {
            results.append(Result(rule: "all", outcome: "pass", severity: nil, message: "no rule finds anything", resource: reference, properties: [:]))
        }
        return results
    }

    static func rank(_ mode: RuleMode) -> Int {
        switch mode {
        case .audit: return 0
        case .warn: return 1
        case .enforce: return 2
        }
    }

    /// The report, or `nil` when `existing` carries the same hash.
    func write(kind: String, namespace: String?, results unsorted: [Result], existing: JSONValue?) -> Write? {
        let results = unsorted.sorted { $0.order < $1.order }
        var summary: [String: Int64] = ["pass": 0, "fail": 0, "warn": 0, "error": 0, "skip": 0]
        for result in results { summary[result.outcome, default: 0] += 1 }
        let kept = Array(results.prefix(maximumResults))
        let omitted = results.count - kept.count
        var entries = kept.map { result -> JSONValue in
            var entry: JSONObject = ["policy": .string(evaluator.policy.name), "rule": .string(result.rule), "result": .string(result.outcome),
                                     "message": .string(result.message), "source": "odoo-guard", "scored": true,
                                     "category": .string(String(result.rule.prefix { $0 != "." })), "resources": .array([result.resource])]
            if let severity = result.severity { entry["severity"] = .string(severity) }
            if !result.properties.isEmpty { entry["properties"] = .object(JSONObject(uniqueKeysWithValues: result.properties.map { ($0.key, .string($0.value)) })) }
            return .object(entry)
        }
        let summaryJSON = JSONValue.object(JSONObject(uniqueKeysWithValues: summary.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) }))
        let hash = Self.hash(entries, summary: summaryJSON, omitted: omitted, policyVersion: evaluator.policy.version)
        if existing?["metadata"]?["annotations"]?[GuardLabels.reportHash]?.stringValue == hash { return nil }
        entries = Self.stamp(entries, existing: existing, now: now)
        var annotations: JSONObject = [GuardLabels.reportHash: .string(hash), GuardLabels.policyVersion: .string(evaluator.policy.version)]
        if omitted > 0 { annotations[GuardLabels.resultsOmitted] = .string(String(omitted)) }
        var metadata: JSONObject = ["name": .string(Self.reportName), "labels": [GuardLabels.managedBy: .string(GuardLabels.managerName)],
                                    "annotations": .object(annotations)]
        if let namespace { metadata["namespace"] = .string(namespace) }
        if let version = existing?["metadata"]?["resourceVersion"] { metadata["resourceVersion"] = version }
        let report: JSONValue = ["apiVersion": "wgpolicyk8s.io/v1alpha2", "kind": .string(kind), "metadata": .object(metadata),
                                 "summary": summaryJSON, "results": .array(entries)]
        return existing == nil ? .create(report) : .update(report)
    }

    /// SHA-256 over what a report says, timestamps excluded.
    static func hash(_ entries: [JSONValue], summary: JSONValue, omitted: Int, policyVersion: String) -> String {
        let content: JSONValue = ["results": .array(entries), "summary": summary, "omitted": .int(Int64(omitted)), "policy": .string(policyVersion)]
        return Hex.encode(SHA256.hash(data: content.serializedBytes(.sortedKeys)))
    }

    /// Timestamps: a result the existing report has too keeps its first one; a new one is `now`.
    static func stamp(_ entries: [JSONValue], existing: JSONValue?, now: Date) -> [JSONValue] {
        func key(_ fields: JSONObject) -> [UInt8] { JSONValue.object(fields).serializedBytes(.sortedKeys) }
        var previous: [[UInt8]: JSONValue] = [:]
        for old in existing?["results"]?.arrayValue ?? [] {
            guard case .object(var fields) = old, let timestamp = fields.removeValue(forKey: "timestamp") else { continue }
            previous[key(fields)] = timestamp
        }
        let seconds = now.timeIntervalSince1970.rounded(.down)
        let current: JSONValue = ["seconds": .int(Int64(seconds)), "nanos": .int(Int64((now.timeIntervalSince1970 - seconds) * 1e9))]
        return entries.map { entry in
            guard case .object(var fields) = entry else { return entry }
            fields["timestamp"] = previous[key(fields)] ?? current
            return .object(fields)
        }
    }
}
