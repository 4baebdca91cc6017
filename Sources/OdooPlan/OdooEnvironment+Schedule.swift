import Foundation
import KubeModel

extension FieldReader {
    /// `spec.schedule`: the time zone (`UTC` unless set) and at least one awake window. Production
    /// refuses one: it never sleeps.
    mutating func sleepSchedule(_ value: JSONValue?, stage: OdooEnvironment.Stage?) -> SleepSchedule? {
        guard let object = self.object(value, "spec.schedule") else { return nil }
        if stage == .production {
            errors.append(.invalid("spec.schedule", "production environments never sleep: remove spec.schedule (sleep schedules are for development and staging)"))
        }
        unknownKeys(object, allowed: ["timeZone", "awake"], "spec.schedule")
        let timeZone = self.timeZone(object["timeZone"], "spec.schedule.timeZone") ?? ZonedClock.utc.timeZone
        let path = FieldPath("spec.schedule.awake")
        guard let items = object["awake"] else {
            errors.append(.required(path, "list at least one window, such as {schedule: \"0 7 * * 1-5\", durationMinutes: 660} (weekdays 07:00-18:00)"))
            return nil
        }
        guard case .array(let list) = items, !list.isEmpty else {
            errors.append(.invalid(path, "must be a non-empty list of windows, such as {schedule: \"0 7 * * 1-5\", durationMinutes: 660}"))
            return nil
        }
        guard list.count <= SleepSchedule.maximumWindows else {
            errors.append(.invalid(path, "has \(list.count) windows; at most \(SleepSchedule.maximumWindows) (windows may repeat on several days: \"0 7 * * 1-5\")"))
            return nil
        }
        var windows: [SleepSchedule.Window] = []
        for (index, item) in list.enumerated() {
            let required = "is required: how long the window stays open, in minutes (at most \(SleepSchedule.maximumDurationMinutes), a week)"
            if let window = cronWindow(item, path / index, required: true, durations: 1...Int64(SleepSchedule.maximumDurationMinutes), duration: .required(required),
                                       example: ", such as \"0 7 * * 1-5\" (weekdays at 07:00)") {
                windows.append(window)
            }
        }
        return windows.count == list.count ? SleepSchedule(timeZone: timeZone, awake: windows) : nil
    }

    /// An IANA time zone name (`Europe/Berlin`) or `UTC`, `nil` when absent or invalid (then reported).
    mutating func timeZone(_ value: JSONValue?, _ path: FieldPath) -> TimeZone? {
        guard let name = string(value, path) else { return nil }
        if let zone = TimeZone(identifier: name), name.contains("/") || name == "UTC" { return zone }
        errors.append(.invalid(path, "\"\(name.prefix(80))\"\(name.count > 80 ? "…" : "") is not an IANA time zone such as Europe/Berlin, America/New_York or UTC"))
        return nil
    }

    /// The `odooguard.io/contact` annotation: one line of at most 200 characters.
    mutating func contact(_ value: JSONValue?) -> String? {
        guard let value else { return nil }
        let path = FieldPath([.key("metadata"), .key("annotations"), .key(GuardLabels.contact)])
        guard let text = value.stringValue, !text.isEmpty, text.count <= 200, !text.contains(where: \.isNewline) else {
            errors.append(.invalid(path, "must be one line of at most 200 characters naming whom to ask (an address, a channel)"))
            return nil
        }
        return text
    }

    /// The `odooguard.io/wake-until` annotation: an RFC 3339 time.
    mutating func wakeUntil(_ value: JSONValue?) -> Date? {
        guard let value else { return nil }
        let path = FieldPath([.key("metadata"), .key("annotations"), .key(GuardLabels.wakeUntil)])
        guard let text = value.stringValue, let date = Timestamp.parse(text) else {
            errors.append(.invalid(path, "\(value.serialized()) must be an RFC 3339 time such as 2026-12-02T18:00:00Z (the environment stays awake until then)"))
            return nil
        }
        return date
    }
}
