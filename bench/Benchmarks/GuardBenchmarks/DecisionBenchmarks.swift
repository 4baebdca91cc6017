import Benchmark
import Foundation
import GuardRules
import KubeModel
import OdooPlan

/// The operator's decision for one environment that needs nothing (every object live as applied, its
/// Secrets present, its init Job running): what each resync costs per environment. The environment is
/// `operator-load`'s: shared tier, two replicas, a digest-pinned image, ACME TLS, under the built-in
/// policy and configuration.
func decisionBenchmarks() {
    guard let policy = try? GuardPolicy.builtIn(), let configuration = try? OperatorConfiguration.builtIn() else { return }
    let decision = EnvironmentDecision(configuration: configuration.withTiers(of: policy))
    let image = "docker.io/library/odoo:17.0@sha256:" + String(repeating: "ab", count: 32)
    let document: JSONValue = [
        "apiVersion": "odooguard.io/v1alpha1", "kind": "OdooEnvironment",
        "metadata": ["name": "odoo7", "namespace": "env-7", "uid": "0b0e7f6c-1111-4c2b-9a53-000000000007", "generation": 1],
        "spec": [
            "version": "17.0", "tier": "shared", "stage": "development", "replicas": 2, "workers": 2, "image": .string(image),
            "resources": ["requests": ["cpu": "250m", "memory": "512Mi"], "limits": ["memory": "1536Mi"]],
            "ingress": ["host": "odoo7.erp.example.com", "tls": ["certResolver": "letsencrypt"]],
        ],
    ]
    guard let environment = try? OdooEnvironment.decode(document) else { return }
    var observation = EnvironmentObservation(object: KubeObject(document), environment: .success(environment), now: Date())
    observation.imageSource = environment.image
    observation.pin = .known(image)
    observation.policy = policy
    let first = decision.decide(observation)
    observation.live = Dictionary(uniqueKeysWithValues: first.apply.map { ($0.reference, $0.object) })
    observation.existingSecrets = Set(first.secrets.map(\.name))
    if let job = first.initJob { observation.initJobs = [job.name: .init(phase: .running)] }
    let unjudged = observation
    observation.passedGate = decision.decide(unjudged).passedGate
    let judged = observation

    Benchmark("decide: an environment that needs nothing (plan, policy gate, applied-configuration diff)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(decision.decide(unjudged))
        }
    }
    Benchmark("decide: the same, its plan passed by the policy gate at the last reconcile") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(decision.decide(judged))
        }
    }
}
