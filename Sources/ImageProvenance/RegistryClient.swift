import AsyncHTTPClient
import Crypto
import Foundation
import KubeModel
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// The OCI distribution API calls provenance needs — manifest `HEAD`/`GET` and blob `GET` — with
/// anonymous, basic and bearer-token authentication. Every body fetched is checked against its digest.
///
/// Errors are ``ImageProvenanceError`` values whose messages name the registry and reference, never a
/// credential or token. Calls end by their `deadline`.
public struct RegistryClient: Sendable {
    /// What one call needs besides the reference: transport and credentials.
    public struct Access: Sendable {
        /// Registries (`host:port`) spoken to over plain HTTP.
        public var insecureRegistries: Set<String>
        /// Credentials by registry.
        public var credentials: CredentialStore

        /// Access settings.
        public init(insecureRegistries: Set<String> = [], credentials: CredentialStore = CredentialStore()) {
            self.insecureRegistries = insecureRegistries
            self.credentials = credentials
        }
    }

    /// A manifest's bytes, verified against its digest.
    public struct Manifest: Sendable {
        /// `sha256:…` of the bytes.
        public let digest: String
        /// The `Content-Type` the registry gave.
        public let mediaType: String
        /// The bytes.
        public let bytes: [UInt8]
    }

    /// Every manifest kind a tag may point at: OCI index and manifest, Docker manifest list and v2 manifest.
    /// The `Accept` list for manifests.
    public static let manifestAccept = [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ].joined(separator: ", ")

    /// Largest manifest read (the distribution spec suggests registries accept at least 4 MiB).
    static let maximumManifestBytes = 4 << 20

    let http: HTTPClient
    let tokens: TokenCache
    let counters: FetchCounters
    let logger: Logger

    init(http: HTTPClient, counters: FetchCounters, logger: Logger) {
        self.http = http
        self.tokens = TokenCache()
        self.counters = counters
        self.logger = logger
    }

    /// The digest a tag (or digest) points at, from `HEAD` (`Docker-Content-Digest`); when the
    /// registry does not send that header, the manifest is fetched and hashed.
    /// - Throws: ``ImageProvenanceError`` `notFound`, `unauthorized`, `unreachable`, `invalidResponse`.
    public func resolveDigest(_ reference: ImageReference, access: Access, deadline: NIODeadline) async throws(ImageProvenanceError) -> String {
        let target = reference.digest ?? reference.tag ?? "latest"
        let response = try await send(.HEAD, reference: reference, path: "manifests/\(target)", accept: Self.manifestAccept,
                                      access: access, deadline: deadline, limit: 0)
        if let header = response.headers.first(name: "Docker-Content-Digest"), Self.isSHA256Digest(header) {
            return header
        }
        return try await manifest(reference, target: target, access: access, deadline: deadline).digest
    }

    /// A manifest by tag or digest, verified: its SHA-256 must equal the digest asked for, and the
    /// `Docker-Content-Digest` header when the registry sends one.
    /// - Throws: ``ImageProvenanceError`` `notFound`, `unauthorized`, `unreachable`, `invalidResponse`.
    public func manifest(_ reference: ImageReference, target: String, accept: String = RegistryClient.manifestAccept,
                         access: Access, deadline: NIODeadline) async throws(ImageProvenanceError) -> Manifest {
        let response = try await send(.GET, reference: reference, path: "manifests/\(target)", accept: accept,
                                      access: access, deadline: deadline, limit: Self.maximumManifestBytes)
        let digest = "sha256:" + Hex.encode(SHA256.hash(data: response.body))
        if target.hasPrefix("sha256:"), target != digest {
            throw ImageProvenanceError.invalidResponse("\(reference.name)@\(target): the registry returned a manifest whose digest is \(digest)")
        }
        if let header = response.headers.first(name: "Docker-Content-Digest"), header.hasPrefix("sha256:"), header != digest {
            throw ImageProvenanceError.invalidResponse("\(reference.name):\(target): Docker-Content-Digest says \(header) but the manifest's bytes hash to \(digest)")
        }
        return Manifest(digest: digest, mediaType: response.headers.first(name: "Content-Type") ?? "", bytes: response.body)
    }

    /// A blob by digest, at most `limit` bytes, verified against the digest.
    /// - Throws: ``ImageProvenanceError`` `notFound`, `unauthorized`, `unreachable`, `invalidResponse`.
    public func blob(_ reference: ImageReference, digest: String, limit: Int, access: Access,
                     deadline: NIODeadline) async throws(ImageProvenanceError) -> [UInt8] {
        guard Self.isSHA256Digest(digest) else {
            throw ImageProvenanceError.invalidResponse("\(reference.name): blob digest \"\(digest.prefix(80))\" is not a sha256 digest")
        }
        let response = try await send(.GET, reference: reference, path: "blobs/\(digest)", accept: "*/*",
                                      access: access, deadline: deadline, limit: limit)
        let actual = "sha256:" + Hex.encode(SHA256.hash(data: response.body))
        guard actual == digest else {
            throw ImageProvenanceError.invalidResponse("\(reference.name)@\(digest): the blob's bytes hash to \(actual)")
        }
        return response.body
    }

    static func isSHA256Digest(_ text: String) -> Bool {
        guard text.hasPrefix("sha256:"), text.utf8.count == 71 else { return false }
        return text.utf8.dropFirst(7).allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    /// The API host of a registry: Docker Hub's is `registry-1.docker.io`.
    static func apiHost(_ registry: String) -> String { registry == "docker.io" ? "registry-1.docker.io" : registry }
}

/// Counts of requests sent to registries, for tests, benchmarks and metrics.
public struct FetchStatistics: Sendable, Equatable {
    /// Manifest `HEAD` and `GET` requests (each attempt, including authentication retries).
    public var manifestRequests = 0
    /// Blob `GET` requests.
    public var blobRequests = 0
    /// Token endpoint requests.
    public var tokenRequests = 0
    /// Look-ups answered from the cache.
    public var cacheHits = 0
    /// Look-ups that joined one already in flight.
    public var joined = 0
    /// Look-ups that went to the registry.
    public var misses = 0
    /// Callers that stopped waiting at their deadline.
    public var deadlineExceeded = 0
}

/// Thread-safe ``FetchStatistics``.
final class FetchCounters: Sendable {
    private let box = NIOLockedValueBox(FetchStatistics())
    func add(_ field: WritableKeyPath<FetchStatistics, Int>) { box.withLockedValue { $0[keyPath: field] += 1 } }
    var snapshot: FetchStatistics { box.withLockedValue { $0 } }
}
