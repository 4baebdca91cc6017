import Foundation
@testable import KubeRuntime
import Testing

/// The event recorder's memory of recent Events: bounded, expired entries dropped first, then the
/// older half, and never an entry a repeat is about to update.
@Suite struct RecentEventsTests {
    struct Case: CustomTestStringConvertible {
        let name: String
        /// Keys stored, each at its second.
        let stored: [(String, Int)]
        /// The keys kept afterwards.
        let kept: Set<String>
        var testDescription: String { name }
    }

    static let start = Date(timeIntervalSince1970: 1_764_000_000)

    static let cases: [Case] = [
        Case(name: "under the capacity: everything", stored: (0..<8).map { ("e\($0)", $0) }, kept: Set((0..<8).map { "e\($0)" })),
        Case(name: "full, nothing expired: the newest half and the new one", stored: (0..<9).map { ("e\($0)", $0) },
             kept: ["e4", "e5", "e6", "e7", "e8"]),
        Case(name: "full, half expired: only the expired go", stored: (0..<4).map { ("old\($0)", $0) } + (0..<4).map { ("new\($0)", 1000 + $0) } + [("last", 1004)],
             kept: ["new0", "new1", "new2", "new3", "last"]),
        Case(name: "full, one expired: still the newest half (room for a quarter more before the next sort)",
             stored: [("old", 0)] + (1..<8).map { ("e\($0)", 600 + $0) } + [("last", 608)], kept: ["e4", "e5", "e6", "e7", "last"]),
        Case(name: "a repeat of a stored key never evicts", stored: (0..<8).map { ("e\($0)", $0) } + [("e0", 9)], kept: Set((0..<8).map { "e\($0)" })),
    ]

    @Test(arguments: cases)
    func keeps(_ testCase: Case) {
        var recent = RecentEvents(capacity: 8, repeatWindow: 600)
        for (key, second) in testCase.stored {
            let now = Self.start.addingTimeInterval(TimeInterval(second))
            recent.store(RecentEvents.Entry(name: key, namespace: "ns", count: 1, lastUsed: now), for: key, now: now)
            #expect(recent.entries.count <= 8)
        }
        #expect(Set(recent.entries.keys) == testCase.kept, "\(testCase.name)")
    }

    @Test func aRepeatCountsOnlyWithinTheWindow() {
        var recent = RecentEvents(capacity: 8, repeatWindow: 600)
        recent.store(RecentEvents.Entry(name: "a.1", namespace: "ns", count: 1, lastUsed: Self.start), for: "a", now: Self.start)
        #expect(recent.current("a", now: Self.start.addingTimeInterval(599))?.name == "a.1")
        #expect(recent.current("a", now: Self.start.addingTimeInterval(600)) == nil)
        #expect(recent.current("b", now: Self.start) == nil)
    }

    @Test func tenThousandEventsStayWithinTheCapacity() {
        var recent = RecentEvents(capacity: 4096, repeatWindow: 600)
        for index in 0..<10_000 {
            let now = Self.start.addingTimeInterval(Double(index) / 100)
            recent.store(RecentEvents.Entry(name: "e\(index)", namespace: "ns", count: 1, lastUsed: now), for: "e\(index)", now: now)
        }
        #expect(recent.entries.count <= 4096 && recent.entries.count > 2048)
        #expect(recent.entries["e9999"] != nil && recent.entries["e0"] == nil)
    }
}
