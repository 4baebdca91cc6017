import Foundation

/// A window that opens on a cron schedule and stays open for a number of minutes: the one shape of
/// a maintenance window (`spec.maintenanceWindow`, read in UTC), a sleep schedule's awake windows
/// (`spec.schedule.awake`, read on the schedule's time zone's wall clock) and, next, scheduled floors.
public struct CronWindow: Sendable, Equatable {
    /// When it opens.
    public var schedule: CronSchedule
    /// How long it stays open, in minutes.
    public var durationMinutes: Int

    /// A window.
    public init(schedule: CronSchedule, durationMinutes: Int) {
        self.schedule = schedule
        self.durationMinutes = durationMinutes
    }

    /// A window opening on `opens` (a sleep schedule's wording).
    public init(opens: CronSchedule, durationMinutes: Int) {
        self.init(schedule: opens, durationMinutes: durationMinutes)
    }

    /// When the window open at `date` opened (`date` and the result on the same clock), `nil` when none is.
    public func opening(atOrBefore date: Date) -> Date? {
        schedule.lastStart(atOrBefore: date, lookback: durationMinutes - 1)
    }

    /// Whether the window is open at `date`.
    public func isOpen(at date: Date) -> Bool { opening(atOrBefore: date) != nil }

    /// When the window next opens after `date`.
    public func nextOpening(after date: Date) -> Date? { schedule.nextStart(after: date) }
}
