import Foundation
import KubeModel

/// A namespaced `ChangeApproval`: someone other than the deployer approves one production change of
/// one OdooEnvironment, named by its change reference and, for a new image or addon set, by digests.
/// Its approver is never typed: the mutating webhook stamps it from the creating request's
/// authenticated user, and the validating webhook refuses any later edit of the spec.
public struct ChangeApproval: Sendable, Equatable {
    /// The user who created it, as the API server authenticated them.
    public struct Approver: Sendable, Equatable {
        /// The user name.
        public var user: String
        /// Their groups.
        public var groups: [String]
    }

    /// `metadata.namespace`.
    public var namespace: String
    /// `metadata.name`.
    public var name: String
    /// The change reference it approves (the environment's `odooguard.io/change-ref`).
    public var changeReference: String
    /// The OdooEnvironment it approves a change of.
    public var environment: String
    /// The digest (`sha256:…`) of the Odoo image it approves, when it approves an image.
    public var imageDigest: String?
    /// The digests of the addon images it approves, when it approves an addon set.
    public var addonDigests: [String]?
    /// When it stops applying.
    public var expiresAt: Date
    /// Why.
    public var reason: String
    /// Who approved: stamped by the webhook.
    public var approver: Approver?

    /// Decodes an approval, collecting every field problem; `now` places an `expiresIn` of an
    /// approval not yet created (see ``Expiry``).
    /// - Returns: the approval, or a ``GuardRulesError`` `invalidApproval` listing every problem.
    public static func decode(_ object: KubeObject, now: Date) -> Result<ChangeApproval, GuardRulesError> {
        var reader = FieldReader()
        let spec = reader.object(object.raw["spec"], "spec", required: true) ?? [:]
        let path: FieldPath = "spec"
        reader.unknownKeys(spec, allowed: ["changeRef", "target", "expiresAt", "expiresIn", "reason", "approver"], path)
        let reference = reader.string(spec["changeRef"], path / "changeRef", required: true) ?? ""
        let target = reader.object(spec["target"], path / "target", required: true) ?? [:]
        reader.unknownKeys(target, allowed: ["environment", "image", "addons"], path / "target")
        let environment = reader.string(target["environment"], path / "target" / "environment", required: true) ?? ""
        let image = reader.string(target["image"], path / "target" / "image").flatMap { Self.digest($0, at: path / "target" / "image", &reader) }
        var addons: [String]?
        if let texts = reader.strings(target["addons"], path / "target" / "addons") {
            addons = texts.enumerated().compactMap { Self.digest($0.element, at: path / "target" / "addons" / $0.offset, &reader) }
        }
        let reason = reader.string(spec["reason"], path / "reason", required: true) ?? ""
        let expiresAt = reader.expiry(spec, object: object, now: now, path)
        var approver: Approver?
        if let fields = reader.object(spec["approver"], path / "approver") {
            approver = Approver(user: reader.string(fields["user"], path / "approver" / "user") ?? "",
                                groups: reader.strings(fields["groups"], path / "approver" / "groups") ?? [])
        }
        guard reader.errors.isEmpty else {
            return .failure(GuardRulesError.invalidApproval("ChangeApproval \(object.namespace ?? "")/\(object.name) is invalid",
                                                            fieldErrors: reader.errors))
        }
        return .success(ChangeApproval(namespace: object.namespace ?? "", name: object.name, changeReference: reference,
                                       environment: environment, imageDigest: image, addonDigests: addons, expiresAt: expiresAt,
                                       reason: reason, approver: approver))
    }

    /// The `sha256:…` digest of an image reference or of a bare digest; a field error otherwise.
    static func digest(_ text: String, at path: FieldPath, _ reader: inout FieldReader) -> String? {
        if let digest = ImageReference.sha256Digest(of: text) { return digest }
        reader.errors.append(.invalid(path, "must be an image pinned by digest (repository@sha256:<64 hex>) or the digest itself"))
        return nil
    }

    /// Whether it still applies at `now`.
    public func isActive(at now: Date) -> Bool { now < expiresAt }
}
