import Foundation
import KubeModel
/// Everything besides the request that a decision may depend on. Building it is the caller's I/O
/// (the webhook reads the cluster; `guardctl check` reads the input files); evaluation only reads it.
public struct EvaluationContext: Sendable {
    /// The object's namespace; `nil` for cluster-scoped objects.
    public var namespace: NamespaceContext?
    /// Other objects of the same namespace the rules consult: PodDisruptionBudgets, workloads,
    /// Secrets, OdooEnvironments and GuardExceptions.
    public var peers: [KubeObject] {
        didSet {
            index = PeerIndex(peers)
            exceptions = Self.exceptions(index, now: now)
        }
    }
    /// Peers by kind, PDB selectors and workload pod labels, computed once per context and shared
    /// by every evaluation that uses it.
    private(set) var index: PeerIndex
    /// The valid GuardExceptions among the peers, decoded once per context (not once per rule that
    /// reads them); an invalid one is judged by `exception.valid` when it is written, and waives nothing.
    private(set) var exceptions: [GuardException]
    /// The time the decision is made at (exceptions expire relative to it).
    public var now: Date {
        didSet { exceptions = Self.exceptions(index, now: now) }
    }
    /// Every OdooEnvironment of the cluster (any namespace) with its stage, labels and
    /// `status.readyHistory`: the promotion evidence. Called only for a production environment's change.
    public var environments: @Sendable () -> [KubeObject] = { [] }
    /// Registry facts for the request's images (``GuardEvaluator/imageLookups(for:context:)``);
    /// `nil` when none were looked up, and the provenance rules then do not run.
    public var provenance: ImageProvenanceFacts?

    /// A context.
    public init(namespace: NamespaceContext?, peers: [KubeObject] = [], now: Date, provenance: ImageProvenanceFacts? = nil) {
        self.namespace = namespace
        self.peers = peers
        let index = PeerIndex(peers)
        self.index = index
        self.now = now
        self.exceptions = Self.exceptions(index, now: now)
        self.provenance = provenance
    }

    static func exceptions(_ index: PeerIndex, now: Date) -> [GuardException] {
        (index.byKind[GuardException.kind] ?? []).compactMap { try? GuardException.decode($0, now: now).get() }
    }

    /// Peers of one kind.
    func peers(ofKind kind: String) -> [KubeObject] { index.byKind[kind] ?? [] }
}
