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
    var pushCredentials: Skopeo.Credentials?

    var name: String { "\(registry.host)/\(repository)" }

    /// Pushes a new single-platform image (or index) under `tag`; returns its digest.
    @discardableResult
    func pushImage(tag: String, seed: String = UUID().uuidString, index: Bool = false) async throws -> String {
        let layout = index ? try OCILayout.index(seed: seed) : try OCILayout.image(seed: seed)
        defer { layout.remove() }
        try await push(layout, to: "\(name):\(tag)")
        return layout.digest
    }

    /// Pushes a signature artefact for `digest` with the given layers.
    func pushSignature(for digest: String, layers: [(payload: [UInt8], signature: String)]) async throws {
        let layout = try OCILayout.signatureArtefact(layers)
        defer { layout.remove() }
        try await push(layout, to: "\(name):\(CosignSignatures.signatureTag(for: digest))")
    }

    /// Pushes an attestation artefact for `digest` with the given envelope layers.
    func pushAttestations(for digest: String, layers: [(envelope: [UInt8], predicateType: String?)]) async throws {
        let layout = try OCILayout.attestationArtefact(layers)
        defer { layout.remove() }
        try await push(layout, to: "\(name):\(CosignAttestations.attestationTag(for: digest))")
    }

    /// The envelope of a Trivy scan of `digest` with `findings`, finished `daysAgo` days ago, signed
    /// with `key` (the fixture's key by default).
    func scanEnvelope(_ digest: String, findings: [(id: String, severity: String, fixed: String)] = [], daysAgo: Double = 1,
                      key: P256.Signing.PrivateKey? = nil) throws -> [UInt8] {
        let finished = Timestamp.format(Date().addingTimeInterval(-daysAgo * 86_400))
        let statement = CosignTestAttester.statement(digest: digest, repository: name, finishedOn: finished,
                                                     result: CosignTestAttester.trivyReport(findings))
        return try CosignTestAttester.envelope(statement, key: key ?? signingKey)
    }

    /// A look-up that reads the scan attestation of `image` (by digest) with the fixture's key.
    func scanLookup(_ image: String, threshold: VulnerabilitySeverity = .high) throws -> ImageLookup {
        ImageLookup(image: image, reference: try ImageReference(parsing: image), resolve: false, verify: false, keys: [],
                    scan: true, scanKeys: [trustedKey], scanThreshold: threshold)
    }

    /// skopeo blocks: it runs off the cooperative pool, which the servers of other suites share.
    private func push(_ layout: OCILayout, to destination: String) async throws {
        let (certDirectory, credentials) = (certDirectory, pushCredentials)
        try await offPool { try Skopeo.push(layout, to: destination, certDirectory: certDirectory, credentials: credentials) }
    }

    /// Signs `digest` the way `cosign sign --key` does, with `key` (the fixture's key by default).
    func sign(_ digest: String, key: P256.Signing.PrivateKey? = nil, reference: String? = nil) async throws {
        let payload = CosignTestSigner.payload(digest: digest, reference: reference ?? name)
        try await pushSignature(for: digest, layers: [(payload, try CosignTestSigner.sign(payload, with: key ?? signingKey))])
    }

    /// A policy that resolves and verifies with the fixture's key over plain HTTP.
    func policy(budget: Duration = .seconds(30)) -> ProvenancePolicy {
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

/// Starts a plain-HTTP registry (or the given one), runs `body` with a running provenance service, stops both.
func withRegistry<T: Sendable>(auth: RegistryServer.Auth = .none, tls: (certificate: String, key: String)? = nil,
                               trustRoots: [NIOSSLCertificate] = [],
                               _ body: @Sendable (RegistryFixture, ImageProvenanceService) async throws -> T) async throws -> T {
    let registry = try await offPool { try RegistryServer(auth: auth, tls: tls) }
    do {
        let result = try await withStartedRegistry(registry, auth: auth, tls: tls, trustRoots: trustRoots, body)
        // Stopping waits for the process: off the cooperative pool, which other suites' servers share.
        await offPool { registry.remove() }
        return result
    } catch {
        await offPool { registry.remove() }
        throw error
    }
}

private func withStartedRegistry<T: Sendable>(_ registry: RegistryServer, auth: RegistryServer.Auth, tls: (certificate: String, key: String)?,
                                              trustRoots: [NIOSSLCertificate],
                                              _ body: @Sendable (RegistryFixture, ImageProvenanceService) async throws -> T) async throws -> T {
    var fixture = RegistryFixture(registry: registry)
    if let tls {
        let directory = registry.directory.appendingPathComponent("certs").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try tls.certificate.write(toFile: directory + "/ca.crt", atomically: true, encoding: .utf8)
        fixture.certDirectory = directory
    }
    if case .basic(let user, let password) = auth { fixture.pushCredentials = Skopeo.Credentials(user: user, password: password) }
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
