import Foundation
import KubeModel
import OdooPlan
import Testing

/// What a restore reads from the API that anyone could have written (its status, annotations, a
/// Cluster's status, the OdooRestore itself): absurd sizes and wrong JSON types are read safely.
@Suite("OdooRestore input")
struct RestoreInputTests {
    @Test func aStatusOf10000StepsOfWrongTypesKeepsAtMostOneRecordPerStep() {
        var steps: [JSONValue] = (0..<10_000).map { i in
            i % 3 == 0 ? .string("Verify") : i % 3 == 1 ? ["name": 17, "started": ["x"]] : ["name": "Restore", "started": "2026-12-05T10:00:00Z", "finished": 3]
        }
        steps.insert(["name": "Verify", "started": "2026-12-05T09:00:00Z", "finished": "2026-12-05T09:01:00Z", "message": .string(String(repeating: "x", count: 100_000))], at: 0)
        let status = RestoreStatus(json: ["phase": 12, "step": ["Stop"], "masked": "yes", "steps": .array(steps)])
        #expect(status.phase == .pending && status.step == nil && !status.masked)
        #expect(status.steps.count <= RestoreStatus.Step.allCases.count && status.steps.first?.step == .verify)
        #expect(RestoreStatus(json: .array([])) == RestoreStatus())
    }

    @Test(arguments: [
        String(repeating: "{", count: 100_000),
        #"{"restore": 1, "mode": "Refresh", "source": "a", "finished": "2026-12-05T10:00:00Z"}"#,
        #"{"restore": "r", "mode": "Teleport", "source": "a", "finished": "2026-12-05T10:00:00Z"}"#,
        #"{"restore": "r", "mode": "Refresh", "source": "a", "finished": "yesterday"}"#,
        "[]",
    ])
    func aLastRestoreAnnotationThatIsNoRecordIsIgnored(_ text: String) {
        #expect(RestoreRecord(annotation: text) == nil)
    }

    @Test(arguments: [
        String(repeating: "a", count: 100_000),
        #"{"cluster": "demo-pg; DROP", "origin": "demo-pg", "targetTime": "2026-12-05T10:00:00Z"}"#,
        #"{"cluster": "demo-pg-1", "origin": 7, "targetTime": "2026-12-05T10:00:00Z"}"#,
        #"{"cluster": "demo-pg-1", "origin": "demo-pg", "targetTime": 1796000000}"#,
    ])
    func aDatabaseClusterAnnotationThatIsNoRecordIsIgnored(_ text: String) {
        #expect(RecoveredCluster(annotation: text) == nil)
    }

    @Test func aClusterStatusOfWrongTypesReadsAsNotReady() {
        #expect(ClusterHealth(cluster: ["status": ["not", "an", "object"]]) == nil)
        let odd = ClusterHealth(cluster: ["metadata": ["name": 5], "spec": ["instances": "three"],
                                          "status": ["conditions": "Ready", "readyInstances": "all", "phase": ["x"]]])
        #expect(odd?.ready == false && odd?.check.reason == "ClusterNotReady")
        let many: JSONValue = .array((0..<10_000).map { _ in ["type": "Ready", "status": "False"] } + [["type": "Ready", "status": "True"]])
        #expect(ClusterHealth(cluster: ["status": ["conditions": many, "readyInstances": .int(Int64.max)]])?.ready == false,
                "the first Ready condition counts, as the API has one per type")
    }

    @Test func anOdooRestoreOfWrongTypesNamesEveryField() {
        let object: JSONValue = ["metadata": ["name": "r", "namespace": "demo"],
                                 "spec": ["environment": .string(String(repeating: "e", count: 10_000)), "mode": 3,
                                          "source": ["namespace": "Other_NS", "backup": ["latest"], "targetTime": 12]]]
        do {
            _ = try OdooRestore.decode(object)
            Issue.record("accepted")
        } catch {
            let paths = Set(error.fieldErrors.map(\.path.description))
            #expect(paths.isSuperset(of: ["spec.environment", "spec.mode", "spec.source.namespace", "spec.source.backup", "spec.source.targetTime"]), "\(paths)")
            #expect(error.fieldErrors.allSatisfy { $0.message.count < 400 }, "no echo of a 10,000-character name")
        }
    }
}
