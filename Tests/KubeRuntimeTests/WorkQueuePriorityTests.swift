import KubeRuntime
import Testing

/// The two priorities of ``WorkQueue``: a change is handed out before keys queued by a resync or a
/// list, a key is handed out once whatever its levels, and a key being processed is never handed
/// out twice.
@Suite("WorkQueue priorities")
struct WorkQueuePriorityTests {
    /// One step of a sequence.
    enum Step: CustomStringConvertible {
        case add(String, WorkQueue<String>.Priority)
        /// Takes the next key (expected).
        case next(String)
        case done(String)
        case depth(Int)
        /// A retry after 1 ms (as an error or a requeue of the key being processed asks), then 30 ms pass.
        case retry(String)

        var description: String {
            switch self {
            case .add(let key, let priority): "add \(key) \(priority)"
            case .next(let key): "next → \(key)"
            case .done(let key): "done \(key)"
            case .depth(let count): "depth \(count)"
            case .retry(let key): "retry \(key)"
            }
        }
    }

    static let sequences: [(String, [Step])] = [
        ("a change goes before a resync queued earlier",
         [.add("r1", .low), .add("r2", .low), .add("c", .normal), .depth(3), .next("c"), .next("r1"), .next("r2"), .depth(0)]),
        ("each level keeps its order",
         [.add("r1", .low), .add("c1", .normal), .add("r2", .low), .add("c2", .normal), .next("c1"), .next("c2"), .next("r1"), .next("r2")]),
        ("a queued low key raised by a change is handed out once, at normal priority",
         [.add("r1", .low), .add("r2", .low), .add("r2", .normal), .depth(2), .next("r2"), .next("r1"), .depth(0), .done("r2"), .done("r1"), .depth(0),
          .add("x", .low), .next("x")]),
        ("a low add does not lower a queued change",
         [.add("c", .normal), .add("r", .low), .add("c", .low), .depth(2), .next("c"), .next("r")]),
        ("a key raised, handed out, then queued low again is handed out once more, not twice",
         [.add("k", .low), .add("other", .low), .add("k", .normal), .next("k"), .done("k"), .add("k", .low), .depth(2),
          .next("k"), .next("other"), .depth(0), .done("k"), .done("other"), .add("z", .low), .next("z")]),
        ("a key added while processing comes back after done, at the level it was added",
         [.add("k", .normal), .next("k"), .add("k", .low), .add("c", .normal), .depth(1), .done("k"), .depth(2), .next("c"), .next("k")]),
        ("a retried resync key stays behind changes and behind the resync keys queued before it",
         [.add("r1", .low), .add("r2", .low), .next("r1"), .retry("r1"), .add("c", .normal), .next("c"), .next("r2"), .next("r1")]),
        ("a retried change stays ahead of resync keys",
         [.add("c", .normal), .add("r", .low), .next("c"), .retry("c"), .next("c"), .next("r")]),
        ("a key added low while processing and raised before done comes back at normal priority",
         [.add("k", .normal), .add("r", .low), .next("k"), .add("k", .low), .add("k", .normal), .done("k"), .next("k"), .next("r")]),
    ]

    @Test(arguments: sequences)
    func sequence(_ name: String, _ steps: [Step]) async {
        let queue = WorkQueue<String>()
        for (index, step) in steps.enumerated() {
            switch step {
            case .add(let key, let priority):
                queue.add(key, priority: priority)
            case .next(let expected):
                let key = await queue.next()
                #expect(key == expected, "\(name), step \(index): \(step)")
            case .done(let key):
                queue.done(key)
            case .depth(let count):
                #expect(queue.depth == count, "\(name), step \(index): \(step)")
            case .retry(let key):
                queue.add(key, after: .milliseconds(1))
                queue.done(key)
                try? await Task.sleep(for: .milliseconds(30))
            }
        }
    }
}
