import Foundation
import KubeModel

/// When a non-production environment runs (`spec.schedule`): windows that open on a cron schedule
/// read on the wall clock of a time zone and stay open for a number of minutes. Outside every window
/// (and outside an `odooguard.io/wake-until` time) the environment sleeps: web and cron scale to 0.
/// Pure: the state at a time is computed from the schedule alone.
public struct SleepSchedule: Sendable, Equatable {
    /// A window the environment is awake in (read on the time zone's wall clock).
    public typealias Window = CronWindow

    /// The time zone the schedules are read in (an IANA name such as `Europe/Berlin`).
    public var timeZone: TimeZone
    /// The awake windows (at least one).
    public var awake: [Window]

    /// The longest window: a week.
    public static let maximumDurationMinutes = 10_080
    /// The most windows (the CRD's `maxItems`): each is evaluated on every reconcile.
    public static let maximumWindows = 20

    /// A schedule.
    public init(timeZone: TimeZone, awake: [Window]) {
        self.timeZone = timeZone
        self.awake = awake
    }

    /// Whether the environment is awake or asleep at `now`, and until when.
    /// - Parameter wakeUntil: the `odooguard.io/wake-until` time, when set: awake until then whatever the windows say.
    public func state(at now: Date, wakeUntil: Date? = nil) -> SleepState {
        let windowEnd = openWindowEnd(at: now)
        if let wakeUntil, wakeUntil > now {
            return .awake(until: max(wakeUntil, windowEnd ?? wakeUntil), onDemand: windowEnd.map { $0 < wakeUntil } ?? true)
        }
        if let windowEnd { return .awake(until: windowEnd, onDemand: false) }
        return .sleeping(until: nextOpening(after: now))
    }

    /// When the windows open at `now` close, following windows that overlap or touch (`nil`: none is open).
    func openWindowEnd(at now: Date) -> Date? {
        guard var end = latestEnd(covering: now) else { return nil }
        // Back-to-back windows (a weekday window ending when the night one opens) are one awake period.
        for _ in 0..<64 {
            guard let later = latestEnd(covering: end), later > end else { break }
            end = later
        }
        return end
    }

    /// The latest end among the windows open at `date` (open from their start, closed at their end:
    /// a window opening when another closes continues it).
    private func latestEnd(covering date: Date) -> Date? {
        awake.compactMap { clock.openWindow($0, at: date)?.closes }.max()
    }

    /// The first time a window opens after `date`, within a year.
    public func nextOpening(after date: Date) -> Date? {
        awake.compactMap { clock.nextOpening($0, after: date) }.min()
    }

    /// The wall clock the windows are read on.
    var clock: ZonedClock { ZonedClock(timeZone) }

    /// `date` on the time zone's wall clock, `2026-12-03 08:00 Europe/Berlin`.
    public func localText(_ date: Date) -> String { clock.localText(date) }

    /// `date` with its weekday on the schedule's clock (``ZonedClock/dayText(_:)``).
    public func dayText(_ date: Date) -> String { clock.dayText(date) }

    /// The working hours in words: `Mon–Fri from 07:00 for 11 h (Europe/Berlin)`, windows joined by `; `.
    public var workingHours: String { awake.map(\.text).joined(separator: "; ") + " (\(clock.name))" }
}
