import Logging
import ServiceLifecycle

/// Hands freed memory back to the system once a burst of work is over: after a restart every
/// environment is reconciled at once, and glibc would otherwise keep the burst's pages for the life
/// of the process (``MallocControl/trim()``).
///
/// Every `interval` it reads how much work was done so far (`activity`, a count that only grows) and
/// whether the work is idle now; it trims when work was done since its last trim and none is in
/// progress. A quiet process is never trimmed twice for the same work. Stops on shutdown.
public struct BurstTrimmer: Service {
    let interval: Duration
    let activity: @Sendable () -> Int
    let idle: @Sendable () -> Bool
    let trim: @Sendable () -> Bool
    let logger: Logger

    /// A trimmer checking every `interval`; `trim` is glibc's by default.
    public init(interval: Duration, activity: @escaping @Sendable () -> Int, idle: @escaping @Sendable () -> Bool,
                trim: @escaping @Sendable () -> Bool = { MallocControl.trim() }, logger: Logger) {
        self.interval = interval
        self.activity = activity
        self.idle = idle
        self.trim = trim
        self.logger = logger
    }

    /// Whether to trim now: work was done since the last trim (`trimmedAt`) and none is in progress.
    public static func shouldTrim(activity: Int, trimmedAt: Int, idle: Bool) -> Bool {
        activity != trimmedAt && idle
    }

    /// Checks every `interval` until shutdown.
    public func run() async throws {
        var trimmedAt = 0
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do { try await Task.sleep(for: interval) } catch { return }
            let done = activity()
            guard Self.shouldTrim(activity: done, trimmedAt: trimmedAt, idle: idle()) else { continue }
            trimmedAt = done
            let returned = trim()
            logger.debug("freed memory handed back to the system after a burst of work", metadata: ["returned": .stringConvertible(returned), "work.done": .stringConvertible(done)])
        }
    }
}
