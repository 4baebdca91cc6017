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
        let failures = try Fixtures.kubernetesValidate(core, versions: ["1.29.0", "1.32.0"])
        #expect(failures.isEmpty, "\(failures)")
    }

    /// `examples/schedules/` rendered asleep (a Saturday) and awake (a Wednesday morning): both pass the
    /// default policy strictly, and the sleeping page's objects are valid Kubernetes.
    /// A release among the inputs: its dry run, cohort by cohort, with the gates each environment
    /// waits on at `--now` (a Wednesday: the clinic's Sunday-night window is closed).
    @Test func aReleaseRendersItsDryRun() throws {
        var options = RenderCommand.Options(inputs: [Fixtures.root.appendingPathComponent("examples/releases/odoo-17-december.yaml").path,
                                                    Fixtures.environments.path])
        options.now = Timestamp.parse("2026-12-02T12:00:00Z")
        let outcome = RenderCommand.run(options)
        #expect(outcome.exitCode == 0, "\(outcome.standardError)")
        let text = String(decoding: outcome.standardOutput, as: UTF8.self)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("OdooRelease odoo-17-december: registry.example.com/odoo/odoo:17.0-20261201@sha256:") == true
                && lines.first?.hasSuffix("to 2 of 2 environments") == true, "\(text)")
        #expect(lines.filter { $0.hasPrefix("cohort ") }.map { $0.split(separator: ":")[0] } == ["cohort 1 canary", "cohort 2 pilots", "cohort 3 rest"], "\(text)")
        #expect(lines.filter { $0 == "  (no environment)" }.count == 2, "canary and pilots select neither example")
        let clinic = try #require(lines.firstIndex { $0.hasPrefix("  clinic-prod/clinic: image ") })
        #expect(lines[clinic + 1].contains("a ChangeApproval of change release/odoo-17-december")
                && lines[clinic + 1].contains("the maintenance window (0 2 * * 0 UTC, 120 minutes, next at 2026-12-06T02:00:00Z)")
                && lines[clinic + 1].contains("a backup younger than the 24 h RPO"), "\(lines[clinic + 1])")
        #expect(!lines[clinic + 1].contains("upgrade Job"), "the release keeps the clinic's own addons: no migration")
        let pharmacy = try #require(lines.firstIndex { $0.hasPrefix("  pharmacy-dev/pharmacy: image ") })
        #expect(lines[pharmacy + 1] == "    waits on: nothing; switches when its cohort starts")
        // An invalid release is refused with its fields, and nothing is printed.
        let directory = NSTemporaryDirectory() + "render-release-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data("apiVersion: odooguard.io/v1alpha1\nkind: OdooRelease\nmetadata: {name: r}\nspec: {image: odoo:17.0, cohorts: []}\n".utf8)
            .write(to: URL(fileURLWithPath: directory + "/bad.yaml"))
        let bad = RenderCommand.run(RenderCommand.Options(inputs: [directory + "/bad.yaml"]))
        #expect(bad.exitCode == 2 && bad.standardOutput.isEmpty && bad.standardError.contains("spec.image") && bad.standardError.contains("spec.cohorts"),
                "\(bad.standardError)")
    }

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
        let failures = try Fixtures.kubernetesValidate(core)
        #expect(failures.isEmpty, "\(failures)")
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
