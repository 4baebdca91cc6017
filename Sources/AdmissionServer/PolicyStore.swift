import Foundation
import GuardRules
import KubeModel
import NIOConcurrencyHelpers

/// The policy and cluster context decisions are made with. A reload builds the whole new state
/// first and swaps it in one step, so a request sees either the old or the new policy, never a mix;
/// an invalid new policy or context file keeps the old state.
///
/// Connected to a cluster, a valid GuardPolicy from the cluster replaces the file's policy and the
/// cluster's caches replace the context files (``useClusterPolicy(_:)``, ``useClusterContext(_:)``);
/// a file reload then changes only what the cluster does not supply.
public final class PolicyStore: Sendable {
    /// One consistent state.
    public struct State: Sendable {
        /// The evaluator of the loaded policy.
        public let evaluator: GuardEvaluator
        /// The context snapshot.
        public let context: any AdmissionContextProvider

        /// The loaded policy's version (`name@hash`).
        public var policyVersion: String { evaluator.policy.version }
    }

    /// The GuardPolicy file.
    public let policyFile: String
    /// The context manifest files.
    public let contextFiles: [String]
    /// The stage of namespaces the context does not declare (`nil`: the policy's `offlineDefaultStage`).
    public let defaultStage: String?
    /// What the state is made of: the files, and what the cluster supplies.
    private struct Sources {
        var files: State
        var clusterPolicy: GuardEvaluator?
        var clusterContext: (any AdmissionContextProvider)?
        var combined: State

        mutating func recombine() {
            combined = State(evaluator: clusterPolicy ?? files.evaluator, context: clusterContext ?? files.context)
        }
    }

    private let sources: NIOLockedValueBox<Sources>

    /// Loads the policy and context for the first time.
    /// - Throws: ``AdmissionServerError`` `unreadableFile` or `invalidPolicy`, with every problem and its path.
    public init(policyFile: String, contextFiles: [String] = [], defaultStage: String? = nil) throws(AdmissionServerError) {
        self.policyFile = policyFile
        self.contextFiles = contextFiles
        self.defaultStage = defaultStage
        let loaded = try Self.load(policyFile: policyFile, contextFiles: contextFiles, defaultStage: defaultStage)
        sources = NIOLockedValueBox(Sources(files: loaded, combined: loaded))
    }

    /// The state in use.
    public var state: State { sources.withLockedValue { $0.combined } }

    /// Re-reads the policy and context files and swaps them in when all are valid.
    /// - Throws: ``AdmissionServerError``; the old state stays in use.
    public func reload() throws(AdmissionServerError) {
        let next = try Self.load(policyFile: policyFile, contextFiles: contextFiles, defaultStage: defaultStage)
        sources.withLockedValue {
            $0.files = next
            $0.recombine()
        }
    }

    /// Decides with `policy` (a GuardPolicy read from the cluster) instead of the file's; `nil`
    /// returns to the file's policy.
    public func useClusterPolicy(_ policy: GuardPolicy?) {
        let evaluator = policy.map(GuardEvaluator.init)
        sources.withLockedValue {
            $0.clusterPolicy = evaluator
            $0.recombine()
        }
    }

    /// Decides with `context` (the cluster's caches) instead of the context files.
    public func useClusterContext(_ context: any AdmissionContextProvider) {
        sources.withLockedValue {
            $0.clusterContext = context
            $0.recombine()
        }
    }

    /// Whether the cluster's context is in use.
    public var usesClusterContext: Bool { sources.withLockedValue { $0.clusterContext != nil } }

    static func fingerprints(_ policyFile: String, _ contextFiles: [String]) -> [FileFingerprint?] {
        ([policyFile] + contextFiles).map { FileFingerprint(path: $0) }
    }

    static func load(policyFile: String, contextFiles: [String], defaultStage: String?) throws(AdmissionServerError) -> State {
        let text = try TextFile.read(policyFile, what: "policy")
        let policy: GuardPolicy
        do { policy = try GuardPolicy(text: text) } catch {
            throw AdmissionServerError.invalidPolicy("\(policyFile): \(error)", cause: error)
        }
        if let defaultStage, !GuardPolicy.stages.contains(defaultStage) {
            throw AdmissionServerError.invalidConfiguration("the default stage must be one of \(GuardPolicy.stages.joined(separator: ", ")), not \"\(defaultStage)\"")
        }
        var objects: [KubeObject] = []
        for file in contextFiles {
            let bytes = Array(try TextFile.read(file, what: "context").utf8)
            for document in ManifestReader.read(bytes) {
                switch document.result {
                case .success(let value):
                    guard case .object = value else { continue }
                    objects += (ManifestReader.listItems(value) ?? [value]).map(KubeObject.init)
                case .failure(let error):
                    throw AdmissionServerError.unreadableFile("\(file): document \(document.index + 1) (line \(document.line)): \(error)", cause: error)
                }
            }
        }
        let snapshot = SnapshotContextProvider(objects: objects, defaultStage: defaultStage ?? policy.offlineDefaultStage.rawValue)
        return State(evaluator: GuardEvaluator(policy: policy), context: snapshot)
    }
}
