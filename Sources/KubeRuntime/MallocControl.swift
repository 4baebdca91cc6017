#if canImport(Glibc)
import Glibc
#endif

/// glibc's malloc controls, found at run time (no-ops elsewhere): glibc keeps the pages of freed
/// memory in its arenas, so without them a burst of work leaves a process at its peak size long after
/// the burst ended.
public enum MallocControl {
    private typealias Trim = @convention(c) (Int) -> Int32
    private typealias Option = @convention(c) (Int32, Int32) -> Int32
    /// glibc's `M_ARENA_MAX` (malloc.h).
    private static let arenaMaximum: Int32 = -8

    /// Caps glibc's malloc arenas at `count` (`mallopt(M_ARENA_MAX)`); whether it took effect.
    /// Call it before threads start allocating.
    @discardableResult
    public static func limitArenas(to count: Int) -> Bool {
        #if canImport(Glibc)
        guard count > 0, let symbol = dlsym(dlopen(nil, RTLD_NOW), "mallopt") else { return false }
        return unsafeBitCast(symbol, to: Option.self)(arenaMaximum, Int32(clamping: count)) == 1
        #else
        return false
        #endif
    }

    /// Calls `malloc_trim(0)`: hands freed pages back to the system; whether any were returned.
    @discardableResult
    public static func trim() -> Bool {
        #if canImport(Glibc)
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "malloc_trim") else { return false }
        return unsafeBitCast(symbol, to: Trim.self)(0) == 1
        #else
        return false
        #endif
    }
}
