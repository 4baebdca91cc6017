import DequeModule
import HeapModule
import NIOConcurrencyHelpers

/// A controller's work queue, with client-go's guarantees: a key is handed to at most one worker at
/// a time; adding a key that is queued does nothing, adding one that is being processed queues it
/// again when the worker calls ``done(_:)``; delayed adds keep the earliest time; failures back off
/// per key (5 ms doubling to 1000 s) combined with an overall token bucket (10 per second, burst
/// 100), whichever is slower. ``shutDown()`` makes ``next()`` return `nil` to every worker.
///
/// Keys come in two ``Priority`` levels, as in controller-runtime's priority queue: a change seen on a
/// watch is handed out before any key queued only by a periodic resync or a (re-)list, so a resync of
/// 10,000 objects does not make a new object wait behind all of them. A key queued at both levels is
/// handed out once, at the higher. A retry or a delayed add of a key being processed keeps the level it
/// was handed out at (a failing resync does not jump ahead of changes).
public final class WorkQueue<Key: Hashable & Sendable>: Sendable {
    /// How soon a queued key is handed out.
    public enum Priority: Sendable {
        /// A change: handed out before every ``low`` key.
        case normal
        /// A periodic resync or a list: handed out when no ``normal`` key waits.
        case low
    }

    /// The rate limits of ``addRateLimited(_:)``.
    public struct RateLimits: Sendable {
        /// The first per-key retry delay.
        public var baseDelay: Duration = .milliseconds(5)
        /// The longest per-key retry delay.
        public var maxDelay: Duration = .seconds(1000)
        /// Overall retries per second.
        public var perSecond: Double = 10
        /// Overall burst.
        public var burst: Double = 100

        /// client-go's defaults.
        public init() {}
    }

    /// A delayed add, ordered by when it is due (then by when it was made).
    struct Timer: Comparable {
        let due: ContinuousClock.Instant
        let sequence: Int
        let key: Key

        static func < (lhs: Timer, rhs: Timer) -> Bool { (lhs.due, lhs.sequence) < (rhs.due, rhs.sequence) }
        static func == (lhs: Timer, rhs: Timer) -> Bool { lhs.due == rhs.due && lhs.sequence == rhs.sequence }
    }

    struct State {
        var queue: Deque<Key> = []
        /// Keys queued at ``Priority/low``. An entry whose key was raised to normal priority or handed
        /// out meanwhile is skipped when it comes up (``pop()``).
        var lowQueue: Deque<Key> = []
        var dirty: Set<Key> = []
        /// The dirty keys queued only at low priority.
        var low: Set<Key> = []
        /// The keys being processed that were handed out at low priority.
        var handedOutLow: Set<Key> = []
        /// The delayed keys to queue at low priority when due.
        var delayedLow: Set<Key> = []
        var processing: Set<Key> = []
        /// Each delayed key's due time (the earliest asked for).
        var delayed: [Key: ContinuousClock.Instant] = [:]
        /// The delayed adds by due time. An entry whose key is no longer delayed at that time (promoted
        /// earlier, or replaced by an earlier add) is skipped when it comes up, so promoting the due keys
        /// costs what is due, not the number of delayed keys (one per environment after every resync).
        var timers = Heap<Timer>()
        var timerSequence = 0
        var failures: [Key: Int] = [:]
        var tokens: Double
        var tokensAt: ContinuousClock.Instant
        var shuttingDown = false
        var generation = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0

        mutating func insert(_ key: Key, _ priority: Priority = .normal) -> Bool {
            guard !shuttingDown else { return false }
            if dirty.contains(key) {
                // Raised from low to normal: queued again at the front level; the low entry goes stale.
                guard priority == .normal, low.remove(key) != nil else { return false }
                if !processing.contains(key) { queue.append(key) }
                return true
            }
            dirty.insert(key)
            if priority == .low { low.insert(key) }
            if !processing.contains(key) { append(key) }
            return true
        }

        /// Queues a dirty key that is not being processed, at its level.
        mutating func append(_ key: Key) {
            if low.contains(key) { lowQueue.append(key) } else { queue.append(key) }
        }

        /// The next key to hand out: normal keys first, then the first low entry still current.
        mutating func pop() -> Key? {
            if let key = queue.popFirst() { return key }
            while let key = lowQueue.popFirst() {
                if low.contains(key) && !processing.contains(key) { return key }
            }
            return nil
        }

        mutating func promoteDue(_ now: ContinuousClock.Instant) {
            while let first = timers.min, first.due <= now {
                timers.removeMin()
                guard delayed[first.key] == first.due else { continue }
                delayed.removeValue(forKey: first.key)
                _ = insert(first.key, delayedLow.remove(first.key) == nil ? .normal : .low)
            }
        }

        mutating func delay(_ key: Key, until due: ContinuousClock.Instant) {
            delayed[key] = due
            // The level it was handed out at, when it is being processed (a retry, a requeue).
            if handedOutLow.contains(key) { delayedLow.insert(key) } else { delayedLow.remove(key) }
            timerSequence += 1
            timers.insert(Timer(due: due, sequence: timerSequence, key: key))
        }

        mutating func wakeAll() -> [CheckedContinuation<Void, Never>] {
            generation += 1
            defer { waiters.removeAll() }
            return Array(waiters.values)
        }
    }

    private let state: NIOLockedValueBox<State>
    /// The limits in use.
    public let limits: RateLimits
    private let clock = ContinuousClock()

    /// An empty queue.
    public init(limits: RateLimits = RateLimits()) {
        self.limits = limits
        state = NIOLockedValueBox(State(tokens: limits.burst, tokensAt: ContinuousClock().now))
    }

    /// Queues `key` (merged with a queued copy, which it raises to normal priority; re-queued after
    /// ``done(_:)`` when being processed).
    public func add(_ key: Key, priority: Priority = .normal) {
        let waiters = state.withLockedValue { state in state.insert(key, priority) ? state.wakeAll() : [] }
        for waiter in waiters { waiter.resume() }
    }

    /// Queues `key` after `delay` (the earliest of several delayed adds wins), at the priority it was
    /// handed out at when it is being processed, else at normal priority.
    public func add(_ key: Key, after delay: Duration) {
        guard delay > .zero else {
            let waiters = state.withLockedValue { state in
                state.insert(key, state.handedOutLow.contains(key) ? .low : .normal) ? state.wakeAll() : []
            }
            for waiter in waiters { waiter.resume() }
            return
        }
        let due = clock.now.advanced(by: delay)
        let waiters = state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            guard !state.shuttingDown else { return [] }
            if let existing = state.delayed[key], existing <= due { return [] }
            state.delay(key, until: due)
            return state.wakeAll()
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Queues `key` after its rate-limited delay (one more failure counted); returns the delay.
    @discardableResult
    public func addRateLimited(_ key: Key) -> Duration {
        let delay = state.withLockedValue { state -> Duration in
            let failures = state.failures[key, default: 0]
            state.failures[key] = failures + 1
            let perKey = failures >= 40 ? limits.maxDelay : min(limits.baseDelay * Double(1 << min(failures, 40)), limits.maxDelay)
            let now = clock.now
            let elapsed = Double((now - state.tokensAt).components.seconds) + Double((now - state.tokensAt).components.attoseconds) / 1e18
            state.tokens = min(limits.burst, state.tokens + elapsed * limits.perSecond)
            state.tokensAt = now
            state.tokens -= 1
            let bucket: Duration = state.tokens >= 0 ? .zero : .seconds(-state.tokens / limits.perSecond)
            return max(perKey, bucket)
        }
        add(key, after: delay)
        return delay
    }

    /// Counts one more failure of `key` without queuing it (an error policy that picks its own delay).
    public func recordFailure(_ key: Key) { state.withLockedValue { $0.failures[key, default: 0] += 1 } }

    /// Clears `key`'s failure count (after a successful reconcile).
    public func forget(_ key: Key) { state.withLockedValue { _ = $0.failures.removeValue(forKey: key) } }

    /// How many times `key` has failed since it was last forgotten.
    public func failures(of key: Key) -> Int { state.withLockedValue { $0.failures[key, default: 0] } }

    /// Marks `key` processed; a copy added meanwhile is queued now.
    public func done(_ key: Key) {
        let waiters = state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            state.processing.remove(key)
            state.handedOutLow.remove(key)
            guard state.dirty.contains(key), !state.shuttingDown else { return [] }
            state.append(key)
            return state.wakeAll()
        }
        for waiter in waiters { waiter.resume() }
    }

    /// The next key to process, waiting for one; `nil` after ``shutDown()`` or when the task is cancelled.
    public func next() async -> Key? {
        while !Task.isCancelled {
            let (key, due, generation, closed) = state.withLockedValue { state -> (Key?, ContinuousClock.Instant?, Int, Bool) in
                state.promoteDue(clock.now)
                if state.shuttingDown { return (nil, nil, state.generation, true) }
                if let key = state.pop() {
                    state.dirty.remove(key)
                    if state.low.remove(key) != nil { state.handedOutLow.insert(key) }
                    state.processing.insert(key)
                    return (key, nil, state.generation, false)
                }
                return (nil, state.timers.min?.due, state.generation, false)
            }
            if closed { return nil }
            if let key { return key }
            await wait(sinceGeneration: generation, until: due)
        }
        return nil
    }

    /// Suspends until the queue changes, `deadline` passes or the task is cancelled.
    private func wait(sinceGeneration generation: Int, until deadline: ContinuousClock.Instant?) async {
        let id = state.withLockedValue { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                        let resumeNow = self.state.withLockedValue { state in
                            if state.generation != generation || state.shuttingDown || Task.isCancelled { return true }
                            state.waiters[id] = continuation
                            return false
                        }
                        if resumeNow { continuation.resume() }
                    }
                } onCancel: {
                    self.state.withLockedValue { $0.waiters.removeValue(forKey: id) }?.resume()
                }
            }
            if let deadline {
                group.addTask { try? await Task.sleep(until: deadline, clock: .continuous) }
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// Stops handing out keys; every waiting and later ``next()`` returns `nil`.
    public func shutDown() {
        let waiters = state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            state.shuttingDown = true
            return state.wakeAll()
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Keys waiting to be processed now, at either priority (not counting delayed ones or those being processed).
    public var depth: Int {
        state.withLockedValue { state in state.dirty.count - state.processing.filter(state.dirty.contains).count }
    }

    /// Keys being processed.
    public var processingCount: Int { state.withLockedValue { $0.processing.count } }
}
