import Foundation

/// Whether an environment with a sleep schedule runs, and until when.
public enum SleepState: Sendable, Equatable {
    /// Web and cron run, until the window (or the wake-up asked for) ends; `onDemand` when only the
    /// `odooguard.io/wake-until` annotation keeps it awake at its end.
    case awake(until: Date?, onDemand: Bool)
    /// Web and cron are scaled to 0 until the next window opens (`nil`: no window opens within a year).
    case sleeping(until: Date?)

    /// When the state changes by itself.
    public var until: Date? {
        switch self {
        case .awake(let until, _), .sleeping(let until): until
        }
    }
}
