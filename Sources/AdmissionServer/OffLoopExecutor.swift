import Dispatch

/// Where work that can hold a thread for milliseconds runs while Swift's tasks otherwise run on
/// SwiftNIO's event loops (``WebhookServer/runTasksOnEventLoops()``): a `TaskExecutor` over a
/// concurrent Dispatch queue, whose threads are not the loops'.
///
/// A task that prefers it (`withTaskExecutorPreference(OffLoopExecutor.shared)`) runs its jobs, and
/// its child tasks', on that queue; so a 7 MiB review being judged for a second does not stall the TLS,
/// HTTP and probes of the connections that share its loop. Jobs run in the order Dispatch starts them,
/// as many at once as Dispatch has worker threads (about one per core while none blocks); nothing is
/// kept between jobs.
public final class OffLoopExecutor: TaskExecutor {
    /// The process's one off-loop executor.
    public static let shared = OffLoopExecutor()

    private let queue = DispatchQueue(label: "odoo-guard.off-loop", qos: .userInitiated, attributes: .concurrent)
    // Immutable once made; Dispatch only compares its address.
    nonisolated(unsafe) private static let marker = DispatchSpecificKey<Bool>()

    private init() {
        queue.setSpecific(key: Self.marker, value: true)
    }

    /// Whether the calling code runs on this executor's threads.
    public static var isCurrent: Bool { DispatchQueue.getSpecific(key: marker) == true }

    /// Runs `job` on the queue, as this executor.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
