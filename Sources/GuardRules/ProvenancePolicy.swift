import Crypto
import KubeModel

/// `spec.provenance` of a GuardPolicy: how images are resolved to digests and whose signatures are
/// trusted. Which stages resolve and verify is set per stage (``StagePolicy/resolveDigests``,
/// ``StagePolicy/requireSignatures``).
public struct ProvenancePolicy: Sendable, Equatable {
    /// Total time one admission may spend on registry look-ups; the webhook's own timeout must be longer.
    public var budget: Duration
    /// Registries (`host:port`) spoken to over plain HTTP instead of HTTPS (loopback and dev registries).
    public var insecureRegistries: [String]
    /// Trusted cosign public keys, per registry/repository pattern.
    public var trustedKeys: [TrustedKeySet]
    /// How long a successful look-up is reused.
    public var cacheTTL: Duration
    /// How long a failed look-up (unreachable, not found, rejected) is reused; shorter, so fixes show quickly.
    public var failureCacheTTL: Duration
    /// How many look-ups the cache keeps before dropping the least recently used.
    public var cacheSize: Int

    /// A provenance policy; the defaults are those of an empty `spec.provenance`.
    public init(budget: Duration = .seconds(3), insecureRegistries: [String] = [], trustedKeys: [TrustedKeySet] = [],
                cacheTTL: Duration = .seconds(300), failureCacheTTL: Duration = .seconds(30), cacheSize: Int = 10_000) {
        self.budget = budget
        self.insecureRegistries = insecureRegistries
        self.trustedKeys = trustedKeys
        self.cacheTTL = cacheTTL
        self.failureCacheTTL = failureCacheTTL
        self.cacheSize = cacheSize
    }

    /// Every key trusted for an image name (`registry/repository`): the union of all matching sets,
    /// in policy order, without repeats.
    public func keys(for name: String) -> [TrustedKey] {
        var result: [TrustedKey] = []
        for set in trustedKeys where set.patterns.contains(where: { $0.allows(name) }) {
            for key in set.keys where !result.contains(key) { result.append(key) }
        }
        return result
    }
}

/// Keys trusted for the repositories matching any of ``repositories``.
public struct TrustedKeySet: Sendable, Equatable {
    /// Registry/repository patterns, as in `allowedRegistries` (`registry.example.com/odoo/*`).
    public var repositories: [String] {
        didSet { patterns = repositories.map(RegistryPattern.init) }
    }
    /// The keys.
    public var keys: [TrustedKey]
    private(set) var patterns: [RegistryPattern]

    /// A key set.
    public init(repositories: [String], keys: [TrustedKey]) {
        self.repositories = repositories
        self.keys = keys
        patterns = repositories.map(RegistryPattern.init)
    }
}

/// A cosign public key (ECDSA P-256), named for messages. Equal when the key material is equal.
public struct TrustedKey: Sendable, Hashable, CustomStringConvertible {
    /// The name messages use (`release-2026`).
    public let name: String
    /// The key's DER SubjectPublicKeyInfo (the key type itself is not `Sendable`).
    public let derRepresentation: [UInt8]
    /// SHA-256 of the key's DER SubjectPublicKeyInfo, hex: identifies the key in cache keys and audit records.
    public let fingerprint: String

    /// Reads a PEM `PUBLIC KEY` block.
    /// - Throws: ``GuardRulesError`` `invalidPolicy` when the text is not an ECDSA P-256 public key.
    public init(name: String, pem: String) throws(GuardRulesError) {
        let key: P256.Signing.PublicKey
        do {
            key = try P256.Signing.PublicKey(pemRepresentation: pem.trimmingWhitespace())
        } catch {
            throw GuardRulesError.invalidPolicy("key \"\(name)\" is not a PEM ECDSA P-256 public key (cosign's -----BEGIN PUBLIC KEY----- block)")
        }
        self.init(name: name, publicKey: key)
    }

    /// A key from its value.
    public init(name: String, publicKey: P256.Signing.PublicKey) {
        self.name = name
        derRepresentation = Array(publicKey.derRepresentation)
        fingerprint = Hex.encode(SHA256.hash(data: derRepresentation))
    }

    /// The key, for verifying (always readable: it was read once at construction).
    public var publicKey: P256.Signing.PublicKey? { try? P256.Signing.PublicKey(derRepresentation: derRepresentation) }

    /// Equal key material.
    public static func == (lhs: TrustedKey, rhs: TrustedKey) -> Bool { lhs.fingerprint == rhs.fingerprint }
    /// Hashes the fingerprint.
    public func hash(into hasher: inout Hasher) { hasher.combine(fingerprint) }
    /// `name (sha256:abcdef012345…)`.
    public var description: String { "\(name) (sha256:\(fingerprint.prefix(12)))" }
}
