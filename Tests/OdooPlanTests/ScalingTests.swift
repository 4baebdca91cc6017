import Foundation
import GuardCheck
import KubeModel
import OdooPlan
import TestSupport
import Testing

/// `spec.scaling`: how it is validated, the connection budget at the autoscaler's maximum, the
/// scheduled floors across clock changes, the planned HorizontalPodAutoscaler and who writes web's
/// replica count.
@Suite("Autoscaling within the connection budget")
struct ScalingTests {
    static func utc(_ text: String) -> Date { Timestamp.parse(text) ?? .distantPast }
    static let planner = OdooPlanner(configuration: Fixtures.configuration)

    static func environment(_ scaling: JSONValue, stage: String = "development", change: (inout JSONValue) -> Void = { _ in }) -> JSONValue {
        Fixtures.environment {
            $0.set(.string(stage), at: "spec.stage")
            $0.set(scaling, at: "spec.scaling")
            $0.set(["requests": ["cpu": "500m", "memory": "1Gi"]], at: "spec.resources")
            change(&$0)
        }
    }

    static let example = Fixtures.root.appendingPathComponent("examples/scaling/clinic-autoscaled.yaml")

    // MARK: validation

    @Test func aValidScalingDecodes() throws {
        let environment = try OdooEnvironment.decode(Self.environment([
            "minReplicas": 2, "maxReplicas": 5, "timeZone": "Europe/Berlin",
            "floors": [["schedule": "30 7 * * 1-5", "durationMinutes": 150, "minReplicas": 4]],
        ]))
        let scaling = try #require(environment.scaling)
        #expect(scaling.minReplicas == 2 && scaling.maxReplicas == 5 && scaling.cpuUtilization == Scaling.defaultCPUUtilization)
        #expect(scaling.clock.name == "Europe/Berlin" && scaling.floors.map(\.minReplicas) == [4])
        #expect(environment.maximumReplicas == 5)
        // Without its own zone the floors are read in the sleep schedule's.
        let zoned = try OdooEnvironment.decode(Self.environment(["minReplicas": 1, "maxReplicas": 2]) {
            $0.set(["timeZone": "America/New_York", "awake": [["schedule": "0 7 * * 1-5", "durationMinutes": 660]]], at: "spec.schedule")
        })
        #expect(zoned.scaling?.clock.name == "America/New_York")
    }

    static let invalid: [(description: String, stage: String, scaling: JSONValue, path: String, words: String)] = [
        ("minimum above maximum", "development", ["minReplicas": 4, "maxReplicas": 2], "spec.scaling.maxReplicas", "below minReplicas (4)"),
        ("one pod in production", "production", ["minReplicas": 1, "maxReplicas": 4], "spec.scaling.minReplicas", "production keeps at least two"),
        ("no maximum", "development", ["minReplicas": 1], "spec.scaling.maxReplicas", "connection budget is computed for it"),
        ("no minimum", "development", ["maxReplicas": 3], "spec.scaling.minReplicas", "is required"),
        ("a maximum past 50", "development", ["minReplicas": 1, "maxReplicas": 500], "spec.scaling.maxReplicas", "outside 1…50"),
        ("a utilisation of 100 %", "development", ["minReplicas": 1, "maxReplicas": 3, "cpuUtilization": 100], "spec.scaling.cpuUtilization", "outside 10…95"),
        ("an unknown zone", "development", ["minReplicas": 1, "maxReplicas": 3, "timeZone": "Berlin"], "spec.scaling.timeZone", "IANA time zone"),
        ("an unknown field", "development", ["minReplicas": 1, "maxReplicas": 3, "targetCPU": 50], "spec.scaling.targetCPU", "unknown field"),
        ("a floor above the maximum", "development",
         ["minReplicas": 1, "maxReplicas": 3, "floors": [["schedule": "0 7 * * *", "durationMinutes": 60, "minReplicas": 5]]],
         "spec.scaling.floors[0].minReplicas", "above maxReplicas (3)"),
        ("a floor that raises nothing", "development",
         ["minReplicas": 2, "maxReplicas": 3, "floors": [["schedule": "0 7 * * *", "durationMinutes": 60, "minReplicas": 2]]],
         "spec.scaling.floors[0].minReplicas", "only raises the minimum"),
        ("a floor without a duration", "development",
         ["minReplicas": 1, "maxReplicas": 3, "floors": [["schedule": "0 7 * * *", "minReplicas": 2]]],
         "spec.scaling.floors[0].durationMinutes", "how long the floor holds"),
        ("a floor of two days", "development",
         ["minReplicas": 1, "maxReplicas": 3, "floors": [["schedule": "0 7 * * *", "durationMinutes": 2880, "minReplicas": 2]]],
         "spec.scaling.floors[0].durationMinutes", "outside 1…1440"),
        ("a floor with a bad schedule", "development",
         ["minReplicas": 1, "maxReplicas": 3, "floors": [["schedule": "at seven", "durationMinutes": 60, "minReplicas": 2]]],
         "spec.scaling.floors[0].schedule", "weekdays at 07:30"),
        ("a floor without a minimum", "development",
         ["minReplicas": 1, "maxReplicas": 3, "floors": [["schedule": "0 7 * * *", "durationMinutes": 60]]],
         "spec.scaling.floors[0].minReplicas", "is required"),
        ("21 floors", "development",
         ["minReplicas": 1, "maxReplicas": 3, "floors": .array(Array(repeating: ["schedule": "0 7 * * *", "durationMinutes": 60, "minReplicas": 2], count: 21))],
         "spec.scaling.floors", "at most 20"),
    ]

    @Test("invalid scaling names its field", arguments: 0..<invalid.count)
    func invalidScaling(_ index: Int) {
        let example = Self.invalid[index]
        do {
            _ = try OdooEnvironment.decode(Self.environment(example.scaling, stage: example.stage))
            Issue.record("\(example.description) was accepted")
        } catch {
            let match = error.fieldErrors.first { $0.path.description == example.path }
            #expect(match?.message.contains(example.words) == true, "\(example.description): \(error.fieldErrors)")
        }
    }

    /// What the operator writes (spec and status) is in the CRD's structural schema, so the API server
    /// keeps it: a field it does not know would be pruned, and the webhook would never see the budget.
    @Test func theCRDKeepsScalingJobsAndTheBudget() throws {
        let environment = Self.environment(["minReplicas": 1, "maxReplicas": 2, "cpuUtilization": 60, "timeZone": "Europe/Berlin",
                                            "floors": [["schedule": "30 7 * * 1-5", "durationMinutes": 150, "minReplicas": 2]]]) {
            $0.set(["workers": 2, "channels": "root:2"], at: "spec.jobs")
            $0.set(.int(2), at: "spec.workers")
        }
        let desired = try Self.planner.plan(try OdooEnvironment.decode(environment), now: Self.utc("2026-12-07T07:00:00Z"))
        let scaling = try #require(try OdooEnvironment.decode(environment).scaling)
        var object = environment
        object.set(["connectionBudget": try #require(desired.connectionRecord).json,
                    "scaling": ScalingStatus(scaling, minimum: scaling.minimum(at: Self.utc("2026-12-07T07:00:00Z")), live: 3, asleep: false).json], at: "status")
        #expect(object["status"]?["scaling"]?["floor"]?.stringValue?.hasSuffix("until 2026-12-07 10:00 Europe/Berlin") == true)
        #expect(object["status"]?["connectionBudget"]?["queue"] == 11)
        let errors = try ValidationTests.schema().validate(object)
        #expect(errors.isEmpty, "\(errors)")
    }

    /// The CPU target needs a CPU request to be a percentage of.
    @Test func scalingOnCPUNeedsACPURequest() throws {
        let environment = try OdooEnvironment.decode(Self.environment(["minReplicas": 1, "maxReplicas": 2]) { $0.set(["requests": ["memory": "1Gi"]], at: "spec.resources") })
        var configuration = Fixtures.configuration
        for tier in OdooEnvironment.Tier.allCases { configuration.tiers[tier]?.container.defaultRequests.removeValue(forKey: "cpu") }
        let error = try #require(throws: OdooPlanError.self) { try OdooPlanner(configuration: configuration).plan(environment) }
        #expect(error.fieldErrors.contains { $0.path.description == "spec.scaling.cpuUtilization" && $0.message.contains("spec.resources.requests.cpu") }, "\(error.fieldErrors)")
    }
}
