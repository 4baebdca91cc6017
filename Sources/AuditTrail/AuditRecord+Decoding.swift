import Foundation
import KubeModel

extension AuditRecord {
    /// A record read back from the text stored in the audit table (``jsonValue``).
    /// - Throws: ``AuditTrailError`` `malformedRow` naming the first field that is missing or of the wrong type.
    public init(json: JSONValue) throws(AuditTrailError) {
        func string(_ key: String) throws(AuditTrailError) -> String {
            guard let value = json[key]?.stringValue else { throw AuditTrailError.malformedRow("audit record: \(key) is missing or not a string") }
            return value
        }
        func strings(_ key: String) throws(AuditTrailError) -> [String] {
            guard let items = json[key]?.arrayValue else { throw AuditTrailError.malformedRow("audit record: \(key) is missing or not a list") }
            return items.compactMap(\.stringValue)
        }
        let timeText = try string("time")
        guard let time = Timestamp.parse(timeText) else { throw AuditTrailError.malformedRow("audit record: time \"\(timeText)\" is not RFC 3339") }
        self.time = time
        uid = try string("uid")
        endpoint = try string("endpoint")
        user = try string("user")
        groups = try strings("groups")
        operation = try string("operation")
        kind = GroupVersionKind(apiVersion: try string("apiVersion"), kind: try string("kind"))
        subResource = json["subResource"]?.stringValue
        namespace = try string("namespace")
        name = try string("name")
        guard case .bool(let dry)? = json["dryRun"] else { throw AuditTrailError.malformedRow("audit record: dryRun is missing or not a boolean") }
        dryRun = dry
        decision = try string("decision")
        rulesDenied = try strings("rulesDenied")
        rulesWarned = try strings("rulesWarned")
        rulesAudited = try strings("rulesAudited")
        rulesExempted = try strings("rulesExempted")
        mutations = try strings("mutations")
        policyVersion = try string("policyVersion")
        durationMicroseconds = json["durationMicroseconds"]?.intValue ?? 0
        evidence = json["evidence"]?.stringMap ?? [:]
        truncated = json["truncated"]?.stringMap ?? [:]
    }
}
