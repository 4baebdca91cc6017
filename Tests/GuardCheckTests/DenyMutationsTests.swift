import Foundation
import GuardCheck
import GuardRules
import KubeModel
import Testing

/// `guardctl check --deny-mutations`: what the webhook would fill in becomes a violation of the rule
/// that fills it, and the JSON report names the rule of every patch operation.
@Suite("guardctl check --deny-mutations")
struct DenyMutationsTests {
    static let examples = CheckCommandTests.examples

    @Test func neededMutationsDenyAndNameTheirRules() throws {
        let paths = [Self.examples + "/compliant", Self.examples + "/namespaces.yaml"]
        #expect(CheckCommand.run(.init(paths: paths, now: CheckCommandTests.now)).exitCode == 0)
        let strict = CheckCommand.run(.init(paths: paths, format: .json, now: CheckCommandTests.now, denyMutations: true))
        #expect(strict.exitCode == 1)
        let results = try #require(JSONParser.parse(strict.standardOutput).arrayValue)
        for result in results {
            let operations = result["patch"]?.arrayValue ?? []
            let patchRules = Set(operations.compactMap { $0["rule"]?.stringValue })
            let violationRules = Set(result["violations"]?.arrayValue?.compactMap { $0["rule"]?.stringValue } ?? [])
            #expect(operations.allSatisfy { $0["rule"]?.stringValue != nil }, "every operation names its rule")
            #expect(patchRules == violationRules, "\(result["name"] ?? .null): \(patchRules) vs \(violationRules)")
            #expect((result["allowed"]?.boolValue ?? false) == operations.isEmpty)
        }
        let cron = try #require(results.first { $0["name"] == "clinic-cron" })
        #expect(cron["patch"]?.arrayValue?.compactMap { $0["rule"]?.stringValue } == ["resources.defaults", "secrets.injection"])
        let message = cron["violations"]?.arrayValue?.first?["message"]?.stringValue ?? ""
        #expect(message.contains("spec.template.spec.containers[0].resources") && message.contains("--deny-mutations"), "\(message)")
    }

    @Test func aCompleteManifestPassesStrictMode() throws {
        let outcome = try CheckCommandTests.withFile("""
        apiVersion: v1
        kind: Namespace
        metadata:
          name: clinic-prod
          labels: {odooguard.io/stage: production, pod-security.kubernetes.io/enforce: restricted, pod-security.kubernetes.io/enforce-version: v1.32,
                   pod-security.kubernetes.io/warn: restricted, pod-security.kubernetes.io/warn-version: v1.32,
                   pod-security.kubernetes.io/audit: restricted, pod-security.kubernetes.io/audit-version: v1.32}
        ---
        apiVersion: batch/v1
        kind: Job
        metadata: {name: report, namespace: clinic-prod}
        spec:
          template:
            spec:
              restartPolicy: Never
              securityContext: {runAsNonRoot: true, runAsUser: 101, seccompProfile: {type: RuntimeDefault}}
              containers:
                - name: report
                  image: registry.example.com/odoo/report:1.0@sha256:\(String(repeating: "ab", count: 32))
                  resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {memory: 256Mi}}
                  securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}

        """) { CheckCommand.run(.init(paths: [$0.path], now: CheckCommandTests.now, denyMutations: true)) }
        #expect(outcome.exitCode == 0, "\(outcome.standardOutput)")
    }
}

extension DenyMutationsTests {
    @Test func aNamespaceBelowItsStagesLevelPassesOnlyForAPlatformAdmin() throws {
        let (tenant, admin) = try CheckCommandTests.withFile("""
        apiVersion: v1
        kind: Namespace
        metadata:
          name: legacy
          labels: {odooguard.io/stage: production, pod-security.kubernetes.io/enforce: privileged}

        """) { file in
            (CheckCommand.run(.init(paths: [file.path], now: CheckCommandTests.now)),
             CheckCommand.run(.init(paths: [file.path], now: CheckCommandTests.now, user: UserInfo(username: "gitops", groups: ["system:masters"]))))
        }
        #expect(tenant.exitCode == 1)
        #expect(tenant.standardOutput.contains("[namespace.pod-security-level] metadata.labels[pod-security.kubernetes.io/enforce]"), "\(tenant.standardOutput)")
        #expect(admin.exitCode == 0, "\(admin.standardOutput)")
    }
}
