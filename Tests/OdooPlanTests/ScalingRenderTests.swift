import Foundation
import GuardCheck
import KubeModel
import OdooPlan
import TestSupport
import Testing

/// The autoscaled example rendered: its golden file, valid Kubernetes (`kubernetes-validate --strict`),
/// the default policy's verdict, and the autoscaler as sleeping, restoring and waking change it.
@Suite("Autoscaling renders")
struct ScalingRenderTests {
    static func render(_ now: String) -> RenderCommand.Outcome {
        var options = RenderCommand.Options(inputs: [ScalingTests.example.path])
        options.now = Timestamp.parse(now)
        return RenderCommand.run(options)
    }

    static func objects(_ outcome: RenderCommand.Outcome) -> [JSONValue] {
        ManifestReader.read(outcome.standardOutput).compactMap { try? $0.result.get() }
    }

    /// Monday 08:00 in Berlin: the morning floor holds, the autoscaler's minimum is 4.
    @Test func theExampleMatchesItsGoldenFile() throws {
        let outcome = Self.render("2026-12-07T07:00:00Z")
        #expect(outcome.exitCode == 0, "\(outcome.standardError)")
        let url = Fixtures.golden.appendingPathComponent("clinic-autoscaled.yaml")
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" { try Data(outcome.standardOutput).write(to: url) }
        let expected = try #require(FileManager.default.contents(atPath: url.path), "missing clinic-autoscaled.yaml; run with UPDATE_GOLDEN=1")
        #expect(String(decoding: outcome.standardOutput, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
    }

    @Test func theAutoscalerFollowsTheFloorAndTheDeploymentLeavesItTheCount() throws {
        for (now, minimum) in [("2026-12-07T07:00:00Z", 4), ("2026-12-07T12:00:00Z", 2), ("2026-12-06T07:00:00Z", 2)] {
            let objects = Self.objects(Self.render(now))
            let hpa = try #require(objects.first { $0["kind"]?.stringValue == "HorizontalPodAutoscaler" }, "\(now)")
            #expect(hpa["spec"]?["minReplicas"]?.intValue == Int64(minimum) && hpa["spec"]?["maxReplicas"]?.intValue == 6, "\(now)")
            #expect(hpa["spec"]?["scaleTargetRef"]?["name"]?.stringValue == "clinic-web")
            let web = try #require(objects.first { $0["kind"]?.stringValue == "Deployment" && $0["metadata"]?["name"]?.stringValue == "clinic-web" })
            #expect(web["spec"]?["replicas"] == nil, "the autoscaler owns the count")
            let pdb = try #require(objects.first { $0["kind"]?.stringValue == "PodDisruptionBudget" })
            #expect(pdb["spec"]?["maxUnavailable"]?.intValue == 1, "with at least 2 pods, one may always be drained")
        }
    }

    @Test func everyRenderedObjectIsValidKubernetesAndPassesTheDefaultPolicy() throws {
        let outcome = Self.render("2026-12-07T07:00:00Z")
        let checked = CheckCommand.run(CheckCommand.Options(paths: ["-"], denyMutations: true), standardInput: { outcome.standardOutput })
        #expect(checked.exitCode == 0, "\(checked.standardOutput.split(separator: "\n").filter { $0.hasPrefix("DENY") })")
        let core = Self.objects(outcome).filter { !($0["apiVersion"]?.stringValue ?? "").hasPrefix("traefik.io/") }
        #expect(core.contains { $0["kind"]?.stringValue == "HorizontalPodAutoscaler" })
        let failures = try Fixtures.kubernetesValidate(core, versions: ["1.29.0", "1.32.0"])
        #expect(failures.isEmpty, "\(failures)")
    }

    /// Asleep and while a restore replaces the data, web runs no pods and has no autoscaler (it
    /// would scale web back up); the count is the operator's again.
    @Test func asleepOrRestoringTheAutoscalerIsGone() throws {
        let asleep = try ScalingPlanTests.decode(["minReplicas": 1, "maxReplicas": 3]) {
            $0.set(["timeZone": "Europe/Berlin", "awake": [["schedule": "0 7 * * 1-5", "durationMinutes": 660]]], at: "spec.schedule")
        }
        let restoring = try ScalingPlanTests.decode(["minReplicas": 1, "maxReplicas": 3]) {
            $0.set(["odooguard.io/restoring": "r1"], at: "metadata.annotations")
        }
        for (environment, now) in [(asleep, "2026-12-05T12:00:00Z"), (restoring, "2026-12-02T10:00:00Z")] {
            let desired = try ScalingTests.planner.plan(environment, now: ScalingTests.utc(now))
            #expect(!desired.objects.contains { $0["kind"]?.stringValue == "HorizontalPodAutoscaler" }, "\(environment.name)")
            #expect(desired.webReplicas == .fixed(0))
            let web = desired.objects.first { $0["kind"]?.stringValue == "Deployment" && $0["metadata"]?["name"]?.stringValue == "demo-web" }
            #expect(web?["spec"]?["replicas"]?.intValue == 0)
        }
        let awake = try ScalingTests.planner.plan(asleep, now: ScalingTests.utc("2026-12-02T10:00:00Z"))
        #expect(awake.webReplicas == .autoscaled(minimum: 1, maximum: 3))
        #expect(awake.objects.contains { $0["kind"]?.stringValue == "HorizontalPodAutoscaler" })
    }

    /// The count written apart from the Deployment: at creation the minimum, then only where the
    /// Deployment is applied (to keep the field when the operator's apply drops it) or the count is
    /// outside the autoscaler's range.
    static let writes: [(description: String, replicas: WebReplicas, live: Int64?, applying: Bool, write: Int?)] = [
        ("fixed: the Deployment carries it", .fixed(3), 3, true, nil),
        ("no Deployment yet: the minimum", .autoscaled(minimum: 2, maximum: 6), nil, true, 2),
        ("in range, nothing applied: the autoscaler's", .autoscaled(minimum: 2, maximum: 6), 5, false, nil),
        ("in range, the Deployment applied: kept as it is", .autoscaled(minimum: 2, maximum: 6), 5, true, 5),
        ("waking from 0: the minimum", .autoscaled(minimum: 2, maximum: 6), 0, false, 2),
        ("a floor opened: raised to it", .autoscaled(minimum: 4, maximum: 6), 2, false, 4),
        ("above a lowered maximum: down to it", .autoscaled(minimum: 2, maximum: 3), 6, false, 3),
    ]

    @Test("who writes web's replica count", arguments: 0..<writes.count)
    func replicaWrite(_ index: Int) {
        let example = Self.writes[index]
        #expect(example.replicas.separateWrite(live: example.live, applying: example.applying) == example.write, "\(example.description)")
    }
}
