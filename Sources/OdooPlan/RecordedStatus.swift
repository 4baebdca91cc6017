import Foundation
import KubeModel

/// An OdooEnvironment's status as the API last returned it, read once and typed.
public struct RecordedStatus: Sendable, Equatable {
    /// The status object as stored (`{}` when there is none), compared with the new one before writing.
    public var json: JSONValue
    /// Its conditions.
    public var conditions: [Condition]
    /// The pinned image it reported.
    public var image: String?
    /// The spec image that pin was resolved from.
    public var imageSource: String?
    /// The backups and rehearsals it recorded.
    public var backups: BackupObservation
    /// The addon images' pins it reported (`status.addonImages`): source → pinned.
    public var addonPins: [String: String]
    /// The database's initialisation, when recorded (`status.databaseInitialized`).
    public var databaseInitialized: DatabaseInitialization?
    /// The periods it ran Ready, by digests (`status.readyHistory`).
    public var readyHistory: [ReadyPeriod]
    /// Whether it slept, woke or was awake, and the pod-hours its sleeps saved (`status.sleep`).
    public var sleep: SleepStatus?

    /// The status of `object`.
    public init(_ object: KubeObject) {
        let status = object.raw["status"]
        json = status ?? .object([:])
        conditions = (status?["conditions"]?.arrayValue ?? []).compactMap(Condition.init(json:))
        image = status?["image"]?.stringValue
        imageSource = status?["imageSource"]?.stringValue
        backups = BackupObservation(
            lastBackupTime: status?["lastBackupTime"]?.stringValue.flatMap(Timestamp.parse),
            lastBackupSize: status?["lastBackupSize"]?.intValue,
            lastRestoreCheckTime: status?["lastRestoreCheckTime"]?.stringValue.flatMap(Timestamp.parse))
        databaseInitialized = DatabaseInitialization(recorded: status)
        readyHistory = ReadyPeriod.recorded(status)
        sleep = SleepStatus(recorded: status)
        var pins: [String: String] = [:]
        for entry in status?["addonImages"]?.arrayValue ?? [] {
            if let source = entry["source"]?.stringValue, let image = entry["image"]?.stringValue, image.contains("@sha256:") { pins[source] = image }
        }
        addonPins = pins
    }

    /// The condition of `type`, when recorded.
    public func condition(_ type: String) -> Condition? { conditions.first { $0.type == type } }

    /// The recorded pin of `source`: the status image while `status.imageSource` is `source` and the
    /// image is pinned by digest.
    public func pin(of source: String) -> String? {
        guard imageSource == source, let image, image.contains("@sha256:") else { return nil }
        return image
    }
}
