import Foundation
import KubeModel

/// The wall clock of a time zone, as cron windows read it: a date is turned into its local reading
/// expressed as if it were UTC (what the cron fields match), and a wall-clock reading back into the
/// instant it names. Shared by sleep schedules and scheduled scaling floors, so both treat clock
/// changes the same way.
public struct ZonedClock: Sendable, Equatable {
    /// The time zone (an IANA zone, or UTC).
    public var timeZone: TimeZone

    /// A clock in `timeZone`.
    public init(_ timeZone: TimeZone) { self.timeZone = timeZone }

    /// UTC.
    public static let utc = ZonedClock(TimeZone(identifier: "UTC") ?? .gmt)

    /// `date` as the time zone's wall clock, expressed as if it were UTC.
    public func wallClock(_ date: Date) -> Date {
        date.addingTimeInterval(Double(timeZone.secondsFromGMT(for: date)))
    }

    /// The instant whose wall clock reads `wall` (the later one when a clock change repeats an hour,
    /// the hour after when it skips one).
    public func instant(wall: Date) -> Date {
        let guess = wall.addingTimeInterval(-Double(timeZone.secondsFromGMT(for: wall)))
        return wall.addingTimeInterval(-Double(timeZone.secondsFromGMT(for: guess)))
    }

    /// The zone's name as the spec writes it (Foundation names UTC "GMT" on Linux).
    public var name: String { timeZone.identifier == "GMT" ? "UTC" : timeZone.identifier }

    /// `date` on the wall clock, `2026-12-03 08:00 Europe/Berlin`.
    public func localText(_ date: Date) -> String {
        // The wall clock's RFC 3339 text, `2026-12-03T07:00:00Z`, cut to the minute.
        Timestamp.format(wallClock(date)).prefix(16).replacingOccurrences(of: "T", with: " ") + " " + name
    }

    /// `date` on the wall clock with its weekday, `Monday 7 December 2026, 07:00 Europe/Berlin`, for
    /// people (a sleeping page).
    public func dayText(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = ZonedClock.utc.timeZone
        let parts = calendar.dateComponents([.weekday, .day, .month, .year, .hour, .minute], from: wallClock(date))
        let weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
        let weekday = weekdays[((parts.weekday ?? 1) - 1 + 7) % 7]
        let month = months[((parts.month ?? 1) - 1 + 12) % 12]
        let hour = parts.hour ?? 0, minute = parts.minute ?? 0
        let time = (hour < 10 ? "0" : "") + "\(hour):" + (minute < 10 ? "0" : "") + "\(minute)"
        return "\(weekday) \(parts.day ?? 1) \(month) \(parts.year ?? 1970), \(time) \(name)"
    }

    /// When `window` (read on this clock) opened if it is open at `date`, and when it closes.
    public func openWindow(_ window: CronWindow, at date: Date) -> (opened: Date, closes: Date)? {
        guard let opened = window.opening(atOrBefore: wallClock(date)) else { return nil }
        let closes = instant(wall: opened.addingTimeInterval(Double(window.durationMinutes) * 60))
        return closes > date ? (instant(wall: opened), closes) : nil
    }

    /// The first time `window` opens after `date`.
    public func nextOpening(_ window: CronWindow, after date: Date) -> Date? {
        window.nextOpening(after: wallClock(date)).map(instant(wall:)).flatMap { $0 > date ? $0 : nil }
    }
}
