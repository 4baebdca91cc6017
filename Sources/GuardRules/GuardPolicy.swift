import KubeModel

/// The cluster-scoped `GuardPolicy` (group `odooguard.io`, `v1alpha1`): what every rule checks and
/// how strictly, per stage and tier. Decoded from its CRD form by ``init(json:)``, which reports every
/// invalid field at once.
public struct GuardPolicy: Sendable {
    /// The stages a namespace can be in (``Stage``'s values).
    public static let stages = Stage.allCases.map(\.rawValue)
    /// The tiers an environment can be in (``Tier``'s values).
    public static let tiers = Tier.allCases.map(\.rawValue)

    /// `metadata.name`.
    public var name: String
    /// A version for audit records: the `odooguard.io/policy-version` annotation, else a content hash.
    public var version: String
    /// Base mode of each rule; rules not listed use ``defaultMode``.
    public var ruleModes: [RuleID: RuleMode]
    /// Mode of rules not in ``ruleModes``.
    public var defaultMode: RuleMode
    /// Settings per stage.
    public var stages: [Stage: StagePolicy]
    /// Settings per tier.
    public var tiers: [Tier: TierPolicy]
    /// Which resources must be requested and limited, and whether defaults are injected.
    public var resources: ResourcePolicy
    /// Credential detection and injection.
    public var secrets: SecretPolicy
    /// Disruption budget requirements.
    public var pdb: PDBPolicy
    /// Limits on GuardExceptions.
    public var exceptions: ExceptionPolicy
    /// Digest resolution and signature verification against the registries.
    public var provenance: ProvenancePolicy = ProvenancePolicy()
    /// What a vulnerability-scan attestation must show where a stage requires one.
    public var scanAttestation: ScanAttestationPolicy = ScanAttestationPolicy()
    /// The Pod Security Standards levels per stage, their version, and the webhook's mode for them.
    public var podSecurity: PodSecuritySettings = PodSecuritySettings()
    /// Who may change a governed namespace's stage, tier and Pod Security labels.
    public var platformAdmins: PlatformAdmins = PlatformAdmins()
    /// Production change control: approvers, separation of duties, risk tiers.
    public var changeApproval: ChangeApprovalPolicy = ChangeApprovalPolicy()
    /// Promotion evidence: how long, and where, a digest runs before production.
    public var promotion: PromotionPolicy = PromotionPolicy()
    /// What a refresh from production masks before a non-production environment starts (`spec.dataMasking`).
    public var dataMasking: DataMaskingPolicy = DataMaskingPolicy()
    /// Node pools by tier and stage, reserved taints and production web's zone spread.
    public var placement: PlacementPolicy = PlacementPolicy()
    /// Objects and users some or all rules do not apply to.
    public var exemptions: [Exemption]
    /// Stage assumed for namespaces without the stage label when checking offline.
    public var offlineDefaultStage: Stage
    /// Tier assumed for namespaces without the tier label.
    public var defaultTier: Tier

    /// The mode of a rule in a stage: the stage's override, else the rule's base mode, else the default.
    public func mode(of rule: RuleID, stage: Stage?) -> RuleMode {
        if let stage, let override = stages[stage]?.modes[rule] { return override }
        return ruleModes[rule] ?? defaultMode
    }
}

/// What a stage requires.
public struct StagePolicy: Sendable, Equatable {
    /// Registry/repository patterns images may come from (`registry.example.com/odoo/*`; `*` for any).
    public var allowedRegistries: [String] {
        didSet { registryPatterns = allowedRegistries.map(RegistryPattern.init) }
    }
    /// ``allowedRegistries``, compiled once for matching.
    private(set) var registryPatterns: [RegistryPattern]

    /// Whether an image name (`registry/repository`) comes from an allowed registry.
    func allows<Name: StringProtocol>(_ name: Name) -> Bool { registryPatterns.contains { $0.allows(name) } }
    /// Whether images must be pinned by sha256 digest.
    public var requireDigest: Bool
    /// Whether the mutating webhook pins `repo:tag` images to the digest the tag points at (`image.digest-resolve`).
    public var resolveDigests: Bool
    /// Whether images need a cosign signature by a trusted key (`image.signature-required`).
    public var requireSignatures: Bool
    /// Whether new images need a trusted, recent vulnerability-scan attestation without blocking
    /// findings (`image.scan-attested`).
    public var requireScanAttestation: Bool = false
    /// Per-rule mode overrides in this stage.
    public var modes: [RuleID: RuleMode]

    /// A stage policy.
    public init(allowedRegistries: [String] = ["*"], requireDigest: Bool = false, resolveDigests: Bool = false,
                requireSignatures: Bool = false, modes: [RuleID: RuleMode] = [:]) {
        self.allowedRegistries = allowedRegistries
        self.registryPatterns = allowedRegistries.map(RegistryPattern.init)
        self.requireDigest = requireDigest
        self.resolveDigests = resolveDigests
        self.requireSignatures = requireSignatures
        self.modes = modes
    }
}

/// Requests, limits and maxima of a tier, by resource name (`cpu`, `memory`, `ephemeral-storage`).
public struct TierPolicy: Sendable, Equatable {
    /// Requests filled in where a container has none.
    public var defaultRequests: [String: Quantity] {
        didSet { sortedDefaultRequests = defaultRequests.sorted { $0.key < $1.key } }
    }
    /// Limits filled in where a container has none.
    public var defaultLimits: [String: Quantity] {
        didSet { sortedDefaultLimits = defaultLimits.sorted { $0.key < $1.key } }
    }
    /// ``defaultRequests`` in name order, computed once (the mutation walks them per container).
    private(set) var sortedDefaultRequests: [(key: String, value: Quantity)]
    /// ``defaultLimits`` in name order.
    private(set) var sortedDefaultLimits: [(key: String, value: Quantity)]
    /// Largest request or limit a container may have.
    public var maximum: [String: Quantity] {
        didSet { sortedMaximum = maximum.sorted { $0.key < $1.key } }
    }
    /// ``maximum`` in name order (the resource rules walk it per container).
    private(set) var sortedMaximum: [(key: String, value: Quantity)]

    /// Equal when the policy values are equal (the sorted copies follow from them).
    public static func == (lhs: TierPolicy, rhs: TierPolicy) -> Bool {
        lhs.defaultRequests == rhs.defaultRequests && lhs.defaultLimits == rhs.defaultLimits && lhs.maximum == rhs.maximum
    }

    /// A tier policy.
    public init(defaultRequests: [String: Quantity] = [:], defaultLimits: [String: Quantity] = [:], maximum: [String: Quantity] = [:]) {
        self.defaultRequests = defaultRequests
        self.defaultLimits = defaultLimits
        self.maximum = maximum
        sortedDefaultRequests = defaultRequests.sorted { $0.key < $1.key }
        sortedDefaultLimits = defaultLimits.sorted { $0.key < $1.key }
        sortedMaximum = maximum.sorted { $0.key < $1.key }
    }
}

/// Which resources every container must request and limit.
public struct ResourcePolicy: Sendable, Equatable {
    /// Whether the mutating webhook fills in the tier's defaults.
    public var injectDefaults: Bool
    /// Resources every container must request.
    public var requireRequests: [String]
    /// Resources every container must limit.
    public var requireLimits: [String]
}

/// One credential the injection mutation can add: an env var filled from a Secret key.
public struct InjectedVariable: Sendable, Equatable {
    /// The env var name.
    public var name: String
    /// The key in the environment's Secret.
    public var key: String
}

/// One injectable credential set (`db`, `redis`, `admin`).
public struct InjectionSource: Sendable, Equatable {
    /// Secret name template; `{environment}` is replaced by the workload's environment.
    public var secretName: String {
        didSet { (namePrefix, nameSuffix) = InjectionSource.split(secretName) }
    }
    /// The env vars it provides.
    public var variables: [InjectedVariable]
    /// The template's bytes before and after `{environment}` (`nil` prefix: no placeholder).
    private var namePrefix: [UInt8]?
    private var nameSuffix: [UInt8]

    /// An injection source.
    public init(secretName: String, variables: [InjectedVariable]) {
        self.secretName = secretName
        self.variables = variables
        (namePrefix, nameSuffix) = InjectionSource.split(secretName)
    }

    private static let placeholder = "{environment}"

    private static func split(_ template: String) -> ([UInt8]?, [UInt8]) {
        guard let marker = template.firstByteOffset(of: placeholder) else { return (nil, []) }
        let bytes = Array(template.utf8)
        return (Array(bytes[..<marker]), Array(bytes[(marker + placeholder.utf8.count)...]))
    }

    /// The Secret name for an environment.
    public func secretName(for environment: String) -> String {
        secretName.replacingBytes(InjectionSource.placeholder, with: environment)
    }

    /// The environment whose Secret this name would be under the template (`clinic` for
    /// `clinic-db` with `{environment}-db`), or `nil` when the name does not fit the template.
    public func environment(ownerOf name: String) -> String? {
        guard let prefix = namePrefix else { return nil }
        let suffix = nameSuffix
        return name.withUTF8Bytes { bytes -> String? in
            guard bytes.count > prefix.count + suffix.count,
                  bytes.starts(with: prefix), bytes[(bytes.count - suffix.count)...].elementsEqual(suffix) else { return nil }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[prefix.count..<(bytes.count - suffix.count)]), as: UTF8.self)
        }
    }
}

/// Credential detection and secret injection settings.
public struct SecretPolicy: Sendable, Equatable {
    /// Upper-case fragments of env var names that hold credentials (`PASSWORD`, `TOKEN`).
    public var credentialNames: [String] {
        didSet { credentialNameBytes = credentialNames.map { Array($0.utf8) } }
    }
    /// Name suffixes that mark a variable as a reference or a setting, not a credential
    /// (`_FILE`, `_URL`, `_TTL`, `_LENGTH`): `PASSWORD_FILE`, `TOKEN_TTL`.
    public var nonCredentialSuffixes: [String] {
        didSet { nonCredentialSuffixBytes = nonCredentialSuffixes.map { Array($0.utf8) } }
    }
    /// The injectable sets by name.
    public var injection: [String: InjectionSource]
    /// ``credentialNames`` as bytes, for matching without allocations.
    private(set) var credentialNameBytes: [[UInt8]]
    /// ``nonCredentialSuffixes`` as bytes.
    private(set) var nonCredentialSuffixBytes: [[UInt8]]

    /// A secret policy.
    public init(credentialNames: [String], nonCredentialSuffixes: [String], injection: [String: InjectionSource]) {
        self.credentialNames = credentialNames
        self.nonCredentialSuffixes = nonCredentialSuffixes
        self.injection = injection
        credentialNameBytes = credentialNames.map { Array($0.utf8) }
        nonCredentialSuffixBytes = nonCredentialSuffixes.map { Array($0.utf8) }
    }
}

/// Disruption budget settings.
public struct PDBPolicy: Sendable, Equatable {
    /// Workloads with at least this many replicas need a PDB.
    public var minReplicas: Int64
    /// Kinds the requirement applies to.
    public var kinds: [String]
}

/// Limits on GuardExceptions.
public struct ExceptionPolicy: Sendable, Equatable {
    /// Longest time an exception may run, from its creation, in days.
    public var maxDays: Int
    /// Rules that no exception may waive.
    public var nonExemptibleRules: [RuleID]
}

/// Objects or users that some or all rules do not apply to.
public struct Exemption: Sendable, Equatable {
    /// Namespaces (exact names or `prefix-*` globs).
    public var namespaces: [String]
    /// Objects whose labels match (`nil`: any object).
    public var objectSelector: LabelSelector?
    /// User names (exact or glob).
    public var users: [String]
    /// Groups.
    public var groups: [String]
    /// The rules waived; empty means all.
    public var rules: [RuleID]
    /// Why, for audit records.
    public var reason: String
}
