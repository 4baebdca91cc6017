/// A window in words, for people reading a sleeping page or a status message.
extension CronWindow {
    /// `Mon–Fri from 07:00 for 11 h` for a window opening at one time of day on some weekdays (or
    /// every day); otherwise the cron text with its duration (`0 7 1 * * for 11 h`).
    public var text: String {
        let duration = CronWindow.durationText(minutes: durationMinutes)
        let schedule = self.schedule
        guard schedule.minutes.count == 1, schedule.hours.count == 1, let minute = schedule.minutes.first, let hour = schedule.hours.first,
              !schedule.dayOfMonthRestricted, schedule.months.count == 12 else {
            return "\(schedule.text) for \(duration)"
        }
        let time = (hour < 10 ? "0" : "") + "\(hour):" + (minute < 10 ? "0" : "") + "\(minute)"
        return "\(CronWindow.daysText(schedule.weekdayRestricted ? schedule.weekdays : Set(0...6))) from \(time) for \(duration)"
    }

    /// Weekdays (0 Sunday … 6 Saturday) as `every day`, `Mon–Fri` or `Mon, Wed, Fri`, Monday first.
    static func daysText(_ days: Set<Int>) -> String {
        let names = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let order = [1, 2, 3, 4, 5, 6, 0].filter { days.contains($0) }
        if order.count == 7 { return "every day" }
        // One run of consecutive days (Monday first) reads as a range.
        if order.count >= 3, let first = order.first, let last = order.last,
           [1, 2, 3, 4, 5, 6, 0].firstIndex(of: last).map({ $0 - ([1, 2, 3, 4, 5, 6, 0].firstIndex(of: first) ?? 0) + 1 }) == order.count {
            return "\(names[first])–\(names[last])"
        }
        return order.map { names[$0] }.joined(separator: ", ")
    }

    /// Minutes as `45 min`, `11 h`, `1 h 30 min`, `2 days`.
    static func durationText(minutes: Int) -> String {
        let days = minutes / 1_440, hours = minutes % 1_440 / 60, rest = minutes % 60
        var parts: [String] = []
        if days > 0 { parts.append(days == 1 ? "1 day" : "\(days) days") }
        if hours > 0 { parts.append("\(hours) h") }
        if rest > 0 { parts.append("\(rest) min") }
        return parts.isEmpty ? "0 min" : parts.joined(separator: " ")
    }
}
