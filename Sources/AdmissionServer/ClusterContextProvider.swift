import Foundation
import GuardRules
import KubeModel
import KubeRuntime

/// The cluster as decisions see it, answered from the caches ``ClusterWatch`` keeps (no API call on
/// the request path): a namespace's labels from the Namespace cache, its PodDisruptionBudgets and
/// GuardExceptions as peers. A namespace the cache does not hold (created a moment ago) is governed
/// with `defaultStage`, as with a context snapshot.
public struct ClusterContextProvider: AdmissionContextProvider {
    let namespaces: ObjectStore
    let peers: [ObjectStore]
    let environments: ObjectStore?
    let defaultStage: String

    /// A provider over the caches of Namespaces and of the peer kinds; `environments` (every namespace's
    /// OdooEnvironments) is the promotion evidence.
    public init(namespaces: ObjectStore, peers: [ObjectStore], environments: ObjectStore? = nil, defaultStage: String) {
        self.namespaces = namespaces
        self.peers = peers
        self.environments = environments
        self.defaultStage = defaultStage
    }

    /// The namespace's context at `now`.
    public func context(for request: AdmissionRequest, now: Date) -> EvaluationContext {
        guard let name = request.namespace else { return EvaluationContext(namespace: nil, now: now) }
        let labels = namespaces.get(ObjectKey(namespace: nil, name: name)).map { KubeObject($0).labels }
            ?? [GuardLabels.stage: defaultStage]
        let objects = peers.flatMap { $0.list(namespace: name) }.map(KubeObject.init)
        var context = EvaluationContext(namespace: NamespaceContext(name: name, labels: labels), peers: objects, now: now)
        if let environments { context.environments = { environments.list().map(KubeObject.init) } }
        return context
    }
}
