import Foundation
import GuardRules
import KubeModel
import TestSupport
import Testing

/// Builders for the objects the rule tables use.
enum Fixture {
    static let pinned = "registry.example.com/odoo/odoo:17.0@sha256:" + String(repeating: "ab", count: 32)
    static let goodResources: JSONValue = ["requests": ["cpu": "250m", "memory": "512Mi"], "limits": ["memory": "1Gi"]]
    static let now = Timestamp.parse("2026-11-21T12:00:00Z") ?? Date()
    static let policy: GuardPolicy = (try? GuardPolicy.builtIn()) ?? .empty

    /// The container and pod security contexts of the restricted Pod Security level, which every
    /// fixture carries unless a test changes them.
    static let restrictedContainerContext: JSONValue = ["allowPrivilegeEscalation": false, "capabilities": ["drop": ["ALL"]]]
    static let restrictedPodContext: JSONValue = ["runAsNonRoot": true, "seccompProfile": ["type": "RuntimeDefault"]]

    static let podTemplateKinds = ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"]

    static func apiVersion(_ kind: String) -> String {
        switch kind {
        case "Pod", "ConfigMap", "Secret", "Namespace": return "v1"
        case "Job", "CronJob": return "batch/v1"
        case "PodDisruptionBudget": return "policy/v1"
        case "OdooEnvironment", "GuardException", "GuardPolicy": return "odooguard.io/v1alpha1"
        default: return "apps/v1"
        }
    }

    static func container(name: String = "app", image: String = pinned, resources: JSONValue? = goodResources,
                          env: [JSONValue]? = nil, extra: JSONObject = [:]) -> JSONValue {
        var object: JSONObject = ["name": .string(name), "image": .string(image), "securityContext": restrictedContainerContext]
        if let resources { object["resources"] = resources }
        if let env { object["env"] = .array(env) }
        for (key, value) in extra { object[key] = value }
        return .object(object)
    }

    /// A pod spec with one container in the given list (plus a compliant main container when that
    /// list is not `containers`, since a pod always has one).
    static func podSpec(_ container: JSONValue, in list: PodTemplate.ContainerKind = .container) -> JSONValue {
        var spec: JSONObject = ["securityContext": restrictedPodContext]
        if list != .container { spec["containers"] = [Fixture.container(name: "main")] }
        spec[list.rawValue] = [container]
        return .object(spec)
    }

    /// A workload of any pod-template kind around a pod spec.
    static func workload(_ kind: String, podSpec: JSONValue, name: String = "web", namespace: String = "clinic",
                         replicas: Int64? = nil, podLabels: [String: String] = ["app": "web"],
                         labels: [String: String] = [:], annotations: [String: String] = [:]) -> JSONValue {
        var metadata: JSONObject = ["name": .string(name), "namespace": .string(namespace)]
        if !labels.isEmpty { metadata["labels"] = .object(JSONObject(uniqueKeysWithValues: labels.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) })) }
        if !annotations.isEmpty { metadata["annotations"] = .object(JSONObject(uniqueKeysWithValues: annotations.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) })) }
        let podLabelObject = JSONValue.object(JSONObject(uniqueKeysWithValues: podLabels.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) }))
        let template: JSONValue = ["metadata": ["labels": podLabelObject], "spec": podSpec]
        var object: JSONObject = ["apiVersion": .string(apiVersion(kind)), "kind": .string(kind), "metadata": .object(metadata)]
        switch kind {
        case "Pod":
            let merged = podLabels.merging(labels) { _, own in own }
            if !merged.isEmpty {
                metadata["labels"] = .object(JSONObject(uniqueKeysWithValues: merged.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) }))
                object["metadata"] = .object(metadata)
            }
            object["spec"] = podSpec
        case "CronJob":
            object["spec"] = ["schedule": "0 * * * *", "jobTemplate": ["spec": ["template": template]]]
        case "Job":
            object["spec"] = ["template": template]
        default:
            var spec: JSONObject = ["selector": ["matchLabels": podLabelObject], "template": template]
            if let replicas { spec["replicas"] = .int(replicas) }
            object["spec"] = .object(spec)
        }
        return .object(object)
    }

    static func pdb(name: String = "web", namespace: String = "clinic", selector: [String: String] = ["app": "web"],
                    spec: JSONObject) -> JSONValue {
        var full = spec
        full["selector"] = ["matchLabels": .object(JSONObject(uniqueKeysWithValues: selector.map { ($0.key, JSONValue.string($0.value)) }))]
        return ["apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": ["name": .string(name), "namespace": .string(namespace)], "spec": .object(full)]
    }

    static func evaluate(_ object: JSONValue, stage: String? = "production", tier: String? = "dedicated",
                         peers: [JSONValue] = [], policy: GuardPolicy = Fixture.policy, operation: AdmissionOperation = .create,
                         oldObject: JSONValue? = nil, user: String = "alice", subResource: String? = nil, now: Date = Fixture.now,
                         provenance: ImageProvenanceFacts? = nil, phase: EvaluationPhase = .combined) -> Decision {
        let view = KubeObject(object)
        var labels: [String: String] = [:]
        if let stage { labels[GuardLabels.stage] = stage }
        if let tier { labels[GuardLabels.tier] = tier }
        let namespace = view.namespace.map { NamespaceContext(name: $0, labels: labels) }
        let request = AdmissionRequest(uid: "test", kind: view.gvk, resource: ResourceType.of(view.gvk).gvr,
                                       subResource: subResource, name: view.name, namespace: view.namespace, operation: operation,
                                       userInfo: UserInfo(username: user), object: object, oldObject: oldObject)
        let context = EvaluationContext(namespace: namespace, peers: (peers + [object]).map(KubeObject.init), now: now, provenance: provenance)
        let decision = GuardEvaluator(policy: policy).evaluate(request, context: context, phase: phase)
        if !decision.patch.isEmpty {
            verifyWithPython(PatchTriple(document: object, patch: decision.patch, expected: decision.mutatedObject ?? .null))
        }
        return decision
    }

    /// Every patch a rule test produces is applied by Python's jsonpatch too (an independent RFC 6902
    /// implementation) and must give the mutated document.
    static func verifyWithPython(_ triple: PatchTriple) {
        do {
            let report = try PythonJSONPatch.check([triple])
            #expect(report.checked == 1 && report.failures.isEmpty, "jsonpatch disagrees: \(report.failures)")
        } catch {
            Issue.record("could not run the jsonpatch cross-check: \(error)")
        }
    }

    static func policy(_ yaml: String) throws -> GuardPolicy {
        try GuardPolicy(text: "apiVersion: odooguard.io/v1alpha1\nkind: GuardPolicy\nmetadata: {name: test}\nspec:\n" + yaml)
    }
}

extension Decision {
    /// The rule ids of the findings, sorted, repeats kept.
    var rules: [String] { violations.map(\.rule.rawValue).sorted() }
}
