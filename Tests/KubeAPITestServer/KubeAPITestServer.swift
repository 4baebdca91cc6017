import CertKit
import Foundation
import Hummingbird
import HummingbirdTLS
import KubeClient
import KubeModel
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import TestSupport

/// An in-process HTTPS Kubernetes API server for tests: the real ``KubeHTTPClient`` talks to it
/// over TLS with a bearer token. It keeps the API semantics the operator and webhook rely on (see
/// ``APIState``, each rule citing the documentation it follows) and injects the faults a real
/// cluster has: throttling and server errors, dropped watches, restarts, compaction.
public final class KubeAPITestServer: Sendable {
    /// The port on 127.0.0.1 (picked by the system at the first start, kept across restarts).
    public var port: Int { boundPort.withLockedValue { $0 } }
    let boundPort = NIOLockedValueBox(0)
    let startFailure = NIOLockedValueBox<String?>(nil)
    /// The bearer token clients must send.
    public let token = "test-token-" + UUID().uuidString.lowercased()
    /// The CA that signed the serving certificate (PEM).
    public let caPEM: String
    let serving: KeyPair
    let state = NIOLockedValueBox(APIState())
    let faults = NIOLockedValueBox(FaultPlan())
    let log = NIOLockedValueBox<[String]>([])
    /// Whether `Accept: …;as=PartialObjectMetadata…` is honoured (as every API server since 1.15), or
    /// ignored, as by a server that can only send whole objects (then the plain JSON fallback is chosen).
    let servesPartialMetadata = NIOLockedValueBox(true)
    /// The reads answered as metadata only (path and query).
    let metadataReads = NIOLockedValueBox<[String]>([])
    let generation = NIOLockedValueBox(0)
    let restarts: AsyncStream<Void>
    let restartContinuation: AsyncStream<Void>.Continuation
    /// How often an open watch that asked for bookmarks gets one.
    public let bookmarkInterval: Duration

    /// Whether the `odooguard.io` resources are served only once their CustomResourceDefinition exists,
    /// as a real API server serves them (helm's install order and REST mapping depend on it); off, they
    /// are always served, for tests that do not install CRDs.
    let customResourcesNeedDefinitions: Bool

    /// Whether `resource` is served now: always, unless it is a custom resource whose CRD is missing.
    func isServed(_ resource: ServedResource) -> Bool {
        guard customResourcesNeedDefinitions, let definition = resource.definition else { return true }
        return state.withLockedValue { $0.stored(ServedResource.customResourceDefinitionsServed, nil, definition) != nil }
    }

    init(bookmarkInterval: Duration, customResourcesNeedDefinitions: Bool = false) throws {
        self.customResourcesNeedDefinitions = customResourcesNeedDefinitions
        let authority = try CertificateAuthority.generate(commonName: "odoo-guard test API server CA")
        caPEM = try authority.keyPair.certificatePEM
        serving = try authority.issueServingCertificate(dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
        (restarts, restartContinuation) = AsyncStream.makeStream()
        self.bookmarkInterval = bookmarkInterval
    }

    /// Serves while `body` runs, then stops (also when `body` throws).
    /// With `customResourcesNeedDefinitions`, the `odooguard.io` resources are served only once their
    /// CRDs are created, as on a real cluster.
    public static func serving<T: Sendable>(bookmarkInterval: Duration = .seconds(1), customResourcesNeedDefinitions: Bool = false,
                                            _ body: @Sendable (KubeAPITestServer) async throws -> T) async throws -> T {
        let server = try KubeAPITestServer(bookmarkInterval: bookmarkInterval, customResourcesNeedDefinitions: customResourcesNeedDefinitions)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.supervise() }
            try await server.waitForGeneration(1)
            defer {
                server.dropWatches()
                server.restartContinuation.finish()
                group.cancelAll()
            }
            return try await body(server)
        }
    }

    /// A client configuration for this server (its CA and token).
    public var config: KubeConfig {
        var config = KubeConfig(server: "https://127.0.0.1:\(port)", source: "test API server")
        config.certificateAuthorityPEM = Array(caPEM.utf8)
        config.bearerToken = token
        return config
    }

    /// A kubeconfig file for this server at `path` (token inline, CA as data).
    public func writeKubeconfig(to path: String, namespace: String = "default") throws {
        let ca = Data(caPEM.utf8).base64EncodedString()
        let text = """
        apiVersion: v1
        kind: Config
        current-context: test
        clusters:
        - name: test
          cluster:
            server: https://127.0.0.1:\(port)
            certificate-authority-data: \(ca)
        users:
        - name: tester
          user:
            token: \(token)
        contexts:
        - name: test
          context: {cluster: test, user: tester, namespace: \(namespace)}
        """
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    // MARK: Faults and inspection

    /// The next `count` requests (watches included) answer `status` with a `Status` body and, when
    /// set, `Retry-After`.
    public func failNext(_ count: Int, status: Int, retryAfter: Int? = nil) {
        faults.withLockedValue { $0.failures = .init(remaining: count, status: status, retryAfter: retryAfter) }
    }

    /// Ends every open watch stream, as a load balancer or API server restart does.
    public func dropWatches() {
        let open = state.withLockedValue { state in
            defer { state.watchers.removeAll() }
            return Array(state.watchers.values)
        }
        for watcher in open { watcher.continuation.finish() }
    }

    /// Moves the compaction point to now: watches and continue tokens from older versions get 410.
    public func compact() { state.withLockedValue { $0.compact() } }

    /// Stops listening (every connection drops) and starts again on the same port with the same
    /// data, as an API server restart backed by etcd does; returns when it serves again.
    public func restart() async throws {
        let before = generation.withLockedValue { $0 }
        dropWatches()
        restartContinuation.yield()
        try await waitForGeneration(before + 1)
    }

    /// The requests served so far, as `METHOD path?query`.
    public var requests: [String] { log.withLockedValue { $0 } }

    /// The reads answered as `PartialObjectMetadata` (path and query), in order.
    public var metadataOnlyReads: [String] { metadataReads.withLockedValue { $0 } }

    /// Answers as a server without metadata-only reads would (`false`), or as every current one does.
    public func servePartialMetadata(_ on: Bool) { servesPartialMetadata.withLockedValue { $0 = on } }

    /// The writes (POST, PUT, PATCH, DELETE) served so far.
    public var writes: [String] { requests.filter { !$0.hasPrefix("GET ") } }

    /// The stored object, as a GET would return it, or `nil`.
    public func object(_ resource: ResourceType, namespace: String?, name: String) -> JSONValue? {
        guard let served = ServedResource.find(group: resource.group, version: resource.version, resource: resource.resource) else { return nil }
        return state.withLockedValue { try? $0.get(served, namespace: namespace, name: name) }
    }

    /// The current global resourceVersion.
    public var resourceVersion: Int { state.withLockedValue { $0.resourceVersion } }

    /// The number of open watches.
    public var openWatches: Int { state.withLockedValue { $0.watchers.count } }

    // MARK: Serving

    func waitForGeneration(_ target: Int) async throws {
        for _ in 0..<1000 {
            if generation.withLockedValue({ $0 }) >= target { return }
            if let failure = startFailure.withLockedValue({ $0 }) {
                throw APIError(code: 500, reason: "InternalError", message: "the test API server could not start: \(failure)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw APIError(code: 500, reason: "InternalError", message: "the test API server did not start")
    }

    /// Runs the server, again after each restart request, until cancelled.
    func supervise() async throws {
        var requests = restarts.makeAsyncIterator()
        while !Task.isCancelled {
            let restarted = await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.serveOnce() }
                let next: Void? = await requests.next()
                group.cancelAll()
                return next != nil
            }
            if !restarted { return }
        }
    }

    /// Serves until cancelled. A restart binds the port the system picked at the first start, which
    /// a client socket of another test may hold for a moment as its ephemeral port: binding is retried
    /// for up to 10 s before the failure is reported.
    func serveOnce() async {
        let before = generation.withLockedValue { $0 }
        for attempt in 1...100 {
            do {
                try await makeApplication().runService()
                return
            } catch {
                let served = generation.withLockedValue { $0 } != before
                if served || attempt == 100 || Task.isCancelled {
                    if !served { startFailure.withLockedValue { $0 = "\(error)" } }
                    return
                }
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    func makeApplication() throws -> some ApplicationProtocol {
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(serving.certificatePEM.utf8)).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(serving.privateKeyPEM.utf8), format: .pem)))
        tls.minimumTLSVersion = .tlsv12
        var logger = Logger(label: "kube-api-test-server")
        logger.logLevel = .critical
        let responder = CallbackResponder<BasicRequestContext> { request, _ in await self.respond(to: request) }
        return try Application(responder: responder, server: .tls(.http1(), tlsConfiguration: tls),
                           configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: port)),
                           onServerRunning: { channel in
                               if let bound = channel.localAddress?.port { self.boundPort.withLockedValue { $0 = bound } }
                               self.generation.withLockedValue { $0 += 1 }
                           }, logger: logger)
    }
}

/// Faults waiting to be injected.
struct FaultPlan {
    struct Failures {
        var remaining: Int
        var status: Int
        var retryAfter: Int?
    }

    var failures: Failures?

    mutating func take() -> Failures? {
        guard var failures, failures.remaining > 0 else { return nil }
        failures.remaining -= 1
        self.failures = failures.remaining > 0 ? failures : nil
        return failures
    }
}
