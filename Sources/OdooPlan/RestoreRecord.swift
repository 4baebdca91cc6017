import Foundation
import KubeModel

/// The last OdooRestore that replaced an environment's data: which, from where, when it finished
/// and whether the data was masked. The restore writes it into the environment's
/// `odooguard.io/last-restore` annotation as it starts web and cron again; the environment's
/// status shows it as `status.lastRestore`.
public struct RestoreRecord: Sendable, Equatable {
    /// The OdooRestore's name.
    public var restore: String
    /// Restore or refresh.
    public var mode: OdooRestore.Mode
    /// `namespace/environment@backup`.
    public var source: String
    /// When the restored environment started again.
    public var finished: Date
    /// Whether the policy's masking ran on the data.
    public var masked: Bool

    /// A record.
    public init(restore: String, mode: OdooRestore.Mode, source: String, finished: Date, masked: Bool) {
        self.restore = restore
        self.mode = mode
        self.source = source
        self.finished = finished
        self.masked = masked
    }

    /// The record from its JSON (annotation text parsed, or a status field), `nil` when unreadable.
    public init?(json: JSONValue?) {
        guard let json, let restore = json["restore"]?.stringValue, let mode = json["mode"]?.stringValue.flatMap(OdooRestore.Mode.init(rawValue:)),
              let source = json["source"]?.stringValue, let finished = json["finished"]?.stringValue.flatMap(Timestamp.parse) else { return nil }
        self.init(restore: String(restore.prefix(253)), mode: mode, source: String(source.prefix(300)), finished: finished,
                  masked: json["masked"]?.boolValue ?? false)
    }

    /// The record from the annotation's text, `nil` when it is not a record.
    public init?(annotation text: String?) {
        guard let text, text.utf8.count <= 4096, let value = try? JSONParser.parse(text) else { return nil }
        self.init(json: value)
    }

    /// The record as JSON.
    public var json: JSONValue {
        ["finished": .string(Timestamp.format(finished)), "masked": .bool(masked), "mode": .string(mode.rawValue),
         "restore": .string(restore), "source": .string(source)]
    }

    /// The annotation's text (compact JSON).
    public var annotation: String { json.serialized() }
}
