import Foundation
import Testing
import GuardCheck
import GuardRules
import KubeModel
import TestSupport

@Suite("guardctl check")
struct CheckCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let examples = root.appendingPathComponent("examples").path
    static let now = "2026-11-21T12:00:00Z"

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("guardctl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes `text` to a file in a new temporary directory, runs `body` with it, then removes the directory.
    static func withFile<T>(_ text: String, named name: String = "input.yaml", _ body: (URL) throws -> T) throws -> T {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: file)
        return try body(file)
    }

    @Test func theExamplesAreJudgedAsDocumented() throws {
        var options = CheckCommand.Options(paths: [Self.examples], format: .json, now: Self.now)
        options.skipNonKubernetes = true  // examples/routing holds guard-traefik's RoutingSpec
        let outcome = CheckCommand.run(options)
        #expect(outcome.exitCode == 1, "non-compliant examples are denied")
        #expect(outcome.standardError.contains("examples/routing/legacy-routing.yaml: document 1 (line 1): not a Kubernetes object"), "\(outcome.standardError)")
        let results = try #require(JSONParser.parse(outcome.standardOutput).arrayValue)
        for result in results {
            let file = result["file"]?.stringValue ?? ""
            let allowed = result["allowed"]?.boolValue
            #expect(allowed == !file.contains("/noncompliant/"), "\(file)#\(result["document"] ?? .null): \(result["violations"] ?? .null)")
            for key in ["file", "document", "apiVersion", "kind", "namespace", "name", "allowed", "violations", "warnings", "patch"] {
                #expect(result[key] != nil, "\(key) missing")
            }
        }
        let insecure = try #require(results.first { $0["name"] == "legacy-web" })
        let rules: Set<String> = Set(insecure["violations"]?.arrayValue?.compactMap { $0["rule"]?.stringValue } ?? [])
        #expect(rules == ["image.registry-allowed", "image.no-latest", "image.digest-pinned", "resources.maximum", "secrets.no-literal-credentials",
                          "podsecurity.capabilities", "podsecurity.seccomp", "podsecurity.allow-privilege-escalation", "podsecurity.run-as-non-root"])
        #expect(insecure["exempted"]?.arrayValue?.first?["rule"] == "pdb.required", "the example GuardException waives pdb.required")
        // The restores: a refresh of production and a copy across tenants, each by its own rule.
        for (name, rule) in [("refresh-production", "restore.masked-refresh"), ("copy-from-clinic", "restore.cross-namespace")] {
            let denied = try #require(results.first { $0["name"]?.stringValue == name })
            let rules = Set(denied["violations"]?.arrayValue?.compactMap { $0["rule"]?.stringValue } ?? [])
            #expect(rules == [rule], "\(name): \(rules)")
        }
        let web = try #require(results.first { $0["name"] == "clinic-web" && $0["kind"] == "Deployment" })
        #expect(web["patch"]?.arrayValue?.isEmpty == false, "the patch the mutating webhook would apply")
    }

    @Test func exceptionsExpireWithTheClock() throws {
        // The example's expiresIn counts from the check; a stored exception carries its expiresAt.
        let example = try String(contentsOfFile: Self.examples + "/exceptions/legacy-web.yaml", encoding: .utf8)
        #expect(example.contains("expiresIn: 30d"))
        let stored = example.replacingOccurrences(of: "expiresIn: 30d", with: "expiresAt: \"2026-12-31T23:59:59Z\"")
        let outcome = try Self.withFile(stored) { file in
            CheckCommand.run(.init(paths: [Self.examples + "/noncompliant/odoo-web-insecure.yaml", file.path], format: .json, now: "2027-01-01T00:00:00Z"))
        }
        let results = try #require(JSONParser.parse(outcome.standardOutput).arrayValue)
        let insecure = try #require(results.first { $0["name"] == "legacy-web" })
        #expect(insecure["violations"]?.arrayValue?.contains { $0["rule"] == "pdb.required" } == true)
        #expect(insecure["warnings"]?.arrayValue?.contains { $0.stringValue?.contains("expired") == true } == true)
    }

    @Test func compliantExamplesExitZero() {
        let outcome = CheckCommand.run(.init(paths: [Self.examples + "/compliant", Self.examples + "/namespaces.yaml"], now: Self.now))
        #expect(outcome.exitCode == 0, "\(outcome.standardOutput)")
        #expect(outcome.standardOutput.contains("0 denied"))
    }

    @Test func brokenDocumentsAreNamedAndTheRestStillChecked() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("mixed.yaml")
        try Data("""
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: ok, namespace: dev}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: broken
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: bad, namespace: dev}
        spec:
          template:
            spec:
              containers: [{name: a, image: "x:latest"}]
        """.utf8).write(to: file)
        let outcome = CheckCommand.run(.init(paths: [directory.path], format: .json, now: Self.now))
        #expect(outcome.exitCode == 2)
        let results = try #require(JSONParser.parse(outcome.standardOutput).arrayValue)
        #expect(results.count == 3)
        #expect(results[0]["allowed"] == true)
        let error = try #require(results[1]["error"]?.stringValue)
        #expect(error.contains("document 2"))
        #expect(error.contains("line 7") || error.contains("line 8"), "\(error)")
        #expect(results[2]["allowed"] == false)
        let text = CheckCommand.run(.init(paths: [file.path], now: Self.now)).standardOutput
        #expect(text.contains("ERROR \(file.path)#2"))
    }

    @Test func standardInputAndStage() {
        let yaml = Array("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a, image: 'odoo:latest', resources: {limits: {cpu: 1, memory: 1Gi}}}]}\n".utf8)
        let production = CheckCommand.run(.init(paths: ["-"], now: Self.now), standardInput: { yaml })
        #expect(production.exitCode == 1, "unknown namespaces are checked as production offline")
        let development = CheckCommand.run(.init(paths: ["-"], stage: "development", now: Self.now), standardInput: { yaml })
        #expect(development.exitCode == 0)
        #expect(development.standardOutput.contains("warn  [image.no-latest]"))
    }

    @Test func usageErrorsExitTwo() throws {
        #expect(CheckCommand.run(.init(paths: ["/nonexistent/path"])).exitCode == 2)
        #expect(CheckCommand.run(.init(paths: [])).exitCode == 2)
        #expect(CheckCommand.run(.init(paths: [Self.examples], stage: "prod")).exitCode == 2)
        #expect(CheckCommand.run(.init(paths: [Self.examples], now: "tomorrow")).exitCode == 2)
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let policy = directory.appendingPathComponent("policy.yaml")
        try Data("apiVersion: odooguard.io/v1alpha1\nkind: GuardPolicy\nmetadata: {name: p}\nspec: {defaultMode: maybe, pdb: {minReplicas: 0}}\n".utf8).write(to: policy)
        let outcome = CheckCommand.run(.init(paths: [Self.examples], policyPath: policy.path))
        #expect(outcome.exitCode == 2)
        #expect(outcome.standardError.contains("spec.defaultMode"))
        #expect(outcome.standardError.contains("spec.pdb.minReplicas"))
        #expect(outcome.standardError.contains(policy.path))
    }

    @Test func jsonFilesAndLists() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let list = #"{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","namespace":"x"},"spec":{"securityContext":{"runAsNonRoot":true,"seccompProfile":{"type":"RuntimeDefault"}},"containers":[{"name":"c","image":"odoo:17.0@sha256:\#(String(repeating: "0", count: 64))","resources":{"limits":{"cpu":"1","memory":"1Gi"}},"securityContext":{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]}}}]}},{"apiVersion":"v1","kind":"Pod","metadata":{"name":"b","namespace":"x"},"spec":{"containers":[{"name":"c","image":"odoo"}]}}]}"#
        try Data(list.utf8).write(to: directory.appendingPathComponent("list.json"))
        let outcome = CheckCommand.run(.init(paths: [directory.path], format: .json, now: Self.now))
        let results = try #require(JSONParser.parse(outcome.standardOutput).arrayValue)
        #expect(results.map { $0["item"] ?? .null } == [1, 2])
        #expect(results.map { $0["allowed"] ?? .null } == [true, false])
        #expect(outcome.exitCode == 1)
    }

    @Test("every patch guardctl reports for the examples applies identically with Python's jsonpatch")
    func examplePatchesAgreeWithAnIndependentImplementation() throws {
        let checker = try OfflineChecker(policy: GuardPolicy.builtIn(), now: Timestamp.parse(Self.now) ?? Date())
        var sources: [OfflineChecker.Source] = []
        for case .file(let path) in try ManifestSource.expand([Self.examples]) {
            sources.append(.init(name: path, bytes: try ManifestSource.read(.file(path))))
        }
        let triples = checker.check(sources).compactMap { result -> PatchTriple? in
            guard let object = result.object, let decision = result.decision, !decision.patch.isEmpty else { return nil }
            return PatchTriple(document: object.raw, patch: decision.patch, expected: decision.mutatedObject ?? .null)
        }
        #expect(triples.count >= 3)
        let report = try PythonJSONPatch.check(triples)
        #expect(report.checked == triples.count)
        #expect(report.failures.isEmpty, "\(report.failures)")
    }
}

@Suite("Policy files")
struct PolicyFileTests {
    @Test func loadingAPolicyFileRepeatedly() throws {
        for _ in 0..<20 {
            let policy = try CheckCommand.loadPolicy(CheckCommandTests.examples + "/policies/default.yaml")
            #expect(policy.name == "default")
        }
    }

    @Test func validateReportsValidAndInvalidPolicies() {
        let valid = PolicyCommand.validate(CheckCommandTests.examples + "/policies/default.yaml")
        #expect(valid.exitCode == 0)
        #expect(valid.standardOutput.contains("valid (version default@"))
        let missing = PolicyCommand.validate("/nonexistent/policy.yaml")
        #expect(missing.exitCode == 2)
        #expect(missing.standardError.contains("/nonexistent/policy.yaml"))
        #expect(PolicyCommand.defaultPolicyText.contains("kind: GuardPolicy"))
    }

    @Test func maskingSQLFollowsThePolicy() throws {
        let embedded = PolicyCommand.maskingSQL(nil)
        #expect(embedded.exitCode == 0 && embedded.standardOutput.hasPrefix("-- odoo-guard data masking") && embedded.standardOutput.contains("COMMIT;"))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("masking-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func policy(_ masking: String) throws -> String {
            let path = directory.appendingPathComponent("\(UUID().uuidString.prefix(6)).yaml").path
            try Data("apiVersion: odooguard.io/v1alpha1\nkind: GuardPolicy\nmetadata: {name: p}\nspec: {dataMasking: \(masking)}\n".utf8).write(to: URL(fileURLWithPath: path))
            return path
        }
        let own = PolicyCommand.maskingSQL(try policy("{replaceDefaults: true, columns: [{table: patient, column: mrn, kind: identifier}]}"))
        #expect(own.exitCode == 0 && own.standardOutput.contains("('patient', 'mrn', 'identifier')") && !own.standardOutput.contains("res_partner"))
        let off = PolicyCommand.maskingSQL(try policy("{enabled: false}"))
        #expect(off.exitCode == 1 && off.standardOutput.isEmpty && off.standardError.contains("enabled is false"))
        let bad = PolicyCommand.maskingSQL(try policy("{columns: [{table: \"x; DROP\", column: a, kind: name}]}"))
        #expect(bad.exitCode == 2 && bad.standardError.contains("spec.dataMasking.columns[0].table"), "\(bad.standardError)")
    }
}
