/// The stable identifier of a rule (`image.no-latest`). Ids appear in policies, exceptions,
/// messages, metrics and audit records, so they never change meaning.
public struct RuleID: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The id text.
    public let rawValue: String
    /// An id from its text (any text; ``RuleID/known`` tells whether it names a rule).
    public init(rawValue: String) { self.rawValue = rawValue }
    /// An id from a literal.
    public init(stringLiteral value: String) { rawValue = value }
    /// The id text.
    public var description: String { rawValue }
    /// Orders by text.
    public static func < (lhs: RuleID, rhs: RuleID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Images must come from a registry the stage allows.
    public static let imageRegistryAllowed: RuleID = "image.registry-allowed"
    /// Images must name a tag other than `latest` (or a digest).
    public static let imageNoLatest: RuleID = "image.no-latest"
    /// Images must be pinned by sha256 digest where the stage requires it.
    public static let imageDigestPinned: RuleID = "image.digest-pinned"
    /// Mutation: `repo:tag` images are pinned to the digest the tag points at in the registry.
    public static let imageDigestResolve: RuleID = "image.digest-resolve"
    /// Images need a cosign signature over their digest by a key the policy trusts.
    public static let imageSignatureRequired: RuleID = "image.signature-required"
    /// Containers must request CPU and memory.
    public static let resourcesRequestsRequired: RuleID = "resources.requests-required"
    /// Containers must set the limits the policy requires.
    public static let resourcesLimitsRequired: RuleID = "resources.limits-required"
    /// Requests and limits must stay within the tier's maximum.
    public static let resourcesMaximum: RuleID = "resources.maximum"
    /// Mutation: the tier's default requests and limits are filled in where missing.
    public static let resourcesDefaults: RuleID = "resources.defaults"
    /// No credential as a literal env value.
    public static let secretsNoLiteralCredentials: RuleID = "secrets.no-literal-credentials"
    /// No reference to a Secret of another environment.
    public static let secretsForeignSecret: RuleID = "secrets.foreign-secret"
    /// Mutation: environment credentials injected as `secretKeyRef` env entries.
    public static let secretsInjection: RuleID = "secrets.injection"
    /// Multi-replica workloads in governed namespaces need a drain-safe PDB.
    public static let pdbRequired: RuleID = "pdb.required"
    /// PDBs must allow at least one eviction.
    public static let pdbDrainSafe: RuleID = "pdb.drain-safe"
    /// PDBs should let unhealthy pods be evicted (`unhealthyPodEvictionPolicy: AlwaysAllow`).
    public static let pdbUnhealthyEviction: RuleID = "pdb.unhealthy-eviction"
    /// Odoo's database manager listing must be off (`list_db = False`).
    public static let odooListDBDisabled: RuleID = "odoo.list-db-disabled"
    /// Odoo must pin its database with an anchored `dbfilter`.
    public static let odooDBFilterSet: RuleID = "odoo.dbfilter-set"
    /// Odoo's master password must come from a Secret, never a ConfigMap or spec.
    public static let odooAdminPasswdFromSecret: RuleID = "odoo.admin-passwd-from-secret"
    /// Odoo must run with `proxy_mode = True` behind the ingress.
    public static let odooProxyMode: RuleID = "odoo.proxy-mode"
    /// An OdooEnvironment's Odoo major version may only go up (the database is upgraded in place).
    public static let odooNoDowngrade: RuleID = "odoo.no-downgrade"
    /// A production OdooEnvironment has no sleep schedule (`spec.schedule`): it never scales to 0.
    public static let odooProductionNeverSleeps: RuleID = "odoo.production-never-sleeps"
    /// A production OdooEnvironment's change of image or version must carry a change reference
    /// (`odooguard.io/change-ref`).
    public static let odooChangeReference: RuleID = "odoo.change-reference"
    /// A GuardException must be complete, approved and time-boxed.
    public static let exceptionValid: RuleID = "exception.valid"
    /// A GuardPolicy must be valid before it is stored.
    public static let policyValid: RuleID = "policy.valid"
    /// An object that cannot be read as its kind (e.g. `replicas: "two"`).
    public static let objectWellFormed: RuleID = "object.well-formed"

    /// Every rule id the engine knows, in catalogue order.
    public static let all: [RuleID] = [
        .imageRegistryAllowed, .imageNoLatest, .imageDigestPinned, .imageDigestResolve, .imageSignatureRequired,
        .resourcesRequestsRequired, .resourcesLimitsRequired, .resourcesMaximum, .resourcesDefaults,
        .secretsNoLiteralCredentials, .secretsForeignSecret, .secretsInjection,
        .pdbRequired, .pdbDrainSafe, .pdbUnhealthyEviction,
        .odooListDBDisabled, .odooDBFilterSet, .odooAdminPasswdFromSecret, .odooProxyMode, .odooNoDowngrade, .odooProductionNeverSleeps, .odooChangeReference,
        .exceptionValid, .policyValid, .objectWellFormed,
    ] + podSecurityRules + namespaceRules + changeControlRules + capacityRules

    /// Whether the id names a rule of this engine.
    public var isKnown: Bool { RuleID.all.contains(self) }
}

/// How a rule's findings are treated.
public enum RuleMode: String, Sendable, Hashable, CaseIterable {
    /// A finding denies the request.
    case enforce
    /// A finding is returned as a warning; the request is allowed.
    case warn
    /// A finding is only recorded in audit annotations.
    case audit
}
