import AdmissionServer
import Foundation
import GuardCheck
import GuardRules
import KubeModel
import Testing
import TestSupport

/// The webhook (with `--context` files as its cluster) and `guardctl check --context` (with the same
/// files) give the same verdict, rule by rule and path by path, on the same production changes,
/// promotion evidence included.
@Suite struct WebhookCheckParityTests {
    static func digest(_ c: Character) -> String { "sha256:" + String(repeating: c, count: 64) }
    static func hoursAgo(_ hours: Double) -> String { Timestamp.format(Date().addingTimeInterval(-hours * 3600)) }

    static let cluster = """
    apiVersion: v1
    kind: Namespace
    metadata: {name: clinic-prod, labels: {odooguard.io/stage: production, odooguard.io/tier: dedicated}}
    ---
    apiVersion: v1
    kind: Namespace
    metadata: {name: clinic-staging, labels: {odooguard.io/stage: staging, odooguard.io/tier: shared}}
    ---
    apiVersion: odooguard.io/v1alpha1
    kind: OdooEnvironment
    metadata: {name: clinic, namespace: clinic-staging, labels: {app.kubernetes.io/part-of: clinic}}
    spec: {version: "17.0", stage: staging}
    status:
      readyHistory:
        - {image: "registry.example.com/odoo/odoo@\(digest("a"))", readySince: "\(hoursAgo(100))", readyUntil: "\(hoursAgo(60))"}
        - {image: "registry.example.com/odoo/odoo@\(digest("b"))", readySince: "\(hoursAgo(5))"}

    """

    static func production(_ name: String, _ digest: String, group: String = "clinic") -> String {
        """
        apiVersion: odooguard.io/v1alpha1
        kind: OdooEnvironment
        metadata: {name: \(name), namespace: clinic-prod, labels: {app.kubernetes.io/part-of: \(group)}}
        spec: {version: "17.0", stage: production, tier: dedicated, image: "registry.example.com/odoo/odoo@\(digest)"}

        """
    }

    static let policy = GuardPolicy.builtInDefaultText.replacingOccurrences(of: "    image.promoted: warn\n", with: "    image.promoted: enforce\n")

    @Test func bothJudgeTheSameChangesTheSameWay() async throws {
        #expect(Self.policy != GuardPolicy.builtInDefaultText)
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("parity-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let clusterFile = directory.appendingPathComponent("cluster.yaml")
        try Data(Self.cluster.utf8).write(to: clusterFile)
        let policyFile = directory.appendingPathComponent("policy.yaml")
        try Data(Self.policy.utf8).write(to: policyFile)
        let inputs = [Self.production("promoted", Self.digest("a")), Self.production("soaking", Self.digest("b")),
                      Self.production("unseen", Self.digest("c")), Self.production("other-group", Self.digest("a"), group: "billing")]
        let inputFile = directory.appendingPathComponent("changes.yaml")
        try Data(inputs.joined(separator: "---\n").utf8).write(to: inputFile)

        let offline = CheckCommand.run(.init(paths: [inputFile.path], policyPath: policyFile.path, format: .json, contextPaths: [clusterFile.path]))
        let results = try #require(JSONParser.parse(offline.standardOutput).arrayValue)
        #expect(results.count == inputs.count, "the context documents are not judged: \(results.count)")

        let harness = try await WebhookHarness.start(policy: Self.policy, contextFiles: [clusterFile.path])
        do {
            var verdicts: [String: Bool] = [:]
            for result in results {
                let name = result["name"]?.stringValue ?? ""
                let document = try #require(ManifestReader.read(yaml: inputs.first { $0.contains("name: \(name),") } ?? "").first)
                let object = try document.result.get()
                let response = try await harness.post("/validate", Review.body(object: object)).response
                let webhookRules = Set((response["status"]?["message"]?.stringValue ?? "").split(separator: "\n")
                    .compactMap { line -> String? in line.hasPrefix("- [") ? String(line.dropFirst(2).prefix { $0 != ":" }) : nil })
                let offlineRules = Set((result["violations"]?.arrayValue ?? []).compactMap { v -> String? in
                    guard let rule = v["rule"]?.stringValue, let path = v["path"]?.stringValue else { return nil }
                    return "[\(rule)] \(path)"
                })
                #expect(webhookRules == offlineRules, "\(name): webhook \(webhookRules), guardctl \(offlineRules)")
                #expect(response["allowed"]?.boolValue == result["allowed"]?.boolValue, "\(name)")
                verdicts[name] = response["allowed"]?.boolValue
            }
            #expect(verdicts == ["promoted": true, "soaking": false, "unseen": false, "other-group": false], "\(verdicts)")
        } catch { try await harness.shutdown(); throw error }
        try await harness.shutdown()
    }
}
