import Foundation
import GuardRules
import KubeModel
import Logging

/// One admission decision as evidence: who asked for what, what was decided and by which policy.
///
/// Built from the request's metadata and the decision only: never from the object's content, so no
/// Secret value, env `value` or ConfigMap data can reach a log line or the audit table.
public struct AuditRecord: Sendable, Equatable {
    /// When the decision was made.
    public var time: Date
    /// The AdmissionReview request uid.
    public var uid: String
    /// `validate` or `mutate`.
    public var endpoint: String
    /// The requesting user.
    public var user: String
    /// The requesting user's groups.
    public var groups: [String]
    /// CREATE, UPDATE, DELETE or CONNECT.
    public var operation: String
    /// `group/version, Kind=Kind` of the submitted object.
    public var kind: GroupVersionKind
    /// The subresource, when the request was for one.
    public var subResource: String?
    /// The namespace (empty for cluster-scoped objects).
    public var namespace: String
    /// The object name (empty for `generateName` creates).
    public var name: String
    /// Whether the request was a dry run.
    public var dryRun: Bool
    /// `allowed` or `denied`.
    public var decision: String
    /// Enforce-mode rules that fired.
    public var rulesDenied: [String]
    /// Warn-mode rules that fired.
    public var rulesWarned: [String]
    /// Audit-mode rules that fired.
    public var rulesAudited: [String]
    /// Rules waived by exemptions or GuardExceptions.
    public var rulesExempted: [String]
    /// Mutations in the returned patch.
    public var mutations: [String]
    /// The policy version that decided.
    public var policyVersion: String
    /// Evaluation time in microseconds.
    public var durationMicroseconds: Int64
    /// What an auditor asks of an admitted production change: change reference, approval and approver,
    /// requester, changed fields, digests and where they were proven (empty for other requests).
    public var evidence: [String: String] = [:]
    /// The fields cut to their budget (a long name, a user with thousands of groups), each with the
    /// SHA-256 and length of its whole text; empty for every ordinary request.
    public var truncated: [String: String] = [:]

    /// The decision's audit annotations that are change evidence.
    public static let evidenceKeys = ["change-ref", "approval", "approved-by", "requested-by", "changed-fields",
                                      "image-digest", "addon-digests", "promoted-from", "scan", "change-outcome"]

    /// A record of one decision.
    public init(request: AdmissionRequest, decision: Decision, endpoint: String, allowed: Bool, policyVersion: String,
                duration: Duration, time: Date = Date()) {
        self.time = time
        uid = request.uid
        self.endpoint = endpoint
        user = request.userInfo.username
        groups = request.userInfo.groups
        operation = request.operation.rawValue
        kind = request.kind
        subResource = request.subResource
        namespace = request.namespace ?? ""
        name = request.name.isEmpty ? (request.object.map(KubeObject.init)?.name ?? "") : request.name
        dryRun = request.dryRun
        self.decision = allowed ? "allowed" : "denied"
        func rules(_ mode: RuleMode) -> [String] {
            Array(Set(decision.violations.filter { $0.mode == mode }.map(\.rule.rawValue))).sorted()
        }
        rulesDenied = rules(.enforce)
        rulesWarned = rules(.warn)
        rulesAudited = rules(.audit)
        rulesExempted = Array(Set(decision.exempted.map(\.violation.rule.rawValue))).sorted()
        mutations = decision.auditAnnotations["mutations"].map { $0.split(separator: ",").map(String.init) } ?? []
        self.policyVersion = policyVersion
        let (seconds, attoseconds) = duration.components
        durationMicroseconds = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        for key in Self.evidenceKeys {
            if let value = decision.auditAnnotations[key] { evidence[key] = value }
        }
        bound()
    }

    /// The record as a JSON object with a fixed key order: the text stored in the audit table and hashed
    /// into the chain.
    public var jsonValue: JSONValue {
        func list(_ items: [String]) -> JSONValue { .array(items.map(JSONValue.string)) }
        var object: JSONObject = [
            "time": .string(Timestamp.format(time, milliseconds: true)),
            "uid": .string(uid),
            "endpoint": .string(endpoint),
            "user": .string(user),
            "groups": list(groups),
            "operation": .string(operation),
            "apiVersion": .string(kind.apiVersion),
            "kind": .string(kind.kind),
        ]
        if let subResource { object["subResource"] = .string(subResource) }
        object["namespace"] = .string(namespace)
        object["name"] = .string(name)
        object["dryRun"] = .bool(dryRun)
        object["decision"] = .string(decision)
        object["rulesDenied"] = list(rulesDenied)
        object["rulesWarned"] = list(rulesWarned)
        object["rulesAudited"] = list(rulesAudited)
        object["rulesExempted"] = list(rulesExempted)
        object["mutations"] = list(mutations)
        object["policyVersion"] = .string(policyVersion)
        object["durationMicroseconds"] = .int(durationMicroseconds)
        // Only when there is some, so the text of every other record is as before.
        if !evidence.isEmpty {
            object["evidence"] = .object(JSONObject(uniqueKeysWithValues: evidence.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) }))
        }
        if !truncated.isEmpty {
            object["truncated"] = .object(JSONObject(uniqueKeysWithValues: truncated.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) }))
        }
        return .object(object)
    }

    /// The record as log metadata, with the project's standard keys (`admission.uid`, `k8s.kind`,
    /// `k8s.namespace`, `k8s.name`).
    public var logMetadata: Logger.Metadata {
        func list(_ items: [String]) -> Logger.MetadataValue { .array(items.map { .string($0) }) }
        var metadata: Logger.Metadata = [
            "admission.uid": .string(uid),
            "admission.endpoint": .string(endpoint),
            "admission.operation": .string(operation),
            "admission.dryRun": .stringConvertible(dryRun),
            "user.name": .string(user),
            "user.groups": list(groups),
            "k8s.apiVersion": .string(kind.apiVersion),
            "k8s.kind": .string(kind.kind),
            "k8s.namespace": .string(namespace),
            "k8s.name": .string(name),
            "decision": .string(decision),
            "rules.denied": list(rulesDenied),
            "rules.warned": list(rulesWarned),
            "rules.audited": list(rulesAudited),
            "rules.exempted": list(rulesExempted),
            "mutations": list(mutations),
            "policy.version": .string(policyVersion),
            "duration_us": .stringConvertible(durationMicroseconds),
        ]
        if let subResource { metadata["admission.subResource"] = .string(subResource) }
        if !truncated.isEmpty { metadata["truncated"] = .dictionary(truncated.mapValues { .string($0) }) }
        return metadata
    }
}
