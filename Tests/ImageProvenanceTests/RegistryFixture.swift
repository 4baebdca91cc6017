import Crypto
import Foundation
import GuardRules
import ImageProvenance
import KubeModel
import Logging
import NIOSSL
import TestSupport

/// A registry started for one test, with helpers to push images and cosign signatures, and a
/// running ``ImageProvenanceService`` to look them up with.
/// (`@unchecked`: the signing key type is not marked `Sendable`; the fixture is only read after set-up.)
struct RegistryFixture: @unchecked Sendable {
    let registry: RegistryServer
    let repository = "odoo/odoo"
    let signingKey = P256.Signing.PrivateKey()
    var trustedKey: TrustedKey { TrustedKey(name: "release", publicKey: signingKey.publicKey) }
    var certDirectory: String?
    var pushCredentials: (user: String, password: String)?

    var name: String { "\(registry.host)/\(repository)" }

    /// Pushes a new single-platform image (or index) under `tag`; returns its digest.
    @discardableResult
    func pushImage(tag: String, seed: String = UUID().uuidString, index: Bool = false) async throws -> String {
        let layout = index ? try OCILayout.index(seed: seed) : try OCILayout.image(seed: seed)
        defer { layout.remove() }
        let (destination, certDirectory, credentials) = ("\(name):\(tag)", certDirectory, pushCredentials.map { Credentials(user: $0.user, password: $0.password) })
        // skopeo blocks: keep it off the cooperative pool, which the servers of other suites share.
        try await offPool { try Skopeo.push(layout, to: destination, certDirectory: certDirectory, credentials: credentials.map { ($0.user, $0.password) }) }
        return layout.digest
    }

    /// Pushes a signature artefact for `digest` with the given layers.
    func pushSignature(for digest: String, layers: [(payload: [UInt8], signature: String)]) async throws {
        let layout = try OCILayout.signatureArtefact(layers)
        defer { layout.remove() }
        let (destination, certDirectory) = ("\(name):\(digest.replacingOccurrences(of: ":", with: "-")).sig", certDirectory)
        let credentials = pushCredentials.map { Credentials(user: $0.user, password: $0.password) }
        try await offPool { try Skopeo.push(layout, to: destination, certDirectory: certDirectory, credentials: credentials.map { ($0.user, $0.password) }) }
    }

    /// Signs `digest` the way `cosign sign --key` does, with `key` (the fixture's key by default).
    func sign(_ digest: String, key: P256.Signing.PrivateKey? = nil, reference: String? = nil) async throws {
        let payload = CosignTestSigner.payload(digest: digest, reference: reference ?? name)
        try await pushSignature(for: digest, layers: [(payload, try CosignTestSigner.sign(payload, with: key ?? signingKey))])
    }

    /// A policy that resolves and verifies with the fixture's key over plain HTTP.
    func policy(budget: Duration = .seconds(3)) -> ProvenancePolicy {
        ProvenancePolicy(budget: budget, insecureRegistries: certDirectory == nil ? [registry.host] : [],
                         trustedKeys: [TrustedKeySet(repositories: ["\(registry.host)/*"], keys: [trustedKey])])
    }

    func reference(_ tag: String) throws -> ImageReference { try ImageReference(parsing: "\(name):\(tag)") }

    func lookup(_ image: String, resolve: Bool = true, keys: [TrustedKey]? = nil) throws -> ImageLookup {
        let reference = try ImageReference(parsing: image)
        let keys = keys ?? [trustedKey]
        return ImageLookup(image: image, reference: reference, resolve: resolve && !reference.hasDigest, verify: !keys.isEmpty, keys: keys)
    }
}

/// Push credentials, `Sendable` (tuples are not).
struct Credentials: Sendable {
    let user: String
    let password: String
}

/// Starts a plain-HTTP registry (or the given one), runs `body` with a running provenance service, stops both.
func withRegistry<T: Sendable>(auth: RegistryServer.Auth = .none, tls: (certificate: String, key: String)? = nil,
                               trustRoots: [NIOSSLCertificate] = [],
                               _ body: @Sendable (RegistryFixture, ImageProvenanceService) async throws -> T) async throws -> T {
    let registry = try await offPool { try RegistryServer(auth: auth, tls: tls) }
    defer { registry.remove() }
    var fixture = RegistryFixture(registry: registry)
    if let tls {
        let directory = registry.directory.appendingPathComponent("certs").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try tls.certificate.write(toFile: directory + "/ca.crt", atomically: true, encoding: .utf8)
        fixture.certDirectory = directory
    }
    if case .basic(let user, let password) = auth { fixture.pushCredentials = (user, password) }
    let frozen = fixture
    return try await withProvenanceService(trustRoots: trustRoots) { service in try await body(frozen, service) }
}

/// Runs `body` with a running provenance service.
func withProvenanceService<T: Sendable>(trustRoots: [NIOSSLCertificate] = [],
                                        _ body: @Sendable (ImageProvenanceService) async throws -> T) async throws -> T {
    var logger = Logger(label: "provenance-tests")
    logger.logLevel = .critical
    let service = ImageProvenanceService(configuration: .init(additionalTrustRoots: trustRoots), logger: logger)
    return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await service.run(); return nil }
        do {
            let result = try await body(service)
            service.shutdown()
            try await group.waitForAll()
            return result
        } catch {
            service.shutdown()
            try? await group.waitForAll()
            throw error
        }
    }
}
