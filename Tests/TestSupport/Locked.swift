import Foundation

/// A thread-safe box for test bookkeeping.
public final class Locked<Value: Sendable>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()

    /// A box holding `value`.
    public init(_ value: Value) { self.value = value }

    /// Runs `body` on the value under the lock.
    public func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }

    /// The value now.
    public var current: Value { withLock { $0 } }
}
