import AsyncHTTPClient
import GuardRules
import KubeModel
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle

/// Digest resolution, cosign signature verification and scan-attestation reading against registries, cached and merged: concurrent
/// look-ups of the same tag or digest share one registry round trip, and answers are reused for the
/// policy's TTL. The webhook calls ``facts(for:policy:credentials:)`` per admission; the operator calls
/// ``resolve(_:access:policy:deadline:)`` once per OdooEnvironment change.
///
/// A swift-service-lifecycle `Service`: registry requests run inside ``run()`` (which owns the HTTP
/// client), so look-ups made while it is not running end at their deadline as `unavailable`.
/// No call ever waits past its deadline; a registry request that is still running then finishes in
/// the background (bounded by the same deadline) and fills the cache.
public final class ImageProvenanceService: Service, Sendable {
    /// Transport settings fixed for the service's life.
    public struct Configuration: Sendable {
        /// CA certificates trusted for registries besides the system's (a private registry's CA).
        public var additionalTrustRoots: [NIOSSLCertificate]
        /// Most look-ups of each kind (resolutions, signatures) kept in the cache.
        public var cacheSize: Int

        /// A configuration.
        public init(additionalTrustRoots: [NIOSSLCertificate] = [], cacheSize: Int = 10_000) {
            self.additionalTrustRoots = additionalTrustRoots
            self.cacheSize = cacheSize
        }
    }

    typealias Job = @Sendable (RegistryClient) async -> Void

    private let configuration: Configuration
    private let logger: Logger
    private let counters = FetchCounters()
    private let resolutions: SingleFlightCache<DigestResolution>
    private let signatures: SingleFlightCache<SignatureVerdict>
    let scans: SingleFlightCache<ScanVerdict>
    private let jobs: AsyncStream<Job>
    private let submit: AsyncStream<Job>.Continuation

    /// A service; call ``run()`` (or add it to a `ServiceGroup`) before looking anything up.
    public init(configuration: Configuration = Configuration(), logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        resolutions = SingleFlightCache(capacity: configuration.cacheSize)
        signatures = SingleFlightCache(capacity: configuration.cacheSize)
        scans = SingleFlightCache(capacity: configuration.cacheSize)
        (jobs, submit) = AsyncStream.makeStream(of: Job.self)
    }

    /// Runs registry requests until graceful shutdown (or ``shutdown()``), then lets those in flight
    /// finish (each ends by its deadline) and closes the HTTP client.
    public func run() async throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        if !configuration.additionalTrustRoots.isEmpty {
            tls.additionalTrustRoots = [.certificates(configuration.additionalTrustRoots)]
        }
        var settings = HTTPClient.Configuration(tlsConfiguration: tls, redirectConfiguration: .disallow,
                                                timeout: HTTPClient.Configuration.Timeout(connect: .seconds(5), read: .seconds(15)))
        // A refused connection is reported at once (and cached for at most 5 s) instead of being
        // retried until the admission's budget is spent: the next admission tries again anyway.
        settings.connectionPool.retryConnectionEstablishment = false
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: settings)
        let client = RegistryClient(http: http, counters: counters, logger: logger)
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for await job in jobs {
                    group.addTask { await job(client) }
                }
            }
        } onGracefulShutdown: {
            self.submit.finish()
        }
        try await http.shutdown()
    }

    /// Stops accepting registry requests; ``run()`` returns once those in flight end.
    public func shutdown() { submit.finish() }

    /// Requests sent and cache use so far.
    public var statistics: FetchStatistics { counters.snapshot }

    /// The facts for an admission's look-ups, all made concurrently within the policy's budget. A
    /// look-up that does not finish in time is `unavailable` ("registry unreachable"), so the rule's
    /// mode decides; this call never outlives the budget by more than scheduling delay.
    public func facts(for lookups: [ImageLookup], policy: ProvenancePolicy, credentials: CredentialStore) async -> ImageProvenanceFacts {
        guard !lookups.isEmpty else { return ImageProvenanceFacts() }
        let deadline = ContinuousClock.now + policy.budget
        let access = RegistryClient.Access(insecureRegistries: Set(policy.insecureRegistries), credentials: credentials)
        return await withTaskGroup(of: LookupResult.self) { group in
            for lookup in lookups {
                group.addTask { await self.lookUp(lookup, access: access, policy: policy, deadline: deadline) }
            }
            var facts = ImageProvenanceFacts()
            for await result in group {
                if let resolution = result.resolution { facts.resolutions[result.image] = resolution }
                if let (key, verdict) = result.signature { facts.signatures[key] = verdict }
                if let (key, verdict) = result.scan { facts.scans[key] = verdict }
            }
            return facts
        }
    }

    /// What one look-up found.
    private struct LookupResult: Sendable {
        let image: String
        var resolution: DigestResolution?
        var signature: (String, SignatureVerdict)?
        var scan: (String, ScanVerdict)?
    }

    /// Resolves one image when asked, then checks its signature and reads its scan attestation concurrently.
    private func lookUp(_ lookup: ImageLookup, access: RegistryClient.Access, policy: ProvenancePolicy,
                        deadline: ContinuousClock.Instant) async -> LookupResult {
        var result = LookupResult(image: lookup.image)
        var digest = lookup.reference.digest
        if lookup.resolve {
            let resolved = await resolve(lookup.reference, access: access, policy: policy, deadline: deadline)
            result.resolution = resolved
            digest = resolved.digest
        }
        guard let digest else { return result }
        let key = ImageProvenanceFacts.signatureKey(name: lookup.reference.name, digest: digest)
        async let signature: SignatureVerdict? = lookup.verify
            ? verifySignature(of: lookup.reference, digest: digest, keys: lookup.keys, access: access, policy: policy, deadline: deadline) : nil
        async let scan: ScanVerdict? = lookup.scan
            ? verifyScan(of: lookup.reference, digest: digest, keys: lookup.scanKeys, threshold: lookup.scanThreshold,
                         access: access, policy: policy, deadline: deadline) : nil
        result.signature = await signature.map { (key, $0) }
        result.scan = await scan.map { (key, $0) }
        return result
    }

    /// The digest a reference's tag points at (its own digest when it has one), cached per
    /// (registry, repository, tag, credentials).
    public func resolve(_ reference: ImageReference, access: RegistryClient.Access, policy: ProvenancePolicy,
                        deadline: ContinuousClock.Instant) async -> DigestResolution {
        if let digest = reference.digest { return .resolved(digest) }
        let key = cacheKey(reference, access: access) + ":" + (reference.tag ?? "latest")
        let value = await cached(resolutions, key: key, deadline: deadline, policy: policy) { client, registryDeadline in
            do throws(ImageProvenanceError) {
                return .resolved(try await client.resolveDigest(reference, access: access, deadline: registryDeadline))
            } catch {
                return Self.resolution(for: error, reference: reference)
            }
        }
        return value ?? .unavailable("\(reference.name):\(reference.tag ?? "latest"): no answer within the \(Self.text(policy.budget)) budget")
    }

    /// The verdict on the cosign signatures of `digest` in the reference's repository against `keys`,
    /// cached per (repository, digest, key set, credentials).
    public func verifySignature(of reference: ImageReference, digest: String, keys: [TrustedKey], access: RegistryClient.Access,
                                policy: ProvenancePolicy, deadline: ContinuousClock.Instant) async -> SignatureVerdict {
        let name = reference.name
        let key = cacheKey(reference, access: access) + "@" + digest + "|" + keys.map(\.fingerprint).sorted().joined(separator: ",")
        let value = await cached(signatures, key: key, deadline: deadline, policy: policy) { client, registryDeadline in
            await Self.checkSignatures(client, reference: reference, name: name, digest: digest, keys: keys, access: access, deadline: registryDeadline)
        }
        return value ?? .unavailable("\(name)@\(digest): no answer within the \(Self.text(policy.budget)) budget")
    }

    /// Looks `key` up in `cache`; on a miss, `work` runs on the registry client (bounded by the
    /// deadline). An answer is reused for the policy's TTL when it passed; when the registry could not
    /// answer, for at most 5 s (the next admission tries again); else for the failure TTL.
    /// `nil` when no answer came in time.
    func cached<Value: RegistryAnswer>(_ cache: SingleFlightCache<Value>, key: String, deadline: ContinuousClock.Instant,
                                       policy: ProvenancePolicy,
                                       work: @escaping @Sendable (RegistryClient, NIODeadline) async -> Value) async -> Value? {
        await cache.value(for: key, deadline: deadline, counters: counters, ttl: { answer in
            if answer.passed { return policy.cacheTTL }
            return answer.registryUnavailable ? min(policy.failureCacheTTL, .seconds(5)) : policy.failureCacheTTL
        }, start: { finish in
            let registryDeadline = Self.nioDeadline(deadline)
            return enqueue { client in finish(await work(client, registryDeadline)) }
        })
    }

    private func enqueue(_ job: @escaping Job) -> Bool {
        if case .enqueued = submit.yield(job) { return true }
        return false
    }

    func cacheKey(_ reference: ImageReference, access: RegistryClient.Access) -> String {
        let scheme = access.insecureRegistries.contains(reference.registry) ? "http" : "https"
        let identity = access.credentials.credentials(for: reference.registry)?.identity ?? "anonymous"
        return scheme + " " + identity + " " + reference.name
    }

    private static func checkSignatures(_ client: RegistryClient, reference: ImageReference, name: String, digest: String,
                                        keys: [TrustedKey], access: RegistryClient.Access, deadline: NIODeadline) async -> SignatureVerdict {
        let manifest: RegistryClient.Manifest
        do throws(ImageProvenanceError) {
            manifest = try await client.manifest(reference, target: CosignSignatures.signatureTag(for: digest),
                                                 accept: "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json",
                                                 access: access, deadline: deadline)
        } catch {
            switch error {
            case .notFound: return .unsigned
            case .invalidResponse: return .malformed(error.message)
            default: return .unavailable(error.message)
            }
        }
        let layers: [CosignSignatures.Layer]
        do throws(ImageProvenanceError) { layers = try CosignSignatures.layers(ofManifest: manifest.bytes) } catch { return .malformed(error.message) }
        var outcomes: [CosignSignatures.Outcome] = []
        for layer in layers {
            let payload: [UInt8]
            do throws(ImageProvenanceError) {
                payload = try await client.blob(reference, digest: layer.payloadDigest, limit: CosignSignatures.maximumPayloadBytes,
                                                access: access, deadline: deadline)
            } catch {
                switch error {
                case .notFound, .invalidResponse: return .malformed("payload \(layer.payloadDigest): \(error.message)")
                default: return .unavailable(error.message)
                }
            }
            let outcome = CosignSignatures.judge(payload: payload, signature: layer.signature, keys: keys, digest: digest, name: name)
            if case .verified = outcome { return CosignSignatures.verdict([outcome], keys: keys) }
            outcomes.append(outcome)
        }
        return CosignSignatures.verdict(outcomes, keys: keys)
    }

    private static func resolution(for error: ImageProvenanceError, reference: ImageReference) -> DigestResolution {
        switch error {
        case .notFound: return .notFound("tag \(reference.tag ?? "latest") of \(reference.name) does not exist")
        default: return .unavailable(error.message)
        }
    }

    static func nioDeadline(_ deadline: ContinuousClock.Instant) -> NIODeadline {
        let remaining = ContinuousClock.now.duration(to: deadline)
        let nanoseconds = max(0, remaining.components.seconds * 1_000_000_000 + remaining.components.attoseconds / 1_000_000_000)
        return .now() + .nanoseconds(nanoseconds)
    }

    static func text(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(milliseconds) ms"
    }
}
