import Dispatch
import Foundation

/// Data-parallel helpers for CPU-bound work over independent items (documents, objects).
public enum Parallel {
    /// `body(0..<count)` computed on all cores, results in index order. `body` must not depend on
    /// the order of calls.
    public static func map<T: Sendable>(count: Int, _ body: @Sendable (Int) -> T) -> [T] {
        guard count > 1 else { return (0..<count).map(body) }
        let results = Slots<T>(count: count)
        DispatchQueue.concurrentPerform(iterations: count) { index in
            results.set(index, body(index))
        }
        return results.values()
    }

    /// A fixed-size buffer concurrent workers fill, each at its own index.
    private final class Slots<T: Sendable>: @unchecked Sendable {
        // Guarded by `lock`; read only after every worker has finished.
        private var storage: [T?]
        private let lock = NSLock()

        init(count: Int) { storage = Array(repeating: nil, count: count) }

        func set(_ index: Int, _ value: T) {
            lock.lock()
            storage[index] = value
            lock.unlock()
        }

        func values() -> [T] {
            lock.lock()
            defer { lock.unlock() }
            return storage.compactMap { $0 }
        }
    }
}
