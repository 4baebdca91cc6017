import Foundation
import GuardRules
import KubeModel
import NIOConcurrencyHelpers

/// The policy and cluster context decisions are made with. A reload builds the whole new state
/// first and swaps it in one step, so a request sees either the old or the new policy, never a mix;
/// an invalid new policy or context file keeps the old state.
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
    private let current: NIOLockedValueBox<State>

    /// Loads the policy and context for the first time.
    /// - Throws: ``AdmissionServerError`` `unreadableFile` or `invalidPolicy`, with every problem and its path.
    public init(policyFile: String, contextFiles: [String] = [], defaultStage: String? = nil) throws(AdmissionServerError) {
        self.policyFile = policyFile
        self.contextFiles = contextFiles
        self.defaultStage = defaultStage
        current = NIOLockedValueBox(try Self.load(policyFile: policyFile, contextFiles: contextFiles, defaultStage: defaultStage))
    }

    /// The state in use.
    public var state: State { current.withLockedValue { $0 } }

    /// Re-reads the policy and context files and swaps them in when all are valid.
    /// - Throws: ``AdmissionServerError``; the old state stays in use.
    public func reload() throws(AdmissionServerError) {
        let next = try Self.load(policyFile: policyFile, contextFiles: contextFiles, defaultStage: defaultStage)
        current.withLockedValue { $0 = next }
    }

    static func fingerprints(_ policyFile: String, _ contextFiles: [String]) -> [FileFingerprint?] {
        ([policyFile] + contextFiles).map { FileFingerprint(path: $0) }
    }

    static func load(policyFile: String, contextFiles: [String], defaultStage: String?) throws(AdmissionServerError) -> State {
        let text = try TextFile.read(policyFile, what: "policy")
        let policy: GuardPolicy
        do { policy = try GuardPolicy(text: text) } catch {
            throw AdmissionServerError(.invalidPolicy, "\(policyFile): \(error)")
        }
        if let defaultStage, !GuardPolicy.stages.contains(defaultStage) {
            throw AdmissionServerError(.invalidConfiguration,
                                       "the default stage must be one of \(GuardPolicy.stages.joined(separator: ", ")), not \"\(defaultStage)\"")
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
                    throw AdmissionServerError(.unreadableFile, "\(file): document \(document.index + 1) (line \(document.line)): \(error)")
                }
            }
        }
        let snapshot = SnapshotContextProvider(objects: objects, defaultStage: defaultStage ?? policy.offlineDefaultStage)
        return State(evaluator: GuardEvaluator(policy: policy), context: snapshot)
    }
}
