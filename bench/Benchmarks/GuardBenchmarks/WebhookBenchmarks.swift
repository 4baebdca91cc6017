import AdmissionServer
import AuditTrail
import Benchmark
import CommandLineSupport
import Foundation
import KubeModel
import Logging

/// One review through `AdmissionHandler.handle`, as `/validate` runs it after reading the body:
/// parsing, the AdmissionReview's decoding, the evaluation, the response's bytes, the metrics and the
/// JSON log line (written to /dev/null), with the example policy and namespaces `bench/webhook-load.sh`
/// serves. No TLS or HTTP: the difference to the webhook's CPU per request is the stack's.
func webhookBenchmarks(deployment: JSONValue) {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    guard let policies = try? PolicyStore(policyFile: root.appendingPathComponent("examples/policies/default.yaml").path,
                                          contextFiles: [root.appendingPathComponent("examples/namespaces.yaml").path]) else { return }
    let devNull = open("/dev/null", O_WRONLY)
    let logger = Logger(label: "guard-webhook") { JSONLogHandler(label: $0, fileDescriptor: devNull) }
    let handler = AdmissionHandler(policies: policies, audit: DiscardingAuditSink(), metrics: WebhookMetrics(), logger: logger)
    let review: JSONValue = [
        "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
        "request": [
            "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
            "kind": ["group": "apps", "version": "v1", "kind": "Deployment"],
            "resource": ["group": "apps", "version": "v1", "resource": "deployments"],
            "name": "clinic-web", "namespace": "clinic-prod", "operation": "CREATE",
            "userInfo": ["username": "alice@example.com", "groups": ["clinic-team", "system:authenticated"]],
            "object": deployment, "oldObject": nil, "dryRun": false,
        ],
    ]
    let body = review.serializedBytes()

    Benchmark("webhook: handle one review (parse, decode, evaluate, response, log line, metrics)",
              configuration: .init(metrics: [.wallClock, .mallocCountTotal], maxDuration: .seconds(3), maxIterations: 20_000)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(await handler.handle(body, endpoint: .validate))
        }
    }
}
