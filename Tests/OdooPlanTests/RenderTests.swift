import Foundation
import GuardCheck
import KubeModel
import OdooPlan
import TestSupport
import Testing

/// `guardctl render`: golden files, and every rendered object valid for Kubernetes
/// (`kubernetes-validate --strict`) and for Traefik's CRD schemas.
/// `UPDATE_GOLDEN=1 swift test --filter RenderTests` rewrites the golden files; review the diff.
@Suite("guardctl render")
struct RenderTests {
    static func render(_ file: String) -> RenderCommand.Outcome {
        RenderCommand.run(RenderCommand.Options(inputs: [Fixtures.environments.appendingPathComponent(file).path]))
    }

    @Test("rendered plans match the golden files", arguments: ["clinic-production.yaml", "pharmacy-development.yaml"])
    func golden(_ file: String) throws {
        let outcome = Self.render(file)
        #expect(outcome.exitCode == 0, "\(outcome.standardError)")
        let url = Fixtures.golden.appendingPathComponent(file)
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try Data(outcome.standardOutput).write(to: url)
        }
        let expected = try #require(FileManager.default.contents(atPath: url.path), "missing \(file); run with UPDATE_GOLDEN=1")
        #expect(String(decoding: outcome.standardOutput, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
    }

    /// The operator's own plan passes the project's own gate with the default policy: every tool
    /// image is pinned, and so is every Job the operator may start.
    @Test func theRenderedPlanPassesTheDefaultPolicy() {
        let rendered = RenderCommand.run(RenderCommand.Options(inputs: [Fixtures.environments.path]))
        #expect(rendered.exitCode == 0)
        let checked = CheckCommand.run(CheckCommand.Options(paths: ["-"]), standardInput: { rendered.standardOutput })
        #expect(checked.exitCode == 0, "\(checked.standardOutput.split(separator: "\n").filter { $0.hasPrefix("DENY") })")
        let text = String(decoding: rendered.standardOutput, as: UTF8.self)
        #expect(text.contains("kind: Job") && text.contains("clinic-init-"), "the init Job is part of what is checked")
    }

    @Test func renderedObjectsAreValidKubernetes() throws {
        let outcome = RenderCommand.run(RenderCommand.Options(inputs: [Fixtures.environments.path]))
        #expect(outcome.exitCode == 0)
        let objects = ManifestReader.read(outcome.standardOutput).compactMap { try? $0.result.get() }
        let core = objects.filter { !($0["apiVersion"]?.stringValue ?? "").hasPrefix("traefik.io/") }
        #expect(core.count >= 25)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("render-\(UUID().uuidString).yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(YAMLEmitter.stream(core)).write(to: file)
        for version in ["1.29.0", "1.32.0"] {
            let (status, output) = try Subprocess.run(ExecutablePath.onPath("kubernetes-validate"), ["--strict", "--quiet", "-k", version, file.path])
            #expect(status == 0, "kubernetes \(version): \(output)")
        }
    }

    /// `examples/schedules/` rendered asleep (a Saturday) and awake (a Wednesday morning): both pass the
    /// default policy strictly, and the sleeping page's objects are valid Kubernetes.
    @Test func aScheduleRendersAsleepAndAwake() throws {
        let directory = Fixtures.examples.appendingPathComponent("schedules").path
        func render(_ now: String) -> RenderCommand.Outcome {
            var options = RenderCommand.Options(inputs: [directory])
            options.now = Timestamp.parse(now)
            return RenderCommand.run(options)
        }
        let asleep = render("2026-12-05T12:00:00Z"), awake = render("2026-12-02T10:00:00Z")
        #expect(asleep.exitCode == 0 && awake.exitCode == 0, "\(asleep.standardError) \(awake.standardError)")
        #expect(String(decoding: asleep.standardOutput, as: UTF8.self).contains("name: pharmacy-sleeping"))
        #expect(!String(decoding: awake.standardOutput, as: UTF8.self).contains("pharmacy-sleeping"))
        for rendered in [asleep, awake] {
            let checked = CheckCommand.run(CheckCommand.Options(paths: ["-"], denyMutations: true), standardInput: { rendered.standardOutput })
            #expect(checked.exitCode == 0, "\(checked.standardOutput.split(separator: "\n").filter { $0.hasPrefix("DENY") })")
        }
        let core = ManifestReader.read(asleep.standardOutput).compactMap { try? $0.result.get() }
            .filter { ($0["metadata"]?["name"]?.stringValue ?? "").hasSuffix("-sleeping") }
        #expect(core.count == 3)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("render-sleeping-\(UUID().uuidString).yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(YAMLEmitter.stream(core)).write(to: file)
        let (status, output) = try Subprocess.run(ExecutablePath.onPath("kubernetes-validate"), ["--strict", "--quiet", "-k", "1.32.0", file.path])
        #expect(status == 0, "\(output)")
    }

    @Test(.enabled(if: Fixtures.hasTraefikReference, "../shared/reference/traefik-crds is not beside this clone"))
    func traefikObjectsMatchTheirCRDs() throws {
        var validators: [String: SchemaValidator] = [:]
        for file in try FileManager.default.contentsOfDirectory(atPath: Fixtures.traefikReference.path) where file.hasSuffix(".yaml") {
            let crd = try ManifestReader.parseSingle(yaml: try String(contentsOf: Fixtures.traefikReference.appendingPathComponent(file), encoding: .utf8))
            if let kind = crd["spec"]?["names"]?["kind"]?.stringValue { validators[kind] = SchemaValidator(crd: crd, version: "v1alpha1") }
        }
        let outcome = RenderCommand.run(RenderCommand.Options(inputs: [Fixtures.environments.path]))
        var checked = 0
        for document in ManifestReader.read(outcome.standardOutput) {
            let object = try document.result.get()
            guard object["apiVersion"]?.stringValue == "traefik.io/v1alpha1", let kind = object["kind"]?.stringValue else { continue }
            let validator = try #require(validators[kind], "no CRD for \(kind)")
            #expect(validator.validate(object).isEmpty, "\(kind) \(object["metadata"]?["name"] ?? .null): \(validator.validate(object))")
            checked += 1
        }
        #expect(checked >= 20)
    }

    @Test func badInputIsReportedWithNothingPrinted() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("render-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = try String(contentsOf: Fixtures.environments.appendingPathComponent("pharmacy-development.yaml"), encoding: .utf8)
        try good.replacingOccurrences(of: "tier: shared", with: "tier: premium").write(to: directory.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
        try "tiers: {}\n".write(to: directory.appendingPathComponent("operator.yaml"), atomically: true, encoding: .utf8)
        let bad = RenderCommand.run(RenderCommand.Options(inputs: [directory.appendingPathComponent("a.yaml").path]))
        #expect(bad.exitCode == 2 && bad.standardOutput.isEmpty)
        #expect(bad.standardError.contains("spec.tier") && bad.standardError.contains("premium"))
        let badConfig = RenderCommand.run(RenderCommand.Options(inputs: [Fixtures.environments.path],
                                                                configurationPath: directory.appendingPathComponent("operator.yaml").path))
        #expect(badConfig.exitCode == 2 && badConfig.standardError.contains("tiers.shared"))
    }
}
