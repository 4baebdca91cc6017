import Foundation
import KubeModel

/// A namespaced `GuardException`: a time-boxed, approved waiver of named rules for chosen objects of
/// its namespace. It stops applying by itself at `spec.expiresAt`.
public struct GuardException: Sendable, Equatable {
    /// The kind, as objects and peers name it.
    public static let kind = "GuardException"

    /// Which objects an exception covers: a kind with a name or name glob.
    public struct Target: Sendable, Equatable {
        /// The object kind (`Deployment`).
        public var kind: String
        /// The object name or a glob (`legacy-*`).
        public var name: String
    }

    /// `metadata.namespace`.
    public var namespace: String
    /// `metadata.name`.
    public var name: String
    /// The waived rules.
    public var rules: [RuleID]
    /// Objects covered by kind and name.
    public var targets: [Target]
    /// Objects covered by labels.
    public var selector: LabelSelector?
    /// Who approved the exception.
    public var approver: String
    /// Why it is needed.
    public var reason: String
    /// A change or ticket reference, when given.
    public var ticket: String?
    /// When it stops applying.
    public var expiresAt: Date
    /// Vulnerability ids (`CVE-2024-1234`) it accepts in scan attestations. When set, the exception
    /// waives `image.scan-attested` for these findings only, never for a missing, old or untrusted scan.
    public var vulnerabilities: [String] = []

    /// Decodes an exception, collecting every field problem; `now` places an `expiresIn` of an
    /// exception not yet created (see ``Expiry``).
    /// - Returns: the exception, or a ``GuardRulesError`` `invalidException` listing every problem.
    public static func decode(_ object: KubeObject, now: Date) -> Result<GuardException, GuardRulesError> {
        var reader = FieldReader()
        let spec = reader.object(object.raw["spec"], "spec", required: true) ?? [:]
        let path: FieldPath = "spec"
        reader.unknownKeys(spec, allowed: ["rules", "targets", "selector", "approver", "reason", "ticket", "expiresAt", "expiresIn", "vulnerabilities"], path)
        let rules = reader.ruleIDs(spec["rules"], path / "rules")
        if spec["rules"] == nil || (rules.isEmpty && reader.errors.isEmpty) {
            reader.errors.append(.required(path / "rules", "must name at least one rule id"))
        }
        var targets: [Target] = []
        if let raw = spec["targets"], !raw.isNull {
            for (i, item) in (raw.arrayValue ?? []).enumerated() {
                let kind = reader.string(item["kind"], path / "targets" / i / "kind", required: true) ?? ""
                let name = reader.string(item["name"], path / "targets" / i / "name", required: true) ?? ""
                targets.append(Target(kind: kind, name: name))
            }
            if raw.arrayValue == nil { reader.errors.append(.invalid(path / "targets", "must be a list of {kind, name}")) }
        }
        let selector = reader.selector(spec["selector"], path / "selector")
        if targets.isEmpty && (selector?.isEmpty ?? true) {
            reader.errors.append(.required(path / "targets", "name the objects covered with targets or a non-empty selector"))
        }
        let approver = reader.string(spec["approver"], path / "approver", required: true) ?? ""
        let reason = reader.string(spec["reason"], path / "reason", required: true) ?? ""
        let ticket = reader.string(spec["ticket"], path / "ticket")
        let expiresAt = reader.expiry(spec, object: object, now: now, path)
        let vulnerabilities = Self.decodeVulnerabilities(spec["vulnerabilities"], rules: rules, path: path, reader: &reader)
        guard reader.errors.isEmpty else {
            return .failure(GuardRulesError.invalidException("GuardException \(object.namespace ?? "")/\(object.name) is invalid",
                                            fieldErrors: reader.errors))
        }
        return .success(GuardException(namespace: object.namespace ?? "", name: object.name, rules: rules, targets: targets,
                                       selector: selector, approver: approver, reason: reason, ticket: ticket, expiresAt: expiresAt,
                                       vulnerabilities: vulnerabilities))
    }

    /// `spec.vulnerabilities`: ids without spaces, and only alongside `image.scan-attested`.
    private static func decodeVulnerabilities(_ raw: JSONValue?, rules: [RuleID], path: FieldPath, reader: inout FieldReader) -> [String] {
        guard let ids = reader.strings(raw, path / "vulnerabilities") else { return [] }
        for (i, id) in ids.enumerated() where id.isEmpty || id.utf8.count > 64 || id.contains(where: \.isWhitespace) {
            reader.errors.append(.invalid(path / "vulnerabilities" / i, "must be a vulnerability id such as CVE-2024-1234"))
        }
        if !ids.isEmpty && !rules.contains(.imageScanAttested) {
            reader.errors.append(.invalid(path / "vulnerabilities", "only applies with rule image.scan-attested; add it to spec.rules"))
        }
        return ids
    }

    /// Whether it waives `rule` as a whole: an exception naming vulnerabilities waives only those
    /// findings of `image.scan-attested` (the rule itself reads them), never the rule.
    public func waivesWholly(_ rule: RuleID) -> Bool {
        rules.contains(rule) && !(rule == .imageScanAttested && !vulnerabilities.isEmpty)
    }

    /// Whether the exception covers an object (by target or selector), regardless of time and rule.
    public func covers(_ object: KubeObject) -> Bool {
        if let namespace = object.namespace, !self.namespace.isEmpty, namespace != self.namespace { return false }
        if targets.contains(where: { $0.kind == object.kind && Glob.matches($0.name, object.name) }) { return true }
        if let selector, !selector.isEmpty, selector.matches(object.labels) { return true }
        return false
    }

    /// Whether it still applies at `now`.
    public func isActive(at now: Date) -> Bool { now < expiresAt }
}
