import Foundation
import KubeModel
import OdooPlan
import Testing

/// DORA figures from `status.readyHistory`: releases, failed releases, restores and availability.
@Suite struct DeliveryFiguresTests {
    static let now = Timestamp.parse("2026-12-02T00:00:00Z") ?? Date()
    static func hoursAgo(_ hours: Double) -> Date { now.addingTimeInterval(-hours * 3600) }
    static func period(_ digest: Character, _ since: Double, _ until: Double? = nil) -> ReadyPeriod {
        ReadyPeriod(image: "registry.example.com/odoo/odoo@sha256:" + String(repeating: digest, count: 64),
                    readySince: hoursAgo(since), readyUntil: until.map(hoursAgo))
    }

    @Test("releases, failures, restores and availability", arguments: [
        // name, history, deployments, failed, restores, mean time to restore (s), availability
        ("one release, Ready all along", [period("a", 240)], 1, 0, 0, nil, 1.0),
        ("two releases back to back", [period("a", 240, 120), period("b", 120)], 2, 0, 0, nil, 1.0),
        ("a release rolled back", [period("a", 240, 100), period("b", 100, 99), period("a", 99)], 3, 1, 0, nil, 1.0),
        ("an outage of 2 h, restored", [period("a", 240, 50), period("a", 48)], 1, 0, 1, 7_200.0, 238.0 / 240),
        ("a release down within a day, then fixed forward", [period("a", 240, 100), period("b", 100, 95), period("c", 90)], 3, 1, 0, nil, 235.0 / 240),
        ("a release down now", [period("a", 240, 100), period("b", 100, 90)], 2, 1, 0, nil, 150.0 / 240),
        ("releases older than 30 days", [period("a", 1_000, 800), period("b", 800)], 0, 0, 0, nil, 1.0),
    ] as [(String, [ReadyPeriod], Int, Int, Int, Double?, Double)])
    func figures(_ name: String, _ history: [ReadyPeriod], _ deployments: Int, _ failed: Int, _ restores: Int, _ restore: Double?, _ availability: Double) {
        let figures = DeliveryFigures(history: history, asOf: Self.now)
        #expect(figures.deployments == deployments, "\(name)")
        #expect(figures.failedDeployments == failed, "\(name)")
        #expect(figures.restores == restores && figures.meanTimeToRestore == restore, "\(name)")
        #expect(abs((figures.availability ?? -1) - availability) < 0.001, "\(name): \(String(describing: figures.availability))")
    }

    /// A change that failed its verification, from digests `from` to `to`, rolled out `hours` ago.
    static func failedChange(_ from: Character, _ to: Character, _ hours: Double, _ outcome: ChangeRecord.Outcome) -> ChangeRecord {
        let image = { (digest: Character) in "registry.example.com/odoo/odoo@sha256:" + String(repeating: digest, count: 64) }
        var record = ChangeRecord(from: .init(image: image(from), version: "17.0"), to: .init(image: image(to), version: "17.0"), by: "release/x",
                                  started: hoursAgo(hours), migration: outcome == .failed ? "the upgrade Job updated the modules" : nil, restorePoint: nil)
        record.outcome = outcome
        return record
    }

    @Test("changes that failed their verification count as failed releases, once", arguments: [
        // name, history, changes, deployments, failed
        ("rolled back before it was ever Ready", [period("a", 240)], [failedChange("a", "b", 100, .rolledBack)], 2, 1),
        ("Ready, then failed after a migration", [period("a", 240, 100), period("b", 100)], [failedChange("a", "b", 100, .failed)], 2, 1),
        ("rolled back after a Ready moment: counted by the history and the record once",
         [period("a", 240, 100), period("b", 100, 99), period("a", 99)], [failedChange("a", "b", 100, .rolledBack)], 3, 1),
        ("a verified change is no failure", [period("a", 240, 100), period("b", 100)], [failedChange("a", "b", 100, .verified)], 2, 0),
        ("a failure older than the window is not counted", [period("a", 1_000)], [failedChange("a", "b", 900, .rolledBack)], 0, 0),
        ("a change rolled back before it was Ready: the release before it did not fail, it was only replaced for a moment",
         [period("a", 240, 100), period("b", 100, 50), period("b", 49.9)], [failedChange("a", "b", 100, .verified), failedChange("b", "c", 50, .rolledBack)], 3, 1),
    ] as [(String, [ReadyPeriod], [ChangeRecord], Int, Int)])
    func failedChanges(_ name: String, _ history: [ReadyPeriod], _ changes: [ChangeRecord], _ deployments: Int, _ failed: Int) {
        let figures = DeliveryFigures(history: history, changes: changes, asOf: Self.now)
        #expect(figures.deployments == deployments && figures.failedDeployments == failed, "\(name): \(figures.deployments) releases, \(figures.failedDeployments) failed")
    }

    @Test("the status summary is as of the last transition, so it changes only with the history")
    func summaryIsStable() {
        let history = [Self.period("a", 240, 50), Self.period("a", 48)]
        let asOf = history.map { $0.readyUntil ?? $0.readySince }.max() ?? Self.now
        let json = DeliveryFigures(history: history, asOf: asOf).json
        #expect(json["asOf"]?.stringValue == Timestamp.format(Self.hoursAgo(48)))
        #expect(json["deployments"] == 1 && json["meanTimeToRestoreSeconds"] == 7_200)
        #expect(DeliveryFigures(history: [], asOf: Self.now).availability == nil)
        #expect(DeliveryFigures(history: [Self.period("a", 48), Self.period("b", 24)], asOf: Self.now).deploymentsPerDay == 1.0)
    }
}
