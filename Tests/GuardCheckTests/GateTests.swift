import Foundation
import GuardCheck
import GuardRules
import KubeModel
import Testing

/// Issue #25: a CI gate that cannot pass by accident, and advice that fits the input.
@Suite struct GateTests {
    static func check(_ files: [String: String], skip: Bool = false) throws -> CheckCommand.Outcome {
        let directory = try CheckCommandTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, text) in files { try Data(text.utf8).write(to: directory.appendingPathComponent(name)) }
        var options = CheckCommand.Options(paths: [directory.path], now: CheckCommandTests.now)
        options.skipNonKubernetes = skip
        return CheckCommand.run(options)
    }

    static let deployment = """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web, namespace: undeclared-team}
    spec:
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec: {containers: [{name: web, image: nginx}]}

    """

    @Test("nothing to check exits 2, saying so")
    func emptyInput() throws {
        let empty = try Self.check([:])
        #expect(empty.exitCode == 2, "\(empty.standardOutput)")
        let onlyRouting = try Self.check(["routing.yaml": "kind: RoutingSpec\nname: legacy\n"], skip: true)
        #expect(onlyRouting.exitCode == 2 && onlyRouting.standardError.contains("no Kubernetes document to check"), "\(onlyRouting.standardError)")
        #expect(onlyRouting.standardError.contains("1 skipped as not Kubernetes objects"))
    }

    @Test("a document that is not a Kubernetes object is an error naming it, or skipped with a warning when asked")
    func nonKubernetes() throws {
        let files = ["a-hello.yaml": "hello: world\n", "b-web.yaml": Self.deployment]
        let refused = try Self.check(files)
        #expect(refused.exitCode == 2)
        #expect(refused.standardOutput.contains("a-hello.yaml") && refused.standardOutput.contains("not a Kubernetes object"), "\(refused.standardOutput)")
        #expect(!refused.standardOutput.contains("<no kind>"))
        let skipped = try Self.check(files, skip: true)
        #expect(skipped.exitCode == 1, "the Deployment is still judged (and denied)")
        #expect(skipped.standardError.contains("a-hello.yaml: document 1 (line 1): not a Kubernetes object (no apiVersion or kind); skipped"))
    }

    @Test("advice comes from the image, and an undeclared namespace's stage says where it came from")
    func advice() throws {
        let outcome = try Self.check(["web.yaml": Self.deployment])
        #expect(outcome.standardOutput.contains("name a version tag (docker.io/library/nginx:<version>)"), "\(outcome.standardOutput)")
        #expect(!outcome.standardOutput.contains("nginx:17.0"))
        #expect(outcome.standardOutput.contains("namespace undeclared-team is not declared in the input, so it is checked as stage production (the policy's offlineDefaultStage)"))
        // With --stage the stage is the user's, and nothing needs explaining.
        let directory = try CheckCommandTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(Self.deployment.utf8).write(to: directory.appendingPathComponent("web.yaml"))
        let staged = CheckCommand.run(.init(paths: [directory.path], stage: "production", now: CheckCommandTests.now))
        #expect(!staged.standardOutput.contains("is not declared in the input"))
    }
}
