import NIOConcurrencyHelpers
import OrderedCollections

/// A bounded TTL cache whose misses are computed once per key however many callers ask at the same
/// time ("single flight"): the first caller starts the computation, later ones join it, and each
/// waits only until its own deadline. A computation outlives callers that gave up and still fills
/// the cache, so the next caller finds the answer.
///
/// Contract: `value(for:…)` never waits past `deadline` (it then returns `nil`); the least recently
/// used entry is dropped when ``capacity`` is reached; entries expire after the TTL their value asks for.
final class SingleFlightCache<Value: Sendable>: Sendable {
    private struct Entry: Sendable {
        let value: Value
        let expires: ContinuousClock.Instant
    }

    private enum Waiter: Sendable {
        case pending
        case waiting(CheckedContinuation<Value?, Never>)
        case done(Value?)
    }

    private struct State: Sendable {
        var entries = OrderedDictionary<String, Entry>()
        /// Waiter ids per key in flight.
        var flights: [String: [Int]] = [:]
        var waiters: [Int: Waiter] = [:]
        var nextWaiter = 0
    }

    private enum Admission {
        case hit(Value)
        case join(Int)
        case lead(Int)
    }

    /// Most entries kept.
    let capacity: Int
    private let state = NIOLockedValueBox(State())
    private let clock = ContinuousClock()

    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// The cached value for `key`, or the value of the computation in flight for it, or — when there is
    /// neither — the value of a new computation handed to `start`. `start` returns `false` when it
    /// cannot run the computation (the caller then gets `nil` at once and nothing is cached).
    /// - Returns: `nil` when `deadline` passes first.
    func value(for key: String, deadline: ContinuousClock.Instant, counters: FetchCounters,
               ttl: @escaping @Sendable (Value) -> Duration,
               start: (_ computation: @escaping @Sendable (Value) -> Void) -> Bool) async -> Value? {
        let now = clock.now
        let admission: Admission = state.withLockedValue { state in
            if let entry = state.entries[key] {
                if entry.expires > now {
                    state.entries.removeValue(forKey: key)
                    state.entries[key] = entry
                    return .hit(entry.value)
                }
                state.entries.removeValue(forKey: key)
            }
            let id = state.nextWaiter
            state.nextWaiter &+= 1
            state.waiters[id] = .pending
            if state.flights[key] != nil {
                state.flights[key, default: []].append(id)
                return .join(id)
            }
            state.flights[key] = [id]
            return .lead(id)
        }
        let id: Int
        switch admission {
        case .hit(let value):
            counters.add(\.cacheHits)
            return value
        case .join(let joined):
            counters.add(\.joined)
            id = joined
        case .lead(let leader):
            counters.add(\.misses)
            id = leader
            let started = start { [self] value in self.complete(key, with: value, ttl: ttl(value)) }
            if !started { complete(key, with: nil, ttl: nil) }
        }
        let result = await withTaskGroup(of: Value?.self) { group in
            group.addTask { await self.wait(id) }
            group.addTask {
                try? await Task.sleep(until: deadline, clock: .continuous)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        state.withLockedValue { _ = $0.waiters.removeValue(forKey: id) }
        if result == nil, clock.now >= deadline { counters.add(\.deadlineExceeded) }
        return result
    }

    /// Waits for waiter `id`'s value; `nil` when the waiting task is cancelled.
    private func wait(_ id: Int) async -> Value? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Value?, Never>) in
                let ready: Value?? = state.withLockedValue { state in
                    switch state.waiters[id] {
                    case .pending?:
                        state.waiters[id] = .waiting(continuation)
                        return .none
                    case .done(let value)?:
                        state.waiters[id] = nil
                        return .some(value)
                    case .waiting?, nil:
                        return .some(nil)
                    }
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let continuation: CheckedContinuation<Value?, Never>? = state.withLockedValue { state in
                switch state.waiters[id] {
                case .waiting(let continuation)?:
                    state.waiters[id] = nil
                    return continuation
                case .pending?:
                    state.waiters[id] = .done(nil)
                    return nil
                case .done?, nil:
                    return nil
                }
            }
            continuation?.resume(returning: nil)
        }
    }

    /// Ends the flight for `key`: caches the value (unless `ttl` is `nil` or zero) and wakes every waiter.
    private func complete(_ key: String, with value: Value?, ttl: Duration?) {
        let expires = clock.now + (ttl ?? .zero)
        let wake: [CheckedContinuation<Value?, Never>] = state.withLockedValue { state in
            if let value, let ttl, ttl > .zero {
                state.entries[key] = Entry(value: value, expires: expires)
                while state.entries.count > capacity { state.entries.removeFirst() }
            }
            var continuations: [CheckedContinuation<Value?, Never>] = []
            for id in state.flights.removeValue(forKey: key) ?? [] {
                switch state.waiters[id] {
                case .waiting(let continuation)?:
                    state.waiters[id] = nil
                    continuations.append(continuation)
                case .pending?:
                    state.waiters[id] = .done(value)
                case .done?, nil:
                    break
                }
            }
            return continuations
        }
        for continuation in wake { continuation.resume(returning: value) }
    }

    /// How many entries are cached.
    var count: Int { state.withLockedValue { $0.entries.count } }
}
