import Foundation
import GuardCheck
import Testing

/// `guardctl check` judges a tenant's autoscaler with the OdooEnvironment of the same input in
/// context: its connection budget planned offline, as the operator records it in the cluster.
@Suite("guardctl check: autoscalers and the connection budget")
struct ScalingCheckTests {
    static let environment = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples/scaling/clinic-autoscaled.yaml")

    static func hpa(_ maximum: Int) -> String {
        """
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {name: burst, namespace: clinic-prod}
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: clinic-web}
          minReplicas: 2
          maxReplicas: \(maximum)
          metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}}]

        """
    }

    static func check(_ maximum: Int) throws -> CheckCommand.Outcome {
        let input = try String(contentsOf: environment, encoding: .utf8) + "---\n" + hpa(maximum)
        return CheckCommand.run(.init(paths: ["-"], now: "2026-12-07T07:00:00Z"), standardInput: { Array(input.utf8) })
    }

    @Test func anAutoscalerPastTheEnvironmentsPlanIsDeniedWithTheArithmetic() throws {
        let denied = try Self.check(8)
        let text = denied.standardOutput
        #expect(denied.exitCode == 1, "\(text)")
        let line = text.split(separator: "\n").first { $0.contains("[scaling.connection-budget]") }.map(String.init) ?? ""
        #expect(line.hasPrefix("DENY") || text.contains("DENY"), "\(text)")
        #expect(line.contains("spec.maxReplicas") && line.contains("up to 8 pods") && line.contains("(8 + 1 surge) web pods")
                && line.contains("role may hold") && line.contains("(6 web pods planned)") && line.contains("Lower spec.maxReplicas to 6"), "\(line)")
        let allowed = try Self.check(6)
        #expect(allowed.exitCode == 0, "\(allowed.standardOutput)")
    }
}

/// `guardctl check --policy` with node pools: a tenant's Deployment that tolerates the stateful pool's
/// taint from a shared staging namespace is denied, naming the toleration.
@Suite("guardctl check: node pools")
struct PlacementCheckTests {
    static let policy = ScalingCheckTests.environment.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("policies/node-pools.yaml").path

    static let input = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: pharmacy-staging, labels: {odooguard.io/stage: staging, odooguard.io/tier: shared}}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: reports, namespace: pharmacy-staging}
        spec:
          replicas: 1
          selector: {matchLabels: {app: reports}}
          template:
            metadata: {labels: {app: reports}}
            spec:
              tolerations: [{key: odooguard.io/pool, operator: Equal, value: stateful, effect: NoSchedule}]
              containers:
                - name: reports
                  image: registry.example.com/tools/reports:1.4
                  resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {memory: 256Mi}}
                  securityContext: {allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: {drop: [ALL]}, seccompProfile: {type: RuntimeDefault}}

        """

    @Test func aTolerationOfAnotherPoolIsDenied() {
        let outcome = CheckCommand.run(.init(paths: ["-"], policyPath: Self.policy, now: "2026-12-07T07:00:00Z"), standardInput: { Array(Self.input.utf8) })
        #expect(outcome.exitCode == 1, "\(outcome.standardOutput)")
        let line = outcome.standardOutput.split(separator: "\n").first { $0.contains("[placement.node-pool]") }.map(String.init) ?? ""
        #expect(line.contains("spec.template.spec.tolerations[0]") && line.contains("node pool stateful")
                && line.contains("shared-tier staging pods may not use (theirs: batch, odoo-shared)"), "\(outcome.standardOutput)")
        let without = CheckCommand.run(.init(paths: ["-"], policyPath: Self.policy, now: "2026-12-07T07:00:00Z"),
                                       standardInput: { Array(Self.input.replacingOccurrences(of: "value: stateful", with: "value: odoo-shared").utf8) })
        #expect(!without.standardOutput.contains("[placement.node-pool]"), "\(without.standardOutput)")
    }
}
