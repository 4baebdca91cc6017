import Foundation
import GuardRules
import KubeClient
import KubeModel
import KubeRuntime
import Logging
import Testing
@testable import AdmissionServer

/// The cluster GuardPolicy's grace: deleted and recreated within it (a Helm upgrade's hook), the
/// cluster's policy stays in use; gone for longer, the file's policy takes over.
@Suite struct ClusterPolicyGraceTests {
    static func watch() throws -> (ClusterWatch, PolicyStore, URL) {
        let file = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("odoo-guard-grace-\(UUID().uuidString.prefix(8)).yaml")
        try Data(GuardPolicy.builtInDefaultText.utf8).write(to: file)
        let policies = try PolicyStore(policyFile: file.path)
        var logger = Logger(label: "grace-test")
        logger.logLevel = .critical
        let watch = ClusterWatch(config: KubeConfig(server: "https://127.0.0.1:1", source: "none"), policyName: "default", policies: policies,
                                 metrics: WebhookMetrics(), defaultStage: "production", policyGoneGrace: .seconds(2), logger: logger)
        return (watch, policies, file)
    }

    static func clusterPolicy(resourceVersion: String) throws -> JSONValue {
        var policy = try ManifestReader.parseSingle(yaml: GuardPolicy.builtInDefaultText)
        _ = policy.set(.string(resourceVersion), at: "metadata.resourceVersion")
        _ = policy.set(.array([.string("registry.internal.example/*")]), at: "spec.stages.production.allowedRegistries")
        return policy
    }

    /// (seconds after the delete at which the policy is recreated or nil, seconds after the delete
    /// the watch is looked at, whether the file's policy is in use then).
    @Test("the file's policy takes over only after the grace", arguments: [
        (nil as Double?, 0.0, false), (nil, 1.9, false), (nil, 2.0, true), (nil, 30.0, true),
        (0.1, 0.5, false), (0.1, 30.0, false), (1.9, 30.0, false),
    ])
    func grace(recreatedAfter: Double?, lookAfter: Double, fileInUse: Bool) throws {
        let (watch, policies, file) = try Self.watch()
        defer { try? FileManager.default.removeItem(at: file) }
        let filePolicy = policies.state.policyVersion
        let start = ContinuousClock.now
        let old = try Self.clusterPolicy(resourceVersion: "1")
        watch.guardPolicies.apply(.listed([old], first: true, last: true))
        watch.applyPolicy(now: start)
        let cluster = policies.state.policyVersion
        #expect(cluster != filePolicy)
        watch.guardPolicies.apply(.deleted(old))
        watch.applyPolicy(now: start)
        if let recreatedAfter {
            // The watcher ticks before the new one arrives, as it does every 250 ms.
            watch.applyPolicy(now: start + .milliseconds(Int(recreatedAfter * 1000) - 1))
            watch.guardPolicies.apply(.applied(try Self.clusterPolicy(resourceVersion: "2")))
            watch.applyPolicy(now: start + .milliseconds(Int(recreatedAfter * 1000)))
        }
        watch.applyPolicy(now: start + .milliseconds(Int(lookAfter * 1000)))
        #expect((policies.state.policyVersion == filePolicy) == fileInUse)
        if !fileInUse { #expect(policies.state.policyVersion == cluster) }
    }
}
