import Foundation
import GuardRules
import KubeModel

/// The status as stored: read from the API's JSON, and written back as JSON.
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

    /// The status as JSON, for the status subresource.
    public var json: JSONValue {
        var object: JSONObject = ["conditions": .array(conditions.map(\.json))]
        if let database { object["database"] = .string(database) }
        if let record = databaseInitialized?.recordJSON { object["databaseInitialized"] = record }
        if !readyHistory.isEmpty {
            object["readyHistory"] = .array(readyHistory.map(\.json))
            // As of the last transition, so the summary changes only when the history does (no write per resync).
            let lastTransition = readyHistory.map { $0.readyUntil ?? $0.readySince }.max() ?? Date.distantPast
            object["delivery"] = DeliveryFigures(history: readyHistory, changes: changeHistory, asOf: lastTransition).json
        }
        if let sleep { object["sleep"] = sleep.json }
        if let scaling { object["scaling"] = scaling.json }
        if let connectionBudget { object["connectionBudget"] = connectionBudget.json }
        if let change { object["change"] = change.json }
        if !changeHistory.isEmpty { object["changeHistory"] = .array(changeHistory.map(\.json)) }
        if let lastRestore { object["lastRestore"] = lastRestore.json }
        if !addonImages.isEmpty { object["addonImages"] = .array(addonImages.map { ["image": .string($0.image), "source": .string($0.source)] }) }
        if let time = backups.lastBackupTime { object["lastBackupTime"] = .string(Timestamp.format(time)) }
        if let size = backups.lastBackupSize { object["lastBackupSize"] = .int(size) }
        if let time = backups.lastRestoreCheckTime { object["lastRestoreCheckTime"] = .string(Timestamp.format(time)) }
        if let image { object["image"] = .string(image) }
        if let imageSource { object["imageSource"] = .string(imageSource) }
        if let observedGeneration { object["observedGeneration"] = .int(observedGeneration) }
        if let url { object["url"] = .string(url) }
        if !warnings.isEmpty { object["warnings"] = .array(warnings.map(JSONValue.string)) }
        return .object(object)
    }
}
