import KubeRuntime
import Logging
import ServiceLifecycle

/// Returns freed memory to the system after large reviews: glibc keeps the pages of freed arenas, so
/// without this a burst of large bodies leaves the process at its peak size long after it ended. Every
/// `interval` it asks the ``MemoryBudget`` whether a large review ended within the last few checks, and
/// then calls glibc's `malloc_trim(0)` (``MallocControl/trim()``). Stops on shutdown.
struct MemoryReturn: Service {
    let budget: MemoryBudget
    let interval: Duration
    let logger: Logger

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do { try await Task.sleep(for: interval) } catch { return }
            if budget.takeTrimRequest() {
                let returned = MallocControl.trim()
                logger.debug("freed memory handed back to the system after large reviews", metadata: ["returned": .stringConvertible(returned)])
            }
        }
    }
}
