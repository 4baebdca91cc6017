import Foundation
import KubeModel
import OdooPlan
import Testing

/// `status.readyHistory`: the periods an environment ran Ready, by digests — promotion evidence that
/// changes only at transitions, so an unchanged environment writes nothing.
@Suite("Ready history")
struct ReadyHistoryTests {
    static let a = "registry.example.com/odoo/odoo@sha256:" + String(repeating: "a", count: 64)
    static let b = "registry.example.com/odoo/odoo@sha256:" + String(repeating: "b", count: 64)
    static let addon = "registry.example.com/odoo/addons@sha256:" + String(repeating: "c", count: 64)
    static let t0 = Timestamp.parse("2026-11-20T00:00:00Z") ?? Date()
    static func at(_ hours: Double) -> Date { t0.addingTimeInterval(hours * 3600) }

    @Test func periodsOpenAndCloseOnlyAtTransitions() {
        var history: [ReadyPeriod] = []
        history = ReadyPeriod.next(history, ready: false, image: Self.a, addons: [], now: Self.at(0))
        #expect(history.isEmpty, "not Ready: nothing ran")
        history = ReadyPeriod.next(history, ready: true, image: Self.a, addons: [], now: Self.at(1))
        #expect(history == [ReadyPeriod(image: Self.a, readySince: Self.at(1))])
        let unchanged = ReadyPeriod.next(history, ready: true, image: Self.a, addons: [], now: Self.at(30))
        #expect(unchanged == history, "still Ready with the same digests: no change, no status write")
        #expect(history[0].duration(at: Self.at(30)) == 29 * 3600)
        history = ReadyPeriod.next(history, ready: true, image: Self.b, addons: [Self.addon], now: Self.at(31))
        #expect(history == [ReadyPeriod(image: Self.a, readySince: Self.at(1), readyUntil: Self.at(31)),
                            ReadyPeriod(image: Self.b, addons: [Self.addon], readySince: Self.at(31))])
        history = ReadyPeriod.next(history, ready: false, image: Self.b, addons: [Self.addon], now: Self.at(32))
        #expect(history.last?.readyUntil == Self.at(32), "not Ready closes the period")
        history = ReadyPeriod.next(history, ready: true, image: Self.b, addons: [Self.addon], now: Self.at(40))
        #expect(history.count == 3 && history.last?.readyUntil == nil, "Ready again: a new period, the soak starts over")
    }

    @Test func onlyPinnedDigestsAreRecordedAndTheHistoryIsBounded() {
        #expect(ReadyPeriod.next([], ready: true, image: "odoo:17.0", addons: [], now: Self.t0).isEmpty)
        #expect(ReadyPeriod.next([], ready: true, image: Self.a, addons: ["addons:1.0"], now: Self.t0).isEmpty)
        var history: [ReadyPeriod] = []
        for hour in 0..<30 {
            history = ReadyPeriod.next(history, ready: true, image: hour.isMultiple(of: 2) ? Self.a : Self.b, addons: [], now: Self.at(Double(hour)))
        }
        #expect(history.count == ReadyPeriod.limit)
        #expect(history.last?.readySince == Self.at(29))
    }

    @Test func theRecordRoundTrips() {
        let history = [ReadyPeriod(image: Self.a, addons: [Self.addon], readySince: Self.at(1), readyUntil: Self.at(2)),
                       ReadyPeriod(image: Self.b, readySince: Self.at(2))]
        let status: JSONValue = ["readyHistory": .array(history.map(\.json))]
        #expect(ReadyPeriod.recorded(status) == history)
        #expect(ReadyPeriod.recorded(["readyHistory": [["image": "x"], "junk"]]).isEmpty, "unreadable entries are skipped")
    }
}
