import KubeRuntime
import TestSupport
import Testing

@Suite("WorkQueue")
struct WorkQueueTests {
    @Test("adds of a queued key merge; a key re-added while processing comes back only after done")
    func mergingAndProcessing() async throws {
        let queue = WorkQueue<String>()
        queue.add("a")
        queue.add("a")
        queue.add("b")
        #expect(queue.depth == 2)
        let first = await queue.next()
        #expect(first == "a")
        queue.add("a") // while "a" is being processed
        #expect(queue.depth == 1)
        let second = await queue.next()
        #expect(second == "b")
        #expect(queue.depth == 0)
        queue.done("a")
        #expect(queue.depth == 1)
        let third = await queue.next()
        #expect(third == "a")
        queue.done("a")
        queue.done("b")
        #expect(queue.depth == 0)
    }

    @Test("per-key backoff doubles from 5 ms; forget resets it; the overall bucket throttles bursts")
    func rateLimits() async throws {
        let queue = WorkQueue<String>()
        #expect(queue.addRateLimited("k") == .milliseconds(5))
        #expect(queue.addRateLimited("k") == .milliseconds(10))
        #expect(queue.addRateLimited("k") == .milliseconds(20))
        #expect(queue.failures(of: "k") == 3)
        queue.forget("k")
        #expect(queue.addRateLimited("k") == .milliseconds(5))
        var limits = WorkQueue<Int>.RateLimits()
        limits.burst = 2
        limits.perSecond = 10
        let throttled = WorkQueue<Int>(limits: limits)
        #expect(throttled.addRateLimited(1) == .milliseconds(5))
        #expect(throttled.addRateLimited(2) == .milliseconds(5))
        // The bucket is empty: the third distinct key waits about a tenth of a second.
        #expect(throttled.addRateLimited(3) > .milliseconds(80))
    }

    @Test("a delayed add arrives after its delay, the earliest of two delays wins")
    func delayed() async throws {
        let queue = WorkQueue<String>()
        let clock = ContinuousClock()
        let start = clock.now
        queue.add("late", after: .seconds(120))
        queue.add("late", after: .milliseconds(30))
        let key = await queue.next()
        #expect(key == "late")
        #expect(clock.now - start >= .milliseconds(30))
        // A bound against the later delay winning, not a speed target: generous for a loaded machine.
        #expect(clock.now - start < .seconds(60))
    }

    @Test("delayed keys come in due order, each once, however many wait and however often they were re-delayed")
    func manyDelayed() async throws {
        let queue = WorkQueue<Int>()
        // 2,000 keys delayed by 1..2,000 ms in scrambled order; every fifth first asked for later, then earlier.
        for step in 0..<2_000 {
            let key = (step * 7_919) % 2_000
            if key % 5 == 0 { queue.add(key, after: .seconds(300)) }
            queue.add(key, after: .milliseconds(key + 1))
            queue.add(key, after: .seconds(600))  // a later delay never wins
        }
        var seen: [Int] = []
        while seen.count < 2_000, let key = await queue.next() {
            seen.append(key)
            queue.done(key)
        }
        #expect(Set(seen).count == 2_000)
        // Due order, up to keys promoted by the same look (a worker may wake a few milliseconds late).
        let outOfOrder = zip(seen, seen.dropFirst()).filter { $0.0 > $0.1 + 50 }
        #expect(outOfOrder.isEmpty, "\(outOfOrder.prefix(5))")
        #expect(queue.depth == 0)
    }

    @Test("shutDown wakes every waiting worker with nil")
    func shutdown() async throws {
        let queue = WorkQueue<String>()
        await withTaskGroup(of: String?.self) { group in
            for _ in 0..<3 { group.addTask { await queue.next() } }
            try? await Task.sleep(for: .milliseconds(20))
            queue.shutDown()
            for await result in group { #expect(result == nil) }
        }
        queue.add("after")
        #expect(await queue.next() == nil)
    }

    @Test("many workers never hold the same key at once")
    func exclusivity() async throws {
        let queue = WorkQueue<Int>()
        let inFlight = Locked<Set<Int>>([])
        let violations = Locked(0)
        let processed = Locked(0)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    while let key = await queue.next() {
                        let clash = inFlight.withLock { !$0.insert(key).inserted }
                        if clash { violations.withLock { $0 += 1 } }
                        try? await Task.sleep(for: .microseconds(200))
                        inFlight.withLock { _ = $0.remove(key) }
                        processed.withLock { $0 += 1 }
                        queue.done(key)
                    }
                }
            }
            for round in 0..<2000 { queue.add(round % 10) ; if round % 100 == 0 { await Task.yield() } }
            while queue.depth > 0 || queue.processingCount > 0 { try? await Task.sleep(for: .milliseconds(5)) }
            queue.shutDown()
        }
        #expect(violations.current == 0)
        #expect(processed.current >= 10)
    }
}
