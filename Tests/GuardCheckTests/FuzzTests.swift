import Foundation
import Testing
import GuardCheck
import GuardRules
import KubeModel
import TestSupport

/// Bad input never crashes or hangs: every mutated document gets a decision or a clear error.
@Suite("Robustness against hostile input")
struct FuzzTests {
    static let now = Timestamp.parse("2026-11-21T12:00:00Z") ?? Date()

    /// The documents of every example manifest, as parsed values.
    static func seeds() throws -> [JSONValue] {
        let examples = CheckCommandTests.root.appendingPathComponent("examples")
        var values: [JSONValue] = []
        for case .file(let path) in try ManifestSource.expand([examples.path]) {
            let bytes = try ManifestSource.read(.file(path))
            for document in ManifestReader.read(bytes) { values.append(try document.result.get()) }
        }
        return values
    }

    /// Checks one outcome: parsed documents were decided, failures carry a message and a position.
    static func verify(_ results: [CheckResult], _ label: String) -> Bool {
        for result in results {
            if let error = result.error {
                guard !error.message.isEmpty, error.line != nil else {
                    Issue.record("\(label): error without message or line: \(error)")
                    return false
                }
            } else if result.decision == nil {
                Issue.record("\(label): neither decision nor error")
                return false
            }
        }
        return true
    }

    @Test("100,000 mutated documents each get a decision or a clear error")
    func mutatedDocuments() throws {
        let seeds = try Self.seeds()
        try #require(seeds.count >= 10)
        let policy = try GuardPolicy.builtIn()
        let checker = try OfflineChecker(policy: policy, now: Self.now)
        let evaluator = GuardEvaluator(policy: policy)
        let peers = seeds.map(KubeObject.init)
        var rng = SplitMix64(seed: 2026)
        var decided = 0
        var rejected = 0
        var emptied = 0  // mutations that leave only blanks or comments: an empty stream, nothing to decide
        let total = 100_000
        for iteration in 0..<total {
            let seed = seeds[iteration % seeds.count]
            switch iteration % 10 {
            case 0..<5:
                // Structural: wrong types and shapes anywhere (replicas: "two", containers: {}, ...).
                let mutated = Mutator.retype(seed, &rng)
                let object = KubeObject(mutated)
                let request = AdmissionRequest(uid: "fuzz-\(iteration)", kind: object.gvk,
                                               resource: GroupVersionResource(group: "", version: "v1", resource: "x"),
                                               namespace: object.namespace ?? "clinic-prod", operation: .create, object: mutated)
                let context = EvaluationContext(namespace: NamespaceContext(name: "clinic-prod", labels: [GuardLabels.stage: "production"]),
                                                peers: peers, now: Self.now)
                let decision = evaluator.evaluate(request, context: context)
                if !decision.patch.isEmpty, let target = decision.mutatedObject {
                    #expect(try decision.patch.apply(to: mutated) == target, "iteration \(iteration)")
                }
                decided += 1
            default:
                // Bytes: truncation, flipped and inserted bytes (invalid UTF-8 included), on JSON and YAML text.
                let asJSON = iteration % 10 < 8
                let text = asJSON ? seed.serializedBytes(.prettyPrinted) : Array(YAMLText.render(seed).utf8)
                let bytes = Mutator.bytes(text, &rng)
                let results = checker.check([.init(name: "fuzz-\(iteration)", bytes: bytes, format: asJSON ? .json : .yaml)])
                guard Self.verify(results, "iteration \(iteration)") else { return }
                if results.isEmpty {
                    emptied += 1
                    #expect(ManifestReader.read(bytes, format: .yaml).isEmpty, "iteration \(iteration): documents vanished")
                }
                for result in results { if result.error != nil { rejected += 1 } else { decided += 1 } }
            }
        }
        #expect(decided + rejected + emptied >= total)
        #expect(emptied < 1_000)
        #expect(rejected > 1_000, "the byte mutations must actually break documents")
        #expect(decided > 50_000)
    }

    @Test("extreme documents: 10,000-deep nesting, 20 MB strings, invalid UTF-8")
    func extremes() throws {
        let checker = try OfflineChecker(policy: GuardPolicy.builtIn(), now: Self.now)
        let deepJSON = Array((#"{"kind":"Pod","spec":"# + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "}").utf8)
        let deepYAML = Array(("kind: Pod\nspec: " + String(repeating: "{a: ", count: 10_000) + "1" + String(repeating: "}", count: 10_000)).utf8)
        var deepBlock = "kind: Pod\n"
        for depth in 0..<2_000 { deepBlock += String(repeating: " ", count: depth) + "k:\n" }
        let huge = String(repeating: "x", count: 20 << 20)
        let hugeJSON = Array(#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"n"},"spec":{"containers":[{"name":"c","image":"odoo:17","env":[{"name":"PASSWORD","value":"\#(huge)"}]}]}}"#.utf8)
        let hugeYAML = Array("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: n}\ndata:\n  odoo.conf: \"[options]\\n\(huge)\"\n".utf8)
        let invalidUTF8: [UInt8] = Array("kind: Pod\nmetadata:\n  name: ".utf8) + [0xC0, 0xAF, 0xED, 0xA0, 0x80] + [0x0A]
        let cases: [(String, [UInt8], ManifestReader.Format, Bool)] = [
            ("10,000-deep JSON", deepJSON, .json, false),
            ("10,000-deep flow YAML", deepYAML, .yaml, false),
            ("2,000-deep block YAML", Array(deepBlock.utf8), .yaml, false),
            ("20 MB string in JSON", hugeJSON, .json, true),
            ("20 MB string in YAML", hugeYAML, .yaml, true),
            ("invalid UTF-8", invalidUTF8, .yaml, false),
            ("empty input", [], .json, false),
        ]
        for (label, bytes, format, decides) in cases {
            let results = checker.check([.init(name: label, bytes: bytes, format: format)])
            #expect(Self.verify(results, label))
            #expect(results.count == 1, "\(label)")
            #expect((results.first?.decision != nil) == decides, "\(label): \(results.first?.error?.description ?? "decided")")
        }
        let literal = checker.check([.init(name: "huge", bytes: hugeJSON, format: .json)]).first?.decision
        #expect(literal?.violations.contains { $0.rule == .secretsNoLiteralCredentials && $0.message.count < 400 } == true)
    }
}

/// Mutations for the robustness test.
enum Mutator {
    static let strangeValues: [JSONValue] = [
        "two", "", .null, true, 1.5, .int(.max), .int(.min), -1, [], [:], ["nested": ["x": [1, "y"]]], "0x10", "1Ki", "100%",
        "postgres://u:p@h/d", "$(VAR)", ".*", "🩺", "a\u{0}b", [[[[]]]], ["selector": "everything"],
    ]

    /// Replaces up to three random nodes with values of the wrong type or shape.
    static func retype(_ value: JSONValue, _ rng: inout SplitMix64) -> JSONValue {
        var result = value
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            let paths = allPaths(result)
            guard let path = paths.randomElement(using: &rng), !path.components.isEmpty else { continue }
            result.set(strangeValues.randomElement(using: &rng) ?? .null, at: path)
        }
        return result
    }

    static func allPaths(_ value: JSONValue, prefix: FieldPath = .root, into paths: inout [FieldPath]) {
        paths.append(prefix)
        switch value {
        case .object(let object): for (key, child) in object { allPaths(child, prefix: prefix / key, into: &paths) }
        case .array(let array): for (i, child) in array.enumerated() { allPaths(child, prefix: prefix / i, into: &paths) }
        default: break
        }
    }

    static func allPaths(_ value: JSONValue) -> [FieldPath] {
        var paths: [FieldPath] = []
        allPaths(value, into: &paths)
        return paths
    }

    /// Truncates, flips, inserts or deletes bytes.
    static func bytes(_ input: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var bytes = input
        guard !bytes.isEmpty else { return bytes }
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            guard !bytes.isEmpty else { break }
            let position = Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: bytes.removeSubrange(position...)
            case 1: bytes[position] = UInt8.random(in: 0...255, using: &rng)
            case 2: bytes.insert(contentsOf: [0xFF, 0xC3, 0x28].shuffled(using: &rng), at: position)
            case 3: bytes.insert(contentsOf: Array("{[\"'-:#&*!|>%@`".utf8).shuffled(using: &rng).prefix(3), at: position)
            case 4: bytes.removeSubrange(position..<min(bytes.count, position + Int.random(in: 1...20, using: &rng)))
            default: bytes.insert(bytes[position], at: position)
            }
        }
        return bytes
    }
}

/// Renders a JSON value as block YAML (quoted scalars), so byte mutations hit YAML syntax.
enum YAMLText {
    static func render(_ value: JSONValue, indent: Int = 0) -> String {
        let pad = String(repeating: "  ", count: indent)
        switch value {
        case .object(let object) where !object.isEmpty:
            return object.map { key, child in
                let rendered = render(child, indent: indent + 1)
                return isBlock(child) ? "\(pad)\(JSONValue.string(key)):\n\(rendered)" : "\(pad)\(JSONValue.string(key)): \(rendered)"
            }.joined(separator: "\n")
        case .array(let array) where !array.isEmpty:
            return array.map { child in
                isBlock(child) ? "\(pad)-\n\(render(child, indent: indent + 1))" : "\(pad)- \(render(child, indent: indent + 1))"
            }.joined(separator: "\n")
        default:
            return value.serialized()
        }
    }

    static func isBlock(_ value: JSONValue) -> Bool {
        switch value {
        case .object(let o): return !o.isEmpty
        case .array(let a): return !a.isEmpty
        default: return false
        }
    }
}
