import Foundation
import GuardRules
import KubeModel
import OdooPlan

/// Checks manifests offline with the same evaluation the webhook runs.
///
/// The other documents of the input are the cluster: Namespace documents give namespaces their
/// labels, and PDBs, workloads, Secrets, OdooEnvironments and GuardExceptions of a namespace are the
/// peers its objects are judged with. A namespace the input does not define is checked with the
/// stage given by `--stage`, else the policy's `offlineDefaultStage` (production in the default
/// policy: a CI gate fails closed). `--stage` overrides every namespace's stage.
public struct OfflineChecker: Sendable {
    /// One parsed input stream.
    public struct Source: Sendable {
        /// Name shown in reports.
        public var name: String
        /// The bytes.
        public var bytes: [UInt8]
        /// How to parse them.
        public var format: ManifestReader.Format

        /// A source.
        public init(name: String, bytes: [UInt8], format: ManifestReader.Format = .detect) {
            self.name = name
            self.bytes = bytes
            self.format = format
        }
    }

    /// The policy applied.
    public let evaluator: GuardEvaluator
    /// The stage forced on every namespace, when given.
    public let stageOverride: Stage?
    /// The clock of every decision.
    public let now: Date
    /// ``EvaluationPhase/combined``, or ``EvaluationPhase/strict`` to deny every needed mutation.
    public let phase: EvaluationPhase
    /// The requester every document is judged as (`--as`, `--as-group`): who may change a governed
    /// namespace's labels depends on it.
    public let user: UserInfo
    /// Whether documents that are not Kubernetes objects (no `apiVersion` or `kind`: a RoutingSpec,
    /// `hello: world`) are skipped with a warning instead of being errors (`--skip-non-kubernetes`).
    public var skipNonKubernetes = false

    /// A checker.
    /// - Throws: ``GuardCheckError`` `invalidOption` for an unknown stage.
    public init(policy: GuardPolicy, stageOverride: String? = nil, now: Date = Date(), phase: EvaluationPhase = .combined,
                user: UserInfo = UserInfo(username: "guardctl")) throws(GuardCheckError) {
        self.phase = phase
        self.user = user
        var stage: Stage?
        if let stageOverride {
            stage = Stage(rawValue: stageOverride)
            if stage == nil {
                throw GuardCheckError.invalidOption("--stage must be one of \(GuardPolicy.stages.joined(separator: ", ")), not \"\(stageOverride)\"")
            }
        }
        evaluator = GuardEvaluator(policy: policy)
        self.stageOverride = stage
        self.now = now
    }

    /// Kinds that live outside namespaces (`OperatorConfiguration` is the operator's configuration
    /// file, read from a ConfigMap's key, never an object of a namespace).
    static let clusterScopedKinds: Set<String> = [
        "Namespace", "Node", "PersistentVolume", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
        "StorageClass", "PriorityClass", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
        "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "APIService", "IngressClass", "RuntimeClass",
        "CSIDriver", "GuardPolicy", "OdooRelease", "OperatorConfiguration",
    ]

    fileprivate struct Entry: Sendable {
        var result: CheckResult
        var namespace: String?
        /// Whether the document is judged (an input), not only the cluster (a `--context` file).
        var judged = true
    }

    /// Parses and checks every document of every source, in input order. The documents of `context`
    /// are the cluster only (Namespaces, peers, OdooEnvironments with their status as promotion
    /// evidence): they are not judged, and an unreadable one is an error result.
    public func check(_ sources: [Source], context: [Source] = []) -> [CheckResult] {
        judge(prepare(sources, context: context))
    }

    /// Parsed input: the documents to judge with their namespaces, and each namespace's context.
    public struct Prepared: Sendable {
        fileprivate let entries: [Entry]
        fileprivate let contexts: [String: EvaluationContext]
        /// Namespaces the input does not declare, checked as the policy's offline default stage.
        fileprivate let undeclared: Set<String>
        /// Documents skipped as not Kubernetes objects (`--skip-non-kubernetes`), by place.
        public let skipped: [String]
        /// Whether nothing was judged.
        public var isEmpty: Bool { entries.isEmpty }
    }

    /// Parses every source (``check(_:context:)`` without the judging), so the registry look-ups the
    /// documents need can be made first (``imageLookups(_:)``).
    public func prepare(_ sources: [Source], context: [Source] = []) -> Prepared {
        let all = sources + context
        var entries: [Entry] = []
        var skipped: [String] = []
        // Files parse independently: a directory of many small files uses every core too.
        let parsed = Parallel.map(count: all.count) { i in ManifestReader.read(all[i].bytes, format: all[i].format) }
        for (position, (source, documents)) in zip(all, parsed).enumerated() {
            let judged = position < sources.count
            let first = entries.count
            for document in documents {
                for entry in Self.entries(of: document, file: source.name) {
                    if skipNonKubernetes, entry.result.error?.message.hasPrefix(Self.notKubernetes) == true {
                        skipped.append("\(source.name): document \(document.index) (line \(document.line))")
                    } else {
                        entries.append(entry)
                    }
                }
            }
            for index in first..<entries.count where !judged && entries[index].result.error == nil { entries[index].judged = false }
        }
        let declared = Set(entries.compactMap { $0.result.object }.filter { $0.kind == "Namespace" }.map(\.name))
        let undeclared = stageOverride == nil ? Set(entries.compactMap(\.namespace)).subtracting(declared) : []
        return Prepared(entries: entries.filter(\.judged), contexts: buildContexts(entries), undeclared: undeclared, skipped: skipped)
    }

    /// The registry look-ups of every judged document (as the webhook would make them), merged:
    /// each image once, at most ``maximumLookups``.
    public func imageLookups(_ prepared: Prepared) -> [ImageLookup] {
        var seen = Set<ImageLookup>()
        var result: [ImageLookup] = []
        for (index, entry) in prepared.entries.enumerated() {
            guard let object = entry.result.object else { continue }
            let context = entry.namespace.flatMap { prepared.contexts[$0] } ?? EvaluationContext(namespace: nil, now: now)
            for lookup in evaluator.imageLookups(for: request(for: object, namespace: entry.namespace, index: index), context: context)
            where seen.insert(lookup).inserted {
                result.append(lookup)
                if result.count == Self.maximumLookups { return result }
            }
        }
        return result
    }

    /// Most registry look-ups one check makes.
    public static let maximumLookups = 1_000

    /// Judges prepared documents, with the registry facts looked up for them (`nil`: offline, the
    /// provenance rules do not run).
    public func judge(_ prepared: Prepared, provenance: ImageProvenanceFacts? = nil) -> [CheckResult] {
        let entries = prepared.entries
        return Parallel.map(count: entries.count) { index in
            var result = entries[index].result
            if let object = result.object {
                let namespace = entries[index].namespace
                var context = namespace.flatMap { prepared.contexts[$0] } ?? EvaluationContext(namespace: nil, now: now)
                context.provenance = provenance
                var decision = evaluator.evaluate(request(for: object, namespace: namespace, index: index), context: context, phase: phase)
                if let namespace, prepared.undeclared.contains(namespace) {
                    decision.warnings.append("namespace \(namespace) is not declared in the input, so it is checked as stage \(evaluator.policy.offlineDefaultStage) (the policy's offlineDefaultStage); declare the Namespace with its odooguard.io/stage label, or pass --stage")
                }
                result.decision = decision
            }
            return result
        }
    }

    /// The start of the error of a document that is not a Kubernetes object.
    static let notKubernetes = "not a Kubernetes object"

    /// The entries of one parsed document (a `List` gives one per item).
    private static func entries(of document: ManifestDocument, file: String) -> [Entry] {
        let base = CheckResult(file: file, document: document.index, item: nil, line: document.line)
        switch document.result {
        case .failure(let error):
            var result = base
            result.error = error
            return [Entry(result: result, namespace: nil)]
        case .success(let value):
            return expand(value).map { item, object in
                var result = base
                result.item = item
                guard case .object = object else {
                    result.error = KubeModelError.invalidObject("a manifest must be a mapping, found \(object.typeDescription)",
                                                  document: document.index, line: document.line)
                    return Entry(result: result, namespace: nil)
                }
                let view = KubeObject(object)
                guard !view.apiVersion.isEmpty, !view.kind.isEmpty else {
                    result.error = KubeModelError.invalidObject("\(notKubernetes): it has no apiVersion or kind (a RoutingSpec goes to guard-traefik); pass --skip-non-kubernetes to skip such documents",
                                                  document: document.index, line: document.line)
                    return Entry(result: result, namespace: nil)
                }
                result.object = view
                let namespace = OfflineChecker.clusterScopedKinds.contains(view.kind) ? nil : (view.namespace ?? "default")
                return Entry(result: result, namespace: namespace)
            }
        }
    }

    /// A `List` document's items with their 1-based positions; any other document as itself.
    private static func expand(_ value: JSONValue) -> [(Int?, JSONValue)] {
        guard let items = ManifestReader.listItems(value) else { return [(nil, value)] }
        return items.enumerated().map { ($0.offset + 1, $0.element) }
    }

    private func buildContexts(_ entries: [Entry]) -> [String: EvaluationContext] {
        var declared: [String: [String: String]] = [:]
        var peers: [String: [KubeObject]] = [:]
        for entry in entries {
            guard let object = entry.result.object else { continue }
            if object.kind == "Namespace", !object.name.isEmpty { declared[object.name] = object.labels }
            if let namespace = entry.namespace { peers[namespace, default: []].append(withConnectionBudget(object, namespace: namespace)) }
        }
        let environments = entries.compactMap(\.result.object).filter { $0.kind == "OdooEnvironment" }
        var contexts: [String: EvaluationContext] = [:]
        for (namespace, objects) in peers {
            var labels = declared[namespace] ?? [:]
            if let stageOverride {
                labels[GuardLabels.stage] = stageOverride.rawValue
            } else if declared[namespace] == nil {
                labels[GuardLabels.stage] = evaluator.policy.offlineDefaultStage.rawValue
            }
            var context = EvaluationContext(namespace: NamespaceContext(name: namespace, labels: labels), peers: objects, now: now)
            context.environments = { environments }
            contexts[namespace] = context
        }
        return contexts
    }

    /// An OdooEnvironment of the input with `status.connectionBudget` as the operator would record it
    /// (planned with the built-in operator configuration and this policy's tiers), so its autoscalers
    /// are judged offline as in the cluster; any other object, one that records a budget already or
    /// one that does not plan (its own decision reports why), as it is.
    func withConnectionBudget(_ object: KubeObject, namespace: String) -> KubeObject {
        guard object.kind == "OdooEnvironment", object.raw["status"]?["connectionBudget"] == nil,
              let configuration = try? OperatorConfiguration.builtIn().withTiers(of: evaluator.policy),
              let environment = try? OdooEnvironment.decode(object.raw, defaultNamespace: namespace),
              let record = (try? OdooPlanner(configuration: configuration).plan(environment, now: now))?.connectionRecord else { return object }
        var raw = object.raw
        raw.set(record.json, at: FieldPath([.key("status"), .key("connectionBudget")]))
        return KubeObject(raw)
    }

    private func request(for object: KubeObject, namespace: String?, index: Int) -> AdmissionRequest {
        let gvk = object.gvk
        return AdmissionRequest(
            uid: "guardctl-\(index)", kind: gvk,
            resource: ResourceType.of(gvk).gvr,
            name: object.name, namespace: namespace, operation: .create,
            userInfo: user, object: object.raw)
    }

    /// 0 when every document is allowed, 1 when any is denied, 2 when any could not be read.
    public static func exitCode(_ results: [CheckResult]) -> Int32 {
        if results.contains(where: { $0.error != nil }) { return 2 }
        return results.allSatisfy(\.allowed) ? 0 : 1
    }
}
