import Dispatch

/// Runs blocking work (a subprocess, `waitpid`) on a Dispatch thread instead of a Swift-concurrency
/// thread: the cooperative pool has one thread per core (2 here), and tests that block it stall every
/// server running in the same test process.
@discardableResult
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try body() })
        }
    }
}

/// ``offPool(_:)`` for work that cannot fail (stopping a server).
public func offPool(_ body: @escaping @Sendable () -> Void) async {
    await withCheckedContinuation { continuation in
        DispatchQueue.global().async {
            body()
            continuation.resume()
        }
    }
}
