import Foundation
import GuardCheck
import KubeModel
import OdooPlan
import TestSupport
import Testing

/// What `spec.scaling` plans: the budget at the maximum, the floors by the clock, the autoscaler and
/// the replica count's owner, asleep and awake.
@Suite("Autoscaling plans")
struct ScalingPlanTests {
    static let planner = ScalingTests.planner
    static func utc(_ text: String) -> Date { ScalingTests.utc(text) }

    static func decode(_ scaling: JSONValue, stage: String = "development", change: (inout JSONValue) -> Void = { _ in }) throws -> OdooEnvironment {
        try OdooEnvironment.decode(ScalingTests.environment(scaling, stage: stage) {
            $0.set(.int(2), at: "spec.workers")
            change(&$0)
        })
    }

    // MARK: the connection budget at maxReplicas

    /// Shared tier (50 connections), 2 workers: a web pod holds (2 + 1) × 2 + gevent 4 = 10, cron 5,
    /// an upgrade Job 2 and, with backups, a dump and a rehearsal 3 more.
    static let budgets: [(description: String, maxReplicas: Int, backup: Bool, total: Int, fits: Bool, words: String)] = [
        ("fits: 3 pods and a surge", 3, false, 4 * 10 + 5 + 2, true, ""),
        ("fits exactly with the backup Jobs", 3, true, 4 * 10 + 5 + 5, true, ""),
        ("refused one pod past it, with the most that fits", 4, false, 5 * 10 + 5 + 2, false, "Lower spec.scaling.maxReplicas to 3 (the most that fits)"),
        ("refused with the backup Jobs counted", 4, true, 5 * 10 + 5 + 5, false, "5 web pods (maxReplicas and a rollout surge) × 10 + cron 5 + jobs 5 = 60"),
        ("refused far past it", 6, false, 7 * 10 + 5 + 2, false, "needs up to 77 PostgreSQL connections at full scale"),
    ]

    @Test("the budget is computed at maxReplicas plus the surge", arguments: 0..<budgets.count)
    func budget(_ index: Int) throws {
        let example = Self.budgets[index]
        let environment = try Self.decode(["minReplicas": 1, "maxReplicas": .int(Int64(example.maxReplicas))]) {
            if example.backup { $0.set(["schedule": "30 1 * * *"], at: "spec.backup") }
        }
        let conf = OdooConfFile(environment: environment, cpu: nil, memoryLimit: try Quantity(parsing: "2Gi"))
        let budget = ConnectionBudget(environment: environment, conf: conf)
        #expect(budget.webPods == example.maxReplicas + 1 && budget.total == example.total, "\(example.description): \(budget.arithmetic)")
        do {
            let desired = try Self.planner.plan(environment)
            #expect(example.fits, "\(example.description) was planned")
            #expect(desired.connectionBudget?.total == example.total)
        } catch {
            #expect(!example.fits, "\(example.description): \(error.fieldErrors)")
            let message = error.fieldErrors.first { $0.path.description == "spec.scaling.maxReplicas" }?.message ?? ""
            #expect(message.contains(example.words) && message.contains("tier allows 50") && message.contains("dedicated tier"), "\(example.description): \(message)")
        }
    }

    /// Fixed replicas and an autoscaler's maximum of the same size cost the same.
    @Test func aMaximumCostsWhatAsManyFixedReplicasCost() throws {
        let scaled = try Self.decode(["minReplicas": 1, "maxReplicas": 3])
        let fixed = try OdooEnvironment.decode(Fixtures.environment { $0.set(.int(3), at: "spec.replicas"); $0.set(.int(2), at: "spec.workers") })
        #expect(try Self.planner.plan(scaled).connectionBudget == {
            var budget = try Self.planner.plan(fixed).connectionBudget
            budget?.autoscaled = true
            return budget
        }())
    }

    // MARK: scheduled floors

    /// Weekdays 07:30 for 150 minutes, at least 4, in Berlin: 06:30 UTC in winter, 05:30 UTC in summer,
    /// on both sides of the clock changes of 29 March and 25 October 2026.
    static let floors: [(description: String, now: String, minimum: Int, until: String?, next: String?)] = [
        ("Friday before spring forward, just open", "2026-03-27T06:30:00Z", 4, "2026-03-27T09:00:00Z", "2026-03-27T09:00:00Z"),
        ("Friday before spring forward, a minute early", "2026-03-27T06:29:00Z", 2, nil, "2026-03-27T06:30:00Z"),
        ("the weekend of the change: no floor until Monday, an hour earlier in UTC", "2026-03-28T12:00:00Z", 2, nil, "2026-03-30T05:30:00Z"),
        ("Monday after spring forward", "2026-03-30T05:30:00Z", 4, "2026-03-30T08:00:00Z", "2026-03-30T08:00:00Z"),
        ("Monday after spring forward, at 07:29 local", "2026-03-30T05:29:00Z", 2, nil, "2026-03-30T05:30:00Z"),
        ("Friday before fall back, a minute before 10:00 local", "2026-10-23T07:59:00Z", 4, "2026-10-23T08:00:00Z", "2026-10-23T08:00:00Z"),
        ("Monday after fall back, still closed at 06:29 UTC", "2026-10-26T06:29:00Z", 2, nil, "2026-10-26T06:30:00Z"),
        ("Monday after fall back, open at 06:30 UTC", "2026-10-26T06:30:00Z", 4, "2026-10-26T09:00:00Z", "2026-10-26T09:00:00Z"),
        ("a Sunday in December", "2026-12-06T09:00:00Z", 2, nil, "2026-12-07T06:30:00Z"),
    ]

    @Test("floors follow the local clock across daylight saving changes", arguments: 0..<floors.count)
    func floor(_ index: Int) throws {
        let example = Self.floors[index]
        let scaling = try #require(try Self.decode(["minReplicas": 2, "maxReplicas": 6, "timeZone": "Europe/Berlin",
                                                    "floors": [["schedule": "30 7 * * 1-5", "durationMinutes": 150, "minReplicas": 4]]]).scaling)
        let minimum = scaling.minimum(at: Self.utc(example.now))
        #expect(minimum.replicas == example.minimum, "\(example.description)")
        #expect(minimum.until == example.until.map(Self.utc), "\(example.description)")
        #expect(minimum.nextChange == example.next.map(Self.utc), "\(example.description)")
    }

    /// Overlapping floors: the highest open one counts, and it never passes the maximum.
    @Test func theHighestOpenFloorCounts() throws {
        let scaling = try #require(try Self.decode(["minReplicas": 1, "maxReplicas": 5, "floors": [
            ["schedule": "0 7 * * *", "durationMinutes": 600, "minReplicas": 2],
            ["schedule": "0 8 * * *", "durationMinutes": 60, "minReplicas": 5],
        ]]).scaling)
        #expect(scaling.minimum(at: Self.utc("2026-12-07T07:30:00Z")).replicas == 2)
        let peak = scaling.minimum(at: Self.utc("2026-12-07T08:30:00Z"))
        #expect(peak.replicas == 5 && peak.floor?.minReplicas == 5 && peak.nextChange == Self.utc("2026-12-07T09:00:00Z"))
        #expect(scaling.minimum(at: Self.utc("2026-12-07T09:00:00Z")).replicas == 2)
        #expect(scaling.minimum(at: Self.utc("2026-12-07T17:00:00Z")).replicas == 1)
    }
}
