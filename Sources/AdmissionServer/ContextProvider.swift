import Foundation
import GuardRules
import KubeModel

/// Supplies what a decision depends on besides the request: the namespace's labels and the peers
/// of the same namespace (PDBs, workloads, Secrets, OdooEnvironments, GuardExceptions).
///
/// Contract: called on the request path for every review, so it answers from memory, quickly, and
/// never throws; a namespace it knows nothing about gets a context the implementation documents.
public protocol AdmissionContextProvider: Sendable {
    /// The context of one request at `now`.
    func context(for request: AdmissionRequest, now: Date) -> EvaluationContext
}

/// A fixed snapshot of the cluster read from manifest files (`--context`), the same way
/// `guardctl check` reads its input: Namespace documents give labels, other documents are the peers
/// of their namespace. A namespace not in the snapshot is governed with `defaultStage`.
public struct SnapshotContextProvider: AdmissionContextProvider {
    private var contexts: [String: EvaluationContext] = [:]
    private let defaultStage: String
    /// Every OdooEnvironment of the snapshot: the promotion evidence.
    private let environments: [KubeObject]

    /// A snapshot of `objects`; `defaultStage` applies to namespaces the objects do not declare.
    public init(objects: [KubeObject], defaultStage: String) {
        self.defaultStage = defaultStage
        let environments = objects.filter { $0.kind == "OdooEnvironment" }
        self.environments = environments
        var labels: [String: [String: String]] = [:]
        var peers: [String: [KubeObject]] = [:]
        for object in objects {
            if object.kind == "Namespace" {
                labels[object.name] = object.labels
            } else {
                peers[object.namespace ?? "default", default: []].append(object)
            }
        }
        for name in Set(labels.keys).union(peers.keys) {
            let namespace = labels[name].map { NamespaceContext(name: name, labels: $0) }
                ?? NamespaceContext(name: name, labels: [GuardLabels.stage: defaultStage])
            var context = EvaluationContext(namespace: namespace, peers: peers[name] ?? [], now: Date(timeIntervalSince1970: 0))
            context.environments = { environments }
            contexts[name] = context
        }
    }

    /// The namespace's prepared context (peer indexes are built once, not per request).
    public func context(for request: AdmissionRequest, now: Date) -> EvaluationContext {
        guard let name = request.namespace else { return EvaluationContext(namespace: nil, now: now) }
        var context = contexts[name]
            ?? EvaluationContext(namespace: NamespaceContext(name: name, labels: [GuardLabels.stage: defaultStage]), now: now)
        context.now = now
        let environments = self.environments
        context.environments = { environments }
        return context
    }
}
