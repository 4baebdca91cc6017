import Foundation
import GuardRules
import KubeModel
import OdooPlan
import Testing

/// The OdooRestore state machine: refusals before anything stops, each step, each failure, and a
/// restarted operator resuming from the status alone.
@Suite("OdooRestore decision")
struct RestoreDecisionTests {
    static let decision = RestoreDecision(configuration: Fixtures.configuration)
    static let now = Date(timeIntervalSince1970: 1_796_000_000)

    static func restore(mode: String = "Restore", source: JSONValue? = nil) -> JSONValue {
        var spec: JSONObject = ["environment": "demo", "mode": .string(mode)]
        if let source { spec["source"] = source }
        return ["apiVersion": "odooguard.io/v1alpha1", "kind": "OdooRestore",
                "metadata": ["name": "r1", "namespace": "demo", "uid": "u-1", "generation": 1], "spec": .object(spec)]
    }

    static func environment(_ name: String = "demo", namespace: String = "demo", stage: String = "staging", version: String = "17.0",
                            backup: Bool = true, restoring: String? = nil) throws -> OdooEnvironment {
        try OdooEnvironment.decode(Fixtures.environment { object in
            _ = object.set(.string(name), at: "metadata.name")
            _ = object.set(.string(namespace), at: "metadata.namespace")
            _ = object.set(.string(stage), at: "spec.stage")
            _ = object.set(.string(version), at: "spec.version")
            if backup { _ = object.set(["schedule": "30 1 * * *"], at: "spec.backup") }
            if let restoring { _ = object.set(["odooguard.io/restoring": .string(restoring)], at: "metadata.annotations") }
        })
    }

    static func observation(_ restore: JSONValue = restore(), status: RestoreStatus = RestoreStatus(), target: OdooEnvironment?,
                            source: OdooEnvironment? = nil, masking: Bool = true) -> RestoreObservation {
        var observation = RestoreObservation(restore: Result { () throws(OdooPlanError) in try OdooRestore.decode(restore) }, recorded: status, now: now)
        observation.target = target.map { .success($0) }
        observation.source = (source ?? target).map { .success($0) }
        observation.masking.enabled = masking
        return observation
    }

    struct RefusalCase: Sendable, CustomStringConvertible {
        var name: String
        var mode = "Restore"
        var source: JSONValue?
        var targetStage = "staging"
        var sourceStage = "production"
        var sourceBackup = true
        var masking = true
        var targetExists = true
        var says: String
        var description: String { name }
    }

    @Test(arguments: [
        RefusalCase(name: "no target", targetExists: false, says: "does not exist in namespace demo"),
        RefusalCase(name: "refresh into production", mode: "Refresh", source: ["environment": "prod"], targetStage: "production", says: "production is never refreshed"),
        RefusalCase(name: "refresh with masking off", mode: "Refresh", source: ["environment": "prod"], masking: false, says: "spec.dataMasking is off"),
        RefusalCase(name: "another environment into production", source: ["environment": "prod"], targetStage: "production", says: "only from its own backups"),
        RefusalCase(name: "production data unmasked", source: ["environment": "prod"], says: "use mode Refresh"),
        RefusalCase(name: "source without backups", source: ["environment": "prod"], sourceStage: "staging", sourceBackup: false, says: "has no spec.backup"),
        RefusalCase(name: "point in time without CloudNativePG", source: ["targetTime": "2026-12-01T10:00:00Z"], says: "needs CloudNativePG's WAL archive"),
    ])
    func badRequestsAreRefusedBeforeAnythingStops(_ row: RefusalCase) throws {
        let target = try Self.environment(stage: row.targetStage)
        let source = row.source?["environment"] == nil ? nil : try Self.environment("prod", stage: row.sourceStage, backup: row.sourceBackup)
        let reconciliation = Self.decision.decide(Self.observation(Self.restore(mode: row.mode, source: row.source),
                                                                  target: row.targetExists ? target : nil, source: source, masking: row.masking))
        #expect(reconciliation.status.phase == .refused)
        #expect(reconciliation.status.message.contains(row.says), "\(reconciliation.status.message)")
        #expect(reconciliation.annotation == nil && reconciliation.job == nil, "nothing stops, nothing runs")
    }

    @Test func anInvalidRequestNamesItsFields() {
        let bad = Self.restore(source: ["backup": "yesterday", "targetTime": "soon"])
        let reconciliation = Self.decision.decide(Self.observation(bad, target: nil))
        #expect(reconciliation.status.phase == .refused)
        #expect(reconciliation.status.message.contains("spec.source.backup") && reconciliation.status.message.contains("spec.source.targetTime"))
    }

    @Test func aProductionRestoreWaitsForItsApproval() throws {
        let target = try Self.environment(stage: "production")
        var observation = Self.observation(target: target)
        let waiting = Self.decision.decide(observation)
        #expect(waiting.status.phase == .awaitingApproval && waiting.status.message.contains("restore/r1") && waiting.annotation == nil && waiting.job == nil)
        observation.approved = true
        #expect(Self.decision.decide(observation).job != nil, "approved: the verify Job starts")
    }

    /// A refresh from production walks every step; each reconcile sees the Jobs the previous one
    /// started finish, and the status alone carries it (as after an operator restart).
    @Test func aRefreshWalksEveryStepAndResumesFromItsStatus() throws {
        let source = try Self.environment("prod", namespace: "demo", stage: "production", version: "16.0")
        var target = try Self.environment()
        var status = RestoreStatus()
        var jobs: [String: ChangeGate.JobState] = [:]
        var pods: (desired: Int64, running: Int64) = (2, 2)
        var seen: [RestoreStatus.Step] = []
        var record: RestoreRecord?
        for _ in 0..<30 {
            var observation = Self.observation(Self.restore(mode: "Refresh", source: ["environment": "prod"]), status: status, target: target, source: source)
            observation.jobs = jobs
            observation.targetPods = pods
            let result = Self.decision.decide(observation)
            // What the executor does, and the cluster after it.
            status = RestoreStatus(json: result.status.json)
            if let step = status.step, seen.last != step { seen.append(step) }
            switch result.annotation {
            case .set(let name)?: target = try Self.environment(restoring: name); pods = (0, 1)
            case .remove?: target = try Self.environment()
            case .finish(let finished, _)?: target = try Self.environment(); record = finished
            case .recover?: Issue.record("a restore from a dump recovers no Cluster")
            case nil: if target.restoring != nil { pods = (0, 0) }
            }
            if let job = result.job, let name = job["metadata"]?["name"]?.stringValue {
                #expect(job["metadata"]?["labels"]?[GuardLabels.restore]?.stringValue == "r1")
                jobs[name] = ChangeGate.JobState(phase: .succeeded, completionTime: Self.now)
            }
            if status.phase.isFinal { break }
        }
        #expect(status.phase == .succeeded, "\(status.message)")
        #expect(seen == [.verify, .stop, .restore, .upgrade, .neutralize, .mask, .start])
        #expect(status.masked && status.steps.count == 7 && status.steps.allSatisfy { $0.finished != nil })
        #expect(status.source == "demo/prod@latest" && target.restoring == nil)
        // The environment keeps the record: source, time and that the masking ran.
        #expect(record == RestoreRecord(restore: "r1", mode: .refresh, source: "demo/prod@latest", finished: Self.now, masked: true))
        #expect(RestoreRecord(annotation: record?.annotation) == record)
    }

    struct FailureCase: Sendable, CustomStringConvertible {
        var step: RestoreStatus.Step
        var phase: RestoreStatus.Phase
        var says: String
        var description: String { step.rawValue }
    }

    @Test(arguments: [
        FailureCase(step: .verify, phase: .refused, says: "nothing was stopped: backup 20261201T013000Z fails its checksum"),
        FailureCase(step: .restore, phase: .failed, says: "Web and cron stay stopped"),
        FailureCase(step: .mask, phase: .failed, says: "Mask failed"),
    ])
    func aFailedStepSaysWhatHappenedAndWhatToDo(_ row: FailureCase) throws {
        let source = try Self.environment("prod", stage: "production")
        let restore = Self.restore(mode: "Refresh", source: ["environment": "prod"])
        var status = RestoreStatus()
        let decoded = try OdooRestore.decode(restore)
        for step in RestoreStatus.Step.allCases where step < row.step && step != .upgrade {
            status.steps.append(RestoreStatus.StepRecord(step: step, started: Self.now, finished: Self.now, message: "done"))
        }
        let target = try Self.environment(restoring: row.step > .stop ? "r1" : nil)
        var observation = Self.observation(restore, status: status, target: target, source: source)
        observation.jobs[RestoreDecision.jobName(decoded, row.step)] = ChangeGate.JobState(phase: .failed, message: "backup 20261201T013000Z fails its checksum")
        let result = Self.decision.decide(observation)
        #expect(result.status.phase == row.phase)
        #expect(result.status.message.contains(row.says), "\(result.status.message)")
        #expect(result.annotation == nil, "a failure after the stop leaves web and cron stopped; one before never stopped them")
    }
}

/// A point-in-time restore on CloudNativePG: the archive's window decides before anything stops;
/// the database moves to a recovered Cluster, and the replaced one is released only at the end.
@Suite("OdooRestore to a point in time")
struct PointInTimeRestoreTests {
    typealias Base = RestoreDecisionTests
    static let first = Base.now.addingTimeInterval(-7 * 86_400)

    static func observation(_ time: String, target: OdooEnvironment, window: Bool = true, status: RestoreStatus = RestoreStatus()) -> RestoreObservation {
        var observation = Base.observation(Base.restore(source: ["targetTime": .string(time)]), status: status, target: target)
        observation.targetOnCloudNativePG = true
        if window { observation.recoveryWindow = (first, Base.now.addingTimeInterval(-3600)) }
        return observation
    }

    @Test(arguments: [
        ("2026-12-01T10:00:00Z", false, "reports no recovery window yet"),
        ("2026-01-01T10:00:00Z", true, "is before the archive's first recoverability point"),
        ("2030-01-01T10:00:00Z", true, "is in the future"),
    ])
    func aTimeOutsideTheArchiveIsRefused(_ time: String, _ window: Bool, _ says: String) throws {
        let result = Base.decision.decide(Self.observation(time, target: try Base.environment(), window: window))
        #expect(result.status.phase == .refused && result.status.message.contains(says), "\(result.status.message)")
        #expect(result.annotation == nil && result.job == nil)
    }

    @Test func anotherEnvironmentsArchiveIsRefused() throws {
        var observation = Self.observation("2026-12-01T10:00:00Z", target: try Base.environment())
        observation.restore = Result { () throws(OdooPlanError) in
            try OdooRestore.decode(Base.restore(source: ["environment": "prod", "targetTime": "2026-12-01T10:00:00Z"]))
        }
        observation.source = .success(try Base.environment("prod", stage: "staging"))
        let result = Base.decision.decide(observation)
        #expect(result.status.phase == .refused && result.status.message.contains("own WAL archive"), "\(result.status.message)")
    }

    @Test func theDatabaseMovesToARecoveredClusterAndTheOldOneIsReleasedAtTheEnd() throws {
        let time = Timestamp.format(Base.now.addingTimeInterval(-86_400))
        var target = try Base.environment()
        var status = RestoreStatus()
        var pods: (desired: Int64, running: Int64) = (2, 2)
        var annotations: [String: String] = [:]
        var ready = false
        var recovered: RecoveredCluster?
        for _ in 0..<20 {
            var observation = Self.observation(time, target: target, status: status)
            observation.targetPods = pods
            if let recovered, ready {
                observation.recoveredCluster = ClusterHealth(cluster: ["metadata": ["name": .string(recovered.cluster)], "spec": ["instances": 1],
                                                                       "status": ["conditions": [["type": "Ready", "status": "True"]], "readyInstances": 1]])
            }
            let result = Base.decision.decide(observation)
            #expect(result.job == nil, "a point-in-time restore runs no Job")
            status = RestoreStatus(json: result.status.json)
            switch result.annotation {
            case .set(let name)?: annotations[GuardLabels.restoring] = name; pods = (0, 1)
            case .recover(let cluster)?: annotations[GuardLabels.databaseCluster] = cluster.annotation; recovered = cluster
            case .finish(let record, let cluster)?:
                annotations[GuardLabels.restoring] = nil
                annotations[GuardLabels.lastRestore] = record.annotation
                if let cluster { annotations[GuardLabels.databaseCluster] = cluster.annotation }
            case .remove?: annotations[GuardLabels.restoring] = nil
            case nil:
                if annotations[GuardLabels.restoring] != nil { pods = (0, 0) }
                if recovered != nil { ready = true }
            }
            target = try OdooEnvironment.decode(Fixtures.environment { object in
                _ = object.set("staging", at: "spec.stage")
                _ = object.set(["schedule": "30 1 * * *"], at: "spec.backup")
                _ = object.set(.object(JSONObject(uniqueKeysWithValues: annotations.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) })),
                               at: "metadata.annotations")
            })
            if status.phase.isFinal { break }
        }
        #expect(status.phase == .succeeded, "\(status.message)")
        #expect(status.steps.map(\.step) == [.verify, .stop, .restore, .start])
        let final = try #require(target.recoveredCluster)
        #expect(final.cluster.hasPrefix("demo-pg-") && final.origin == "demo-pg" && final.previous == nil, "\(final)")
        #expect(Timestamp.format(final.targetTime) == time && target.clusterName == final.cluster)
        #expect(target.lastRestore?.source == "demo/demo@\(time)")
    }
}
