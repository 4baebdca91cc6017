import KubeModel
import Testing

/// The operator's views of what it observes read absurd objects (wrong JSON types, extreme numbers,
/// 10,000 containers) as defaults, never a trap.
@Suite("Views of observed objects")
struct ObservedViewTests {
    static let absurd: [JSONValue] = [
        .null, "a string", [1, 2, 3],
        ["metadata": "x", "spec": ["replicas": "three", "template": ["spec": ["containers": "odoo"]]], "status": ["readyReplicas": [1]]],
        ["metadata": ["generation": .int(Int64.max)], "spec": ["replicas": .int(Int64.min)],
         "status": ["observedGeneration": .int(Int64.min), "updatedReplicas": .int(Int64.max), "availableReplicas": .double(1e308)]],
        ["spec": ["template": ["spec": ["containers": .array(Array(repeating: ["name": "c", "image": 7], count: 10_000))]]]],
        ["status": ["succeeded": "yes", "conditions": [["type": "Failed", "status": "True", "lastTransitionTime": "not a time", "reason": 9]]]],
        ["status": ["initContainerStatuses": "none", "containerStatuses": [["name": 1, "state": ["terminated": ["exitCode": .int(Int64.min), "message": 5]]]]]],
    ]

    @Test(arguments: absurd)
    func absurdObjectsReadAsDefaults(_ object: JSONValue) {
        let deployment = DeploymentView(object)
        _ = deployment.rolledOut(Int64.max)
        _ = deployment.runsPods
        #expect(deployment.images.values.allSatisfy { !$0.isEmpty })
        let job = JobView(object)
        if job.phase == .failed { #expect(job.completionTime == nil) }
        let pod = PodView(object)
        #expect(pod.containers.allSatisfy { $0.terminated?.message == nil || $0.terminated?.message?.isEmpty == false })
    }

    @Test func extremeNumbersCompareWithoutOverflow() {
        let deployment = DeploymentView(["metadata": ["generation": .int(Int64.max)], "spec": ["replicas": .int(Int64.max)],
                                         "status": ["observedGeneration": .int(Int64.max), "updatedReplicas": .int(Int64.max), "availableReplicas": .int(Int64.max)]])
        #expect(deployment.rolledOut(Int64.max))
        #expect(!DeploymentView(["status": ["updatedReplicas": .int(Int64.min)]]).rolledOut(1))
        let failed = JobView(["status": ["conditions": [["type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"]]]])
        #expect(failed.phase == .failed && failed.failure == "BackoffLimitExceeded")
    }
}
