import Crypto
import Foundation
import GuardRules
import KubeModel
import TestSupport
import Testing

/// The differential test of issue #37: every decision the evaluator makes on every example document,
/// every fuzz corpus review and manifest, and thousands of seeded variants of real workloads (fields set to values
/// of every type and meaning), rendered in full — verdict, every finding's rule, mode, path and
/// message, warnings, the JSON Patch and its rules, audit annotations — and compared with the
/// renderings the evaluator made before the single-pass reader replaced it
/// (`Golden/decisions.txt`, one SHA-256 per case or chunk of variants).
///
/// A difference names the case. `DECISIONS_DUMP=/path` writes every rendering in full, so the same
/// dump from the commit before a change shows exactly what changed; `UPDATE_GOLDEN=1` rewrites the
/// golden file after a deliberate change of a rule's meaning or wording.
@Suite struct DecisionCorpusTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/decisions.txt")

    @Test func everyDecisionIsTheOneRecorded() throws {
        let cases = try DecisionCorpus.cases(root: Self.root)
        #expect(cases.count > 180)
        var lines: [String] = []
        var dump = ""
        for (name, rendering) in cases {
            lines.append("\(name) \(SHA256.hash(data: Data(rendering.utf8)).map { String(format: "%02x", $0) }.joined())")
            dump += "=== \(name)\n\(rendering)\n"
        }
        if let path = ProcessInfo.processInfo.environment["DECISIONS_DUMP"] {
            try dump.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let text = lines.joined(separator: "\n") + "\n"
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: Self.golden.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: Self.golden, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: Self.golden, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(expected.count == lines.count, "the golden file has \(expected.count) cases, the corpus \(lines.count)")
        // By case name, so that a case added in the middle shows as itself, not as every case after it.
        func byName(_ lines: [String]) -> [String: String] {
            Dictionary(lines.map { line in (line.split(separator: " ").first.map(String.init) ?? line, line) }) { first, _ in first }
        }
        let recorded = byName(expected)
        let changed = byName(lines).filter { recorded[$0.key] != $0.value }.keys.sorted()
        #expect(changed.isEmpty, "decisions changed in \(changed.count) cases, first: \(changed.prefix(8).joined(separator: ", ")); compare DECISIONS_DUMP of this commit and the previous one")
    }

    /// Rules that judge what registries answered, which no case here looks up.
    static let needRegistries: Set<String> = ["image.digest-resolve", "image.signature-required", "image.scan-attested"]

    /// The variants reach every rule family the single-pass reader feeds, so the comparison above
    /// cannot pass by judging inputs no rule looks at.
    @Test func theVariantsReachTheRules() throws {
        let rendered = try DecisionCorpus.cases(root: Self.root).map(\.rendering).joined(separator: "\n")
        let missing = RuleID.all.map(\.rawValue).filter { rule in
            (rule.hasPrefix("podsecurity.") || rule.hasPrefix("resources.") || rule.hasPrefix("secrets.") || rule.hasPrefix("image.")
                || rule == "object.well-formed") && !Self.needRegistries.contains(rule) && !rendered.contains("[\(rule)]")
        }
        #expect(missing.isEmpty, "no case reaches \(missing)")
    }
}

/// The inputs and the rendering of ``DecisionCorpusTests``.
enum DecisionCorpus {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func cases(root: URL) throws -> [(name: String, rendering: String)] {
        let evaluator = GuardEvaluator(policy: Fixture.policy)
        var result: [(String, String)] = []
        let examples = try exampleDocuments(root: root)
        let peers = examples.map { KubeObject($0.value) } + [ownedSecret]
        for (name, document) in examples {
            for stage in ["production", "development"] {
                result.append(("example/\(name)/\(stage)", render(evaluator, document, stage: stage, peers: peers)))
            }
        }
        for path in try files(root.appendingPathComponent("fuzz/corpus/review")) {
            let json = try JSONParser.parse([UInt8](Data(contentsOf: path)))
            guard let request = try? AdmissionReview(json: json).request else { continue }
            for stage in ["production", "development"] {
                let context = EvaluationContext(namespace: NamespaceContext(name: request.namespace ?? "clinic", labels: [GuardLabels.stage: stage]),
                                                peers: peers, now: now)
                let rendering = [EvaluationPhase.combined, .validating].map { render(evaluator.evaluate(request, context: context, phase: $0)) }
                result.append(("review/\(path.lastPathComponent)/\(stage)", rendering.joined(separator: "\n--\n")))
            }
        }
        for path in try files(root.appendingPathComponent("fuzz/corpus/manifest")) {
            let documents = ManifestReader.read(try [UInt8](Data(contentsOf: path))).compactMap { try? $0.result.get() }
            for stage in ["production", "development"] {
                let rendering = documents.map { render(evaluator, $0, stage: stage, peers: peers) }
                result.append(("manifest/\(path.lastPathComponent)/\(stage)", rendering.joined(separator: "\n==\n")))
            }
        }
        let bases = examples.filter { PodTemplate.specPath(forKind: KubeObject($0.value).kind) != nil }
        var rng = SplitMix64(seed: 37)
        for chunk in 0..<75 {
            var text = ""
            for _ in 0..<40 {
                guard let base = bases.randomElement(using: &rng) else { break }
                let variant = DecisionVariants.variant(of: base.value, &rng)
                let stage = ["production", "development", "staging"].randomElement(using: &rng) ?? "production"
                text += render(evaluator, variant, stage: stage, peers: peers, old: Bool.random(using: &rng) ? base.value : nil) + "\n"
            }
            result.append(("variants/\(chunk)", text))
        }
        // Every place set to every value, one at a time, on a workload without a pod security context:
        // what a container sets alone decides, and no other change hides it.
        if let base = bases.first(where: { KubeObject($0.value).kind == "Deployment" })?.value {
            var bare = base
            bare.set(.null, at: FieldPath([.key("spec"), .key("template"), .key("spec"), .key("securityContext")]))
            for place in DecisionVariants.places {
                var text = ""
                for value in DecisionVariants.values {
                    text += render(evaluator, DecisionVariants.setting(place, to: value, in: bare, list: "containers", index: 0),
                                   stage: "production", peers: peers) + "\n"
                }
                result.append(("each/\(place)", text))
            }
        }
        return result
    }

    /// A Secret of another environment, so foreign references are judged.
    static let ownedSecret = KubeObject(["apiVersion": "v1", "kind": "Secret",
                                         "metadata": ["name": "other-db", "namespace": "clinic", "labels": [GuardLabels.environment: "other"]]])

    static func files(_ directory: URL) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { !$0.hasPrefix(".") }.sorted()
            .map { directory.appendingPathComponent($0) }
    }

    static func exampleDocuments(root: URL) throws -> [(name: String, value: JSONValue)] {
        var result: [(String, JSONValue)] = []
        let examples = root.appendingPathComponent("examples")
        guard let walker = FileManager.default.enumerator(atPath: examples.path) else { return [] }
        let paths = walker.compactMap { $0 as? String }.filter { $0.hasSuffix(".yaml") }.sorted()
        for path in paths {
            let bytes = try [UInt8](Data(contentsOf: examples.appendingPathComponent(path)))
            for (index, document) in ManifestReader.read(bytes).enumerated() {
                guard let value = try? document.result.get(), case .object = value else { continue }
                result.append(("\(path)#\(index)", value))
            }
        }
        return result
    }

    static func render(_ evaluator: GuardEvaluator, _ object: JSONValue, stage: String, peers: [KubeObject], old: JSONValue? = nil) -> String {
        let kube = KubeObject(object)
        let namespace = kube.namespace ?? "clinic"
        let request = AdmissionRequest(uid: "corpus", kind: GroupVersionKind(group: "", version: "v1", kind: kube.kind),
                                       resource: GroupVersionResource(group: "", version: "v1", resource: kube.kind.lowercased() + "s"),
                                       name: kube.name, namespace: namespace, operation: old == nil ? .create : .update,
                                       userInfo: UserInfo(username: "tenant@clinic", groups: ["clinic-devs"]), object: object, oldObject: old)
        let context = EvaluationContext(namespace: NamespaceContext(name: namespace, labels: [GuardLabels.stage: stage]), peers: peers, now: now)
        return [EvaluationPhase.combined, .validating].map { render(evaluator.evaluate(request, context: context, phase: $0)) }
            .joined(separator: "\n--\n")
    }

    static func render(_ decision: Decision) -> String {
        var lines = ["allowed: \(decision.allowed)"]
        lines += decision.violations.map { "\($0.mode) \($0)" }
        lines += decision.exempted.map { "exempted by \($0.by): \($0.violation)" }
        lines += decision.warnings.map { "warning: \($0)" }
        if !decision.patch.isEmpty { lines.append("patch \(decision.patchRules.map(\.rawValue)): \(decision.patch)") }
        lines += decision.auditAnnotations.sorted { $0.key < $1.key }.map { "audit \($0.key)=\($0.value)" }
        lines += decision.omittedViolations.sorted { $0.key.rawValue < $1.key.rawValue }.map { "omitted \($0.key): \($0.value)" }
        return lines.joined(separator: "\n")
    }
}
