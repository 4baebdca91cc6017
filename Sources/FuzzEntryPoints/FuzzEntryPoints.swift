import Foundation
import GuardRules
import KubeModel
import OdooPlan

/// What the fuzzers run on each input, and the corpus replay in `swift test` runs too: the decoders
/// and the evaluator as the webhook and `guardctl` use them. Each call returns the broken promises it
/// noticed (empty for every input, whatever its bytes); a trap or a hang is the other kind of finding.
///
/// Pure, like the targets it exercises: no I/O, a fixed clock, the built-in policy and configuration.
public enum FuzzEntryPoints {
    private static let policy = (try? GuardPolicy.builtIn()) ?? .empty
    private static let evaluator = GuardEvaluator(policy: policy)
    private static let configuration = try? OperatorConfiguration.builtIn()
    private static let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// One AdmissionReview body: parse, decode, then evaluate in both phases for every stage, and
    /// check that each patch turns the object into the mutated object and that the response encodes.
    @discardableResult
    public static func review(_ bytes: [UInt8]) -> [String] {
        guard let json = try? JSONParser.parse(bytes), let request = try? AdmissionReview(json: json).request else { return [] }
        return evaluate(request, requestBytes: bytes.count)
    }

    /// The response-size oracle (issue #33): an answer, before the last guard of
    /// ``AdmissionResponse/bounded()``, is at most ``responseFactor`` × the request plus
    /// ``responseConstant`` bytes, and never over ``OutputBudget/responseBytes``.
    public static let responseFactor = 4
    /// The constant of the response-size oracle: what a small request may be answered (policy text in
    /// messages, a patch of defaults for a few containers).
    public static let responseConstant = 64 * 1_024

    /// One YAML or JSON stream: every document through the manifest reader, then by kind through
    /// GuardPolicy decoding, OdooEnvironment decoding and planning, and evaluation as a CREATE.
    @discardableResult
    public static func manifest(_ bytes: [UInt8]) -> [String] {
        var items: [JSONValue] = []
        for document in ManifestReader.read(bytes) {
            guard case .success(let value) = document.result else { continue }
            items += ManifestReader.listItems(value) ?? [value]
        }
        // As in `guardctl check`, the stream is the cluster: every object is judged among the others.
        let peers = items.map(KubeObject.init)
        return items.flatMap { judge($0, peers: peers) }
    }

    private static func judge(_ value: JSONValue, peers: [KubeObject]) -> [String] {
        let object = KubeObject(value)
        switch object.kind {
        case "GuardPolicy":
            _ = try? GuardPolicy(json: value)
        case "OdooEnvironment":
            if let configuration, let environment = try? OdooEnvironment.decode(value, defaultNamespace: "clinic") {
                _ = try? OdooPlanner(configuration: configuration).plan(environment)
            }
        default:
            break
        }
        let request = AdmissionRequest(uid: "fuzz", kind: object.gvk, resource: GroupVersionResource(group: object.gvk.group, version: object.gvk.version, resource: ""),
                                       name: object.name, namespace: object.namespace ?? "clinic", operation: .create,
                                       userInfo: UserInfo(username: "fuzz"), object: value)
        return evaluate(request, requestBytes: value.serializedBytes().count, peers: peers)
    }

    private static func evaluate(_ request: AdmissionRequest, requestBytes: Int, peers extra: [KubeObject] = []) -> [String] {
        var problems: [String] = []
        for stage in GuardPolicy.stages {
            let namespace = NamespaceContext(name: request.namespace ?? "clinic", labels: [GuardLabels.stage: stage, GuardLabels.tier: "shared"])
            let peers = extra.isEmpty ? [request.object, request.oldObject].compactMap { $0 }.map(KubeObject.init) : extra
            let context = EvaluationContext(namespace: namespace, peers: peers, now: now)
            _ = evaluator.imageLookups(for: request, context: context)
            for phase in [EvaluationPhase.combined, .validating] {
                let decision = evaluator.evaluate(request, context: context, phase: phase)
                if !decision.patch.isEmpty, let original = request.object {
                    // The patch is the API server's input: it must apply and give exactly the mutated object.
                    let patched = try? decision.patch.apply(to: original)
                    if patched != decision.mutatedObject { problems.append("\(stage)/\(phase): the patch does not give the mutated object") }
                }
                for mutating in [false, true] {
                    let body = AdmissionResponse(answering: request, decision: decision, mutating: mutating).reviewBytes()
                    if (try? JSONParser.parse(body)) == nil {
                        problems.append("\(stage)/\(phase): the response does not parse back")
                    }
                    let bound = min(OutputBudget.responseBytes, responseFactor * requestBytes + responseConstant)
                    if body.count > bound {
                        problems.append("\(stage)/\(phase)/\(mutating ? "mutate" : "validate"): a response of \(body.count) bytes for a request of \(requestBytes)")
                    }
                }
            }
        }
        return problems
    }
}
