import Foundation
import KubeModel

/// `image.promoted`: a production OdooEnvironment may only run a digest (its Odoo image and each addon
/// image) that an environment of a lower stage in its promotion group ran `Ready` for at least the
/// policy's soak time, as that environment's `status.readyHistory` records. The webhook reads the
/// environments from its cache; `guardctl check` from its input and `--context` files.
enum PromotionRules {
    /// Judges a production environment's new digests; returns the audit evidence of the proven ones
    /// (`promoted-from`: each digest's environment and soak).
    static func check(_ input: RuleInput, into findings: inout [Finding]) -> [String: String] {
        guard input.stage == .production, let environment = OdooEnvironmentView(input.object) else { return [:] }
        var digests: [(path: FieldPath, digest: String)] = []
        // An environment entering production (created, or moved from a lower stage) proves every digest it runs.
        let old = input.oldObject.flatMap(OdooEnvironmentView.init).flatMap { $0.stage == .production ? $0 : nil }
        if old?.image != environment.image || old == nil, let digest = environment.image.flatMap(ImageReference.sha256Digest(of:)) {
            digests.append(("spec.image", digest))
        }
        if old == nil || old?.addonImages.map(\.image) != environment.addonImages.map(\.image) {
            for (index, image) in environment.addonImages {
                if let digest = ImageReference.sha256Digest(of: image) { digests.append((FieldPath("spec.addons") / index / "image", digest)) }
            }
        }
        guard !digests.isEmpty else { return [:] }  // unpinned images: image.digest-pinned reports them
        let policy = input.policy.promotion
        guard let group = environment.object.labels[policy.groupLabel], !group.isEmpty else {
            findings.append(Finding(rule: .imagePromoted, path: FieldPath([.key("metadata"), .key("labels"), .key(policy.groupLabel)]), message:
                "a production environment runs only images proven in \(policy.fromStages.map(\.rawValue).joined(separator: " or ")); label it \(policy.groupLabel)=<application> like the environments that prove them"))
            return [:]
        }
        let sources = input.context.environments().compactMap { object -> (name: String, history: [ReadyPeriod])? in
            let stage = object.raw["spec"]?["stage"]?.stringValue.flatMap(Stage.init(rawValue:))
            guard let stage, policy.fromStages.contains(stage), object.labels[policy.groupLabel] == group else { return nil }
            return ("\(object.namespace ?? "")/\(object.name)", ReadyPeriod.recorded(object.raw["status"]))
        }
        let now = input.context.now
        let soak = TimeInterval(policy.minSoakHours) * 3600
        var proofs: [String] = []
        for (path, digest) in digests {
            let periods = sources.flatMap { source in source.history.filter { $0.ran(digest: digest) }.map { (source.name, $0) } }
            if let proof = periods.first(where: { $0.1.duration(at: now) >= soak }) {
                proofs.append("\(digest) \(proof.0) \(Self.hours(proof.1.duration(at: now)))")
                continue
            }
            let best = periods.max { $0.1.duration(at: now) < $1.1.duration(at: now) }
            let seen = best.map { "the longest run was \($0.0), Ready for \(Self.hours($0.1.duration(at: now))) since \(Timestamp.format($0.1.readySince))" }
                ?? "no \(policy.fromStages.map(\.rawValue).joined(separator: " or ")) environment labelled \(policy.groupLabel)=\(group) has run it Ready"
            findings.append(Finding(rule: .imagePromoted, path: path, message:
                "\(digest) must first run Ready for \(policy.minSoakHours) h in \(policy.fromStages.map(\.rawValue).joined(separator: " or ")) (\(policy.groupLabel)=\(group)); \(seen): promote the digest staging ran, or let it soak"))
        }
        return proofs.isEmpty ? [:] : ["promoted-from": proofs.joined(separator: ",")]
    }

    static func hours(_ seconds: TimeInterval) -> String { String(format: "%.1f h", seconds / 3600) }
}
