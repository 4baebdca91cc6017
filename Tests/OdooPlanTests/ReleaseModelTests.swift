import Foundation
import KubeModel
import OdooPlan
import Testing

/// The OdooRelease: decoded with the CRD's defaults, refused field by field by the CRD schema and by
/// the decoder alike, and the migration classification that decides whether a failed change may be
/// rolled back by swapping images.
@Suite("OdooRelease model")
struct ReleaseModelTests {
    static let digest = "@sha256:" + String(repeating: "ab", count: 32)
    static let image = "registry.example.com/odoo/odoo:17.0" + digest

    static func release(_ change: (inout JSONValue) -> Void = { _ in }) -> JSONValue {
        var object: JSONValue = [
            "apiVersion": "odooguard.io/v1alpha1", "kind": "OdooRelease",
            "metadata": ["name": "odoo-17-0-2026-12", "uid": "r-1", "generation": 2, "creationTimestamp": "2026-12-01T08:00:00Z"],
            "spec": ["image": .string(image),
                     "cohorts": [["name": "canary", "selector": ["matchLabels": ["odooguard.io/cohort": "canary"]], "soakMinutes": 30],
                                 ["name": "wave-1", "selector": ["matchLabels": ["odooguard.io/cohort": "wave-1"]], "maxConcurrent": 3, "failureBudget": 1],
                                 ["name": "rest", "selector": [:]]]],
        ]
        change(&object)
        return object
    }

    static func schema() throws -> SchemaValidator {
        let text = try String(contentsOf: Fixtures.root.appendingPathComponent("crds/odooguard.io_odooreleases.yaml"), encoding: .utf8)
        return try #require(SchemaValidator(crd: try ManifestReader.parseSingle(yaml: text)))
    }

    @Test func decodesWithTheCRDsDefaults() throws {
        let release = try OdooRelease.decode(Self.release())
        #expect(release.name == "odoo-17-0-2026-12" && release.image == Self.image && release.addons == nil)
        #expect(release.cohorts.map(\.name) == ["canary", "wave-1", "rest"])
        #expect(release.cohorts.map(\.maxConcurrent) == [1, 3, 1] && release.cohorts.map(\.failureBudget) == [0, 1, 0])
        #expect(release.cohorts.map(\.soakMinutes) == [30, 60, 60] && release.verificationMinutes == 10 && !release.paused)
        #expect(release.changeReference == "release/odoo-17-0-2026-12")
        #expect(release.created == Timestamp.parse("2026-12-01T08:00:00Z"))
        // The first matching cohort holds an environment; {} holds the rest.
        #expect(release.cohort(of: ["odooguard.io/cohort": "wave-1"])?.name == "wave-1")
        #expect(release.cohort(of: ["team": "x"])?.name == "rest")
        #expect(try Self.schema().validate(Self.release()).isEmpty)
    }

    @Test func theExampleReleaseDecodesAndValidates() throws {
        let text = try String(contentsOf: Fixtures.root.appendingPathComponent("examples/releases/odoo-17-december.yaml"), encoding: .utf8)
        let object = try ManifestReader.parseSingle(yaml: text)
        #expect(try Self.schema().validate(object).isEmpty)
        let release = try OdooRelease.decode(object)
        #expect(release.cohorts.map(\.name) == ["canary", "pilots", "rest"] && release.cohorts[1].failureBudget == 1)
    }

    typealias Refusal = ValidationTests.Refusal

    static let refusals: [Refusal] = [
        Refusal("image by tag", "spec.image", "registry.example.com/odoo/odoo:17.0"),
        Refusal("no image", "spec.image", .null),
        Refusal("no cohorts", "spec.cohorts", []),
        Refusal("cohorts not a list", "spec.cohorts", "canary"),
        Refusal("cohort without a selector", "spec.cohorts", [["name": "canary"]], expected: FieldPath("spec.cohorts") / 0 / "selector"),
        Refusal("cohort name not a label", "spec.cohorts", [["name": "Canary!", "selector": [:]]], expected: FieldPath("spec.cohorts") / 0 / "name"),
        Refusal("no one at a time", "spec.cohorts", [["name": "a", "selector": [:], "maxConcurrent": 0]], expected: FieldPath("spec.cohorts") / 0 / "maxConcurrent"),
        Refusal("negative budget", "spec.cohorts", [["name": "a", "selector": [:], "failureBudget": -1]], expected: FieldPath("spec.cohorts") / 0 / "failureBudget"),
        Refusal("soak over a week", "spec.cohorts", [["name": "a", "selector": [:], "soakMinutes": 10_081]], expected: FieldPath("spec.cohorts") / 0 / "soakMinutes"),
        Refusal("unknown selector operator", "spec.cohorts", [["name": "a", "selector": ["matchExpressions": [["key": "k", "operator": "Near"]]]]],
                expected: FieldPath("spec.cohorts") / 0 / "selector"),
        Refusal("addon by tag", "spec.addons", [["image": "registry.example.com/addons:1"]], expected: FieldPath("spec.addons") / 0 / "image"),
        Refusal("verification of zero minutes", "spec.verificationMinutes", 0),
        Refusal("paused not a bool", "spec.paused", "yes"),
        Refusal("unknown field", "spec.surprise", true),
        Refusal("cohort names twice", "spec.cohorts", [["name": "a", "selector": [:]], ["name": "a", "selector": [:]]],
                expected: FieldPath("spec.cohorts") / 1 / "name", cel: "self.all(c, self.exists_one(d, d.name == c.name))"),
        Refusal("name too long", "metadata.name", .string(String(repeating: "r", count: 48)),
                cel: "self.metadata.name.size() <= 47 && self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')"),
    ]

    @Test("refused by the CRD schema and by the decoder, naming the field", arguments: refusals)
    func refused(_ refusal: Refusal) throws {
        let object = Self.release { $0.set(refusal.value, at: refusal.at) }
        let error = try #require(throws: OdooPlanError.self) { try OdooRelease.decode(object) }
        #expect(error == .invalidRelease)
        try ValidationTests.check(refusal, object: object, crd: "crds/odooguard.io_odooreleases.yaml", decoderErrors: error.fieldErrors)
    }

    @Test func everyProblemIsReportedAtOnce() throws {
        let object = Self.release { object in
            object.set("odoo:17.0", at: "spec.image")
            object.set(0, at: "spec.verificationMinutes")
            object.set([["name": "a", "selector": [:], "maxConcurrent": 0], ["name": "a"]], at: "spec.cohorts")
        }
        let error = try #require(throws: OdooPlanError.self) { try OdooRelease.decode(object) }
        #expect(Set(error.fieldErrors.map(\.path.description)) == ["spec.image", "spec.verificationMinutes", "spec.cohorts[0].maxConcurrent",
                                                                   "spec.cohorts[1].name", "spec.cohorts[1].selector"], "\(error.fieldErrors)")
    }

    /// Absurd values are field errors, never an overflow or a hang: Int64 extremes, 10,000 cohorts,
    /// 10,000 addons, wrong JSON types everywhere.
    @Test func absurdValuesAreRefusedByName() throws {
        let object = Self.release { object in
            object.set(.int(Int64.max), at: "spec.verificationMinutes")
            object.set(.array(Array(repeating: ["name": "a", "selector": [:]], count: 10_000)), at: "spec.cohorts")
            object.set(.array(Array(repeating: ["image": .string(Self.image)], count: 10_000)), at: "spec.addons")
            object.set(["not": "a bool"], at: "spec.paused")
        }
        let error = try #require(throws: OdooPlanError.self) { try OdooRelease.decode(object) }
        #expect(Set(error.fieldErrors.map(\.path.description)) == ["spec.verificationMinutes", "spec.cohorts", "spec.addons", "spec.paused"], "\(error.fieldErrors)")
        let extremes = Self.release { object in
            object.set([["name": "a", "selector": [:], "maxConcurrent": .int(Int64.min), "failureBudget": .int(Int64.max), "soakMinutes": 1.5e300]],
                       at: "spec.cohorts")
            object.set(7, at: "spec.image")
        }
        let typed = try #require(throws: OdooPlanError.self) { try OdooRelease.decode(extremes) }
        #expect(Set(typed.fieldErrors.map(\.path.description)) == ["spec.cohorts[0].maxConcurrent", "spec.cohorts[0].failureBudget",
                                                                    "spec.cohorts[0].soakMinutes", "spec.image"], "\(typed.fieldErrors)")
    }

    // MARK: Migration

    static let addonA = OdooEnvironment.Addon(image: "registry.example.com/addons/a" + digest)
    static let addonB = OdooEnvironment.Addon(image: "registry.example.com/addons/b" + digest)

    /// (name, before, after, upgrade Job phase, migrated)
    static let migrations: [(String, ChangeGate.Running, ChangeGate.Running, JobView.Phase?, Bool)] = [
        ("a rebuilt image of the same version", .init(image: "odoo@1", version: "17.0"), .init(image: "odoo@2", version: "17.0"), nil, false),
        ("a minor version within the major", .init(image: "odoo@1", version: "17.0"), .init(image: "odoo@2", version: "17.2"), nil, false),
        ("a major upgrade", .init(image: "odoo@1", version: "16.0"), .init(image: "odoo@2", version: "17.0"), .succeeded, true),
        ("a major upgrade whose Job is gone", .init(image: "odoo@1", version: "16.0"), .init(image: "odoo@2", version: "17.0"), nil, true),
        ("new addons, upgrade succeeded", .init(image: "odoo@1", version: "17.0", addons: [addonA]),
         .init(image: "odoo@1", version: "17.0", addons: [addonA, addonB]), .succeeded, true),
        ("new addons, upgrade failed part-way", .init(image: "odoo@1", version: "17.0", addons: [addonA]),
         .init(image: "odoo@1", version: "17.0", addons: [addonB]), .failed, true),
        ("new addons, upgrade still running", .init(image: "odoo@1", version: "17.0"), .init(image: "odoo@1", version: "17.0", addons: [addonA]), .running, true),
        ("new addons, no Job record", .init(image: "odoo@1", version: "17.0"), .init(image: "odoo@1", version: "17.0", addons: [addonA]), nil, true),
        ("same addons, new image", .init(image: "odoo@1", version: "17.0", addons: [addonA]), .init(image: "odoo@2", version: "17.0", addons: [addonA]), nil, false),
        ("an unreadable version on one side", .init(image: "odoo@1", version: "master"), .init(image: "odoo@2", version: "17.0"), nil, true),
    ]

    @Test("which changes migrate the database", arguments: migrations.indices)
    func migration(_ index: Int) {
        let (name, before, after, phase, migrated) = Self.migrations[index]
        let result = DatabaseMigration.classify(from: before, to: after, upgradeJob: phase.map { ChangeGate.JobState(phase: $0) })
        #expect(result.migrated == migrated, "\(name): \(result)")
    }
}

/// The synthetic check's verdict on what `/web/login` answered.
@Suite("Login check")
struct LoginCheckTests {
    static let form = #"<form class="oe_login_form" role="form" action="/web/login" method="post"><input type="text" name="login"/></form>"#

    /// (name, status, Location, body, serving)
    static let answers: [(String, Int, String?, String, Bool)] = [
        ("Odoo's login form", 200, nil, form, true),
        ("the sleeping page", 200, nil, "<html><meta http-equiv=\"refresh\" content=\"60\"><body>Sleeping until 07:00</body></html>", false),
        ("a form without the login field", 200, nil, #"<form class="oe_login_form"></form>"#, false),
        ("an empty 200", 200, nil, "", false),
        ("the database selector", 303, "/web/database/selector", "", false),
        ("a server error", 500, nil, "Internal Server Error", false),
        ("a gateway without Odoo behind it", 502, nil, "Bad Gateway", false),
    ]

    @Test("what counts as Odoo serving its login page", arguments: answers.indices)
    func classify(_ index: Int) {
        let (name, status, location, body, serving) = Self.answers[index]
        let result = LoginCheck.classify(status: status, location: location, body: Array(body.utf8))
        #expect((result == .serving) == serving, "\(name): \(result)")
        if !serving { #expect(result.failure?.contains("/web/login answered") == true, "\(name): \(result)") }
    }
}
