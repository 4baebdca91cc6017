#if canImport(Glibc)
import Glibc
#endif
import Logging
import ServiceLifecycle

/// Returns freed memory to the system after large reviews: glibc keeps the pages of freed arenas, so
/// without this a burst of large bodies leaves the process at its peak size long after it ended. Every
/// `interval` it asks the ``MemoryBudget`` whether a large review ended within the last few checks, and
/// then calls glibc's `malloc_trim(0)` (found at run time; a no-op elsewhere). Stops on shutdown.
struct MemoryReturn: Service {
    let budget: MemoryBudget
    let interval: Duration
    let logger: Logger

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do { try await Task.sleep(for: interval) } catch { return }
            if budget.takeTrimRequest() {
                let returned = Self.trim()
                logger.debug("freed memory handed back to the system after large reviews", metadata: ["returned": .stringConvertible(returned)])
            }
        }
    }

    private typealias Trim = @convention(c) (Int) -> Int32
    private typealias Option = @convention(c) (Int32, Int32) -> Int32
    /// glibc's `M_ARENA_MAX` (malloc.h).
    private static let arenaMaximum: Int32 = -8

    /// Caps glibc's malloc arenas at `count` (`mallopt(M_ARENA_MAX)`, found at run time; a no-op elsewhere).
    @discardableResult
    static func limitArenas(to count: Int) -> Bool {
        #if canImport(Glibc)
        guard count > 0, let symbol = dlsym(dlopen(nil, RTLD_NOW), "mallopt") else { return false }
        return unsafeBitCast(symbol, to: Option.self)(arenaMaximum, Int32(clamping: count)) == 1
        #else
        return false
        #endif
    }

    /// Calls `malloc_trim(0)` when the C library has it; whether it returned any memory.
    @discardableResult
    static func trim() -> Bool {
        #if canImport(Glibc)
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "malloc_trim") else { return false }
        return unsafeBitCast(symbol, to: Trim.self)(0) == 1
        #else
        return false
        #endif
    }
}
