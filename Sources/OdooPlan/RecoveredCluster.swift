import Foundation
import KubeModel

/// A CloudNativePG Cluster recovered to a point in time, which an environment's database runs on
/// after an OdooRestore: its name, the Cluster whose WAL archive it was recovered from, the target
/// time, and (until the restore finishes) the Cluster it replaces, kept rather than pruned so the
/// old data stays until the new one serves. Kept in the environment's `odooguard.io/database-cluster`
/// annotation, so every later plan keeps the recovery bootstrap CloudNativePG created it with.
public struct RecoveredCluster: Sendable, Equatable {
    /// The recovered Cluster's name.
    public var cluster: String
    /// The Cluster (its `serverName` in the archive) it was recovered from.
    public var origin: String
    /// The point in time it was recovered to.
    public var targetTime: Date
    /// The Cluster it replaces, kept until the restore finishes (`nil` afterwards).
    public var previous: String?

    /// A record.
    public init(cluster: String, origin: String, targetTime: Date, previous: String?) {
        self.cluster = cluster
        self.origin = origin
        self.targetTime = targetTime
        self.previous = previous
    }

    /// The record from the annotation's text, `nil` when it is not one.
    public init?(annotation text: String?) {
        guard let text, text.utf8.count <= 2048, let json = try? JSONParser.parse(text),
              let cluster = json["cluster"]?.stringValue, let origin = json["origin"]?.stringValue,
              let time = json["targetTime"]?.stringValue.flatMap(Timestamp.parse),
              DNSLabel.isValid(cluster), DNSLabel.isValid(origin) else { return nil }
        let previous = json["previous"]?.stringValue
        self.init(cluster: cluster, origin: origin, targetTime: time, previous: previous.flatMap { DNSLabel.isValid($0) ? $0 : nil })
    }

    /// The annotation's text.
    public var annotation: String {
        var object: JSONObject = ["cluster": .string(cluster), "origin": .string(origin), "targetTime": .string(Timestamp.format(targetTime))]
        if let previous { object["previous"] = .string(previous) }
        return JSONValue.object(object).serialized()
    }
}
