import Foundation
import KubeModel
import OdooPlan
import Testing

@Suite("Cron schedules and the change gate")
struct ScheduleAndGateTests {
    /// 2026-11-22 was a Sunday.
    static func utc(_ text: String) -> Date { Timestamp.parse(text) ?? .distantPast }

    static let matching: [(schedule: String, time: String, open: Bool)] = [
        ("0 2 * * 0", "2026-11-22T02:00:00Z", true),
        ("0 2 * * 0", "2026-11-22T03:59:00Z", true),
        ("0 2 * * 0", "2026-11-22T04:00:00Z", false),
        ("0 2 * * 0", "2026-11-22T01:59:00Z", false),
        ("0 2 * * 7", "2026-11-22T02:30:00Z", true),
        ("0 2 * * sun", "2026-11-22T02:30:00Z", true),
        ("0 2 * * mon-fri", "2026-11-22T02:30:00Z", false),
        ("*/15 * * * *", "2026-11-22T02:44:00Z", true),
        ("30 23 * * 6", "2026-11-22T00:30:00Z", true), // opened Saturday evening, still open after midnight
        ("0 0 1 jan *", "2026-11-22T00:30:00Z", false),
        ("0 0 22 * 1", "2026-11-22T00:30:00Z", true), // day of month or day of week
    ]

    @Test("windows open and close as cron reads them", arguments: 0..<matching.count)
    func window(_ index: Int) throws {
        let (text, time, open) = Self.matching[index]
        let schedule = try CronSchedule.parse(text).get()
        let window = OdooEnvironment.MaintenanceWindow(schedule: schedule, durationMinutes: 120)
        #expect(window.isOpen(at: Self.utc(time)) == open, "\(text) at \(time)")
    }

    @Test func nextOpening() throws {
        let schedule = try CronSchedule.parse("0 2 * * 0").get()
        #expect(schedule.nextStart(after: Self.utc("2026-11-22T04:00:00Z")) == Self.utc("2026-11-29T02:00:00Z"))
        // 29 February is more than a year and a day away: no opening is reported.
        #expect(try CronSchedule.parse("0 0 29 2 *").get().nextStart(after: Self.utc("2026-11-22T00:00:00Z")) == nil)
        #expect(try CronSchedule.parse("@daily").get().nextStart(after: Self.utc("2026-11-22T04:00:00Z")) == Self.utc("2026-11-23T00:00:00Z"))
    }

    @Test("bad schedules say what is wrong", arguments: ["0 2 * *", "61 * * * *", "* 24 * * *", "5-1 * * * *", "*/0 * * * *", "0 2 * * funday", "a b c d e"])
    func badSchedules(_ text: String) {
        guard case .failure(let problem) = CronSchedule.parse(text) else {
            Issue.record("\(text) parsed")
            return
        }
        #expect(problem.message.contains(text) || problem.message.contains("five fields"))
    }

    static func environment(stage: String = "production", version: String = "17.0", reference: String? = "CHG-1", window: JSONValue? = nil,
                            extra: JSONObject = [:]) throws -> OdooEnvironment {
        var metadata: JSONObject = ["name": "clinic", "namespace": "clinic"]
        if let reference { metadata["annotations"] = ["odooguard.io/change-ref": .string(reference)] }
        var spec: JSONObject = ["version": .string(version), "tier": "shared", "stage": .string(stage),
                                "ingress": ["host": "clinic.example.com", "tls": ["certResolver": "le"]], "backup": ["schedule": "0 1 * * *"]]
        if let window { spec["maintenanceWindow"] = window }
        for (key, value) in extra { spec[key] = value }
        return try OdooEnvironment.decode(["apiVersion": "odooguard.io/v1alpha1", "kind": "OdooEnvironment", "metadata": .object(metadata), "spec": .object(spec)])
    }

    @Test func stickySessionsAreAWarningInTheStatus() throws {
        // One worker each: three replicas with the derived three workers would not fit the shared tier's connections.
        let environment = try Self.environment(stage: "development", reference: nil, extra: ["replicas": 3, "workers": 1])
        let desired = try OdooPlanner(configuration: try OperatorConfiguration.builtIn()).plan(environment)
        let status = EnvironmentStatus(environment: environment, generation: 1, desired: desired, imageSource: nil, observation: .offline(), facts: EnvironmentFacts(), problem: nil)
        let warnings = status.json["warnings"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(warnings.contains { $0.contains("sticky sessions") && $0.contains("spec.redis") }, "\(warnings)")
        let redis = try Self.environment(stage: "development", reference: nil, extra: ["replicas": 3, "workers": 1, "redis": ["enabled": true]])
        let withRedis = try OdooPlanner(configuration: try OperatorConfiguration.builtIn()).plan(redis)
        #expect(!withRedis.warnings.contains { $0.contains("sticky") })
    }

    static let now = utc("2026-11-22T12:00:00Z")
    static let old = ChangeGate.Running(image: "odoo:17.0@sha256:aa", version: "17.0")

    @Test func theGateInOrder() throws {
        let new = "odoo:17.0@sha256:bb"
        let names = ChildNames(environment: "clinic")
        func decide(_ environment: OdooEnvironment, image: String = new, running: ChangeGate.Running? = Self.old, backup: Date? = nil,
                    jobs: [String: ChangeGate.JobState] = [:]) -> ChangeGate.Decision {
            ChangeGate(environment: environment, desiredImage: image, rpoHours: 24).decide(running: running, lastBackup: backup, jobs: jobs, now: Self.now)
        }
        func reason(_ decision: ChangeGate.Decision) -> String {
            switch decision {
            case .proceed: return "proceed"
            case .hold(let reason, _, _), .startJob(_, _, let reason, _), .failed(let reason, _): return reason
            }
        }
        // Nothing runs yet, or nothing changes: proceed.
        #expect(decide(try Self.environment(reference: nil), running: nil) == .proceed)
        #expect(decide(try Self.environment(reference: nil), image: Self.old.image) == .proceed)
        // Production: reference, then window, then backup.
        #expect(reason(decide(try Self.environment(reference: nil))) == "WaitingForChangeReference")
        #expect(reason(decide(try Self.environment(window: ["schedule": "0 2 * * 0", "durationMinutes": 60]))) == "WaitingForMaintenanceWindow")
        if case .hold(_, _, let retry) = decide(try Self.environment(window: ["schedule": "0 2 * * 0", "durationMinutes": 60])) {
            #expect(retry.map { Int($0.rounded()) } == 7 * 86400 - 10 * 3600, "until next Sunday 02:00")
        }
        #expect(decide(try Self.environment()) == .startJob(kind: .backup, name: names.changeBackup(image: new), reason: "WaitingForBackup",
                                                             message: "no backup younger than the 24 h RPO: backup Job \(names.changeBackup(image: new)) runs before the change to \(new)"))
        #expect(decide(try Self.environment(), backup: Self.now.addingTimeInterval(-3600)) == .proceed)
        #expect(reason(decide(try Self.environment(), jobs: [names.changeBackup(image: new): .init(phase: .running)])) == "WaitingForBackup")
        #expect(reason(decide(try Self.environment(), jobs: [names.changeBackup(image: new): .init(phase: .failed, message: "disk full")])) == "BackupFailed")
        #expect(decide(try Self.environment(), jobs: [names.changeBackup(image: new): .init(phase: .succeeded)]) == .proceed)
        // Staging: no reference, window or backup needed; a major upgrade still runs its Job first.
        #expect(decide(try Self.environment(stage: "staging", reference: nil)) == .proceed)
        let upgrade = try Self.environment(stage: "staging", version: "18.0", reference: nil)
        #expect(decide(upgrade) == .startJob(kind: .upgrade, name: names.upgrade(image: new), reason: "UpgradingDatabase",
                                             message: "Odoo 17.0 → 18.0: upgrade Job \(names.upgrade(image: new)) updates the database before the web Deployment switches"))
        if case .failed(let why, let message) = decide(upgrade, jobs: [names.upgrade(image: new): .init(phase: .failed, message: "ERROR: column x")]) {
            #expect(why == "UpgradeFailed" && message.contains("ERROR: column x") && message.contains("Odoo 17.0 keeps serving"))
        } else {
            Issue.record("a failed upgrade must fail the gate")
        }
        #expect(decide(upgrade, jobs: [names.upgrade(image: new): .init(phase: .succeeded)]) == .proceed)
        // A change under way is not stopped by the window closing.
        let closed = try Self.environment(window: ["schedule": "0 2 * * 0", "durationMinutes": 60])
        #expect(reason(decide(closed, jobs: [names.changeBackup(image: new): .init(phase: .running)])) == "WaitingForBackup")
    }
}
