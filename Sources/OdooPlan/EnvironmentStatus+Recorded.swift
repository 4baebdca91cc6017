import GuardRules
import Foundation
import KubeModel

extension EnvironmentStatus {
    /// The status as the API last returned it (an OdooEnvironment's `status`; `nil` or `{}` when there
    /// is none), read once and typed: the same value a reconcile computes and writes, so what was
    /// recorded and what is new are compared field by field. Unreadable entries are skipped.
    public init(json status: JSONValue?) {
        conditions = (status?["conditions"]?.arrayValue ?? []).compactMap(Condition.init(json:))
        observedGeneration = status?["observedGeneration"]?.intValue
        url = status?["url"]?.stringValue
        image = status?["image"]?.stringValue
        imageSource = status?["imageSource"]?.stringValue
        database = status?["database"]?.stringValue
        backups = BackupObservation(
            lastBackupTime: status?["lastBackupTime"]?.stringValue.flatMap(Timestamp.parse),
            lastBackupSize: status?["lastBackupSize"]?.intValue,
            lastRestoreCheckTime: status?["lastRestoreCheckTime"]?.stringValue.flatMap(Timestamp.parse))
        warnings = (status?["warnings"]?.arrayValue ?? []).compactMap(\.stringValue)
        addonImages = (status?["addonImages"]?.arrayValue ?? []).compactMap { entry in
            guard let source = entry["source"]?.stringValue, let image = entry["image"]?.stringValue else { return nil }
            return PinnedImage(source: source, image: image)
        }
        databaseInitialized = DatabaseInitialization(recorded: status)
        readyHistory = ReadyPeriod.recorded(status)
        sleep = SleepStatus(recorded: status)
        scaling = ScalingStatus(recorded: status)
        connectionBudget = ConnectionBudgetRecord(status: status)
        change = ChangeRecord(json: status?["change"])
        changeHistory = (status?["changeHistory"]?.arrayValue ?? []).compactMap { ChangeRecord(json: $0) }
        lastRestore = RestoreRecord(json: status?["lastRestore"])
    }

    /// The condition of `type`, when recorded.
    public func condition(_ type: String) -> Condition? { conditions.first { $0.type == type } }

    /// The recorded pin of `source`: the status image while `status.imageSource` is `source` and the
    /// image is pinned by digest.
    public func pin(of source: String) -> String? {
        guard imageSource == source, let image, image.contains("@sha256:") else { return nil }
        return image
    }

    /// The addon images' pins (`status.addonImages`), digest-pinned ones only: source → pinned.
    public var addonPins: [String: String] {
        var pins: [String: String] = [:]
        for entry in addonImages where entry.image.contains("@sha256:") { pins[entry.source] = entry.image }
        return pins
    }
}
