import AdmissionServer
import AsyncHTTPClient
import AuditTrail
import CertKit
import Foundation
import GuardRules
import KubeModel
import Logging
import NIOCore
import NIOSSL
import PostgresAccess
import ServiceLifecycle
import TestSupport

/// A real `WebhookServer` on 127.0.0.1 (free port) with a test CA, files in a temporary directory,
/// and an HTTPS client that trusts the CA. ``shutdown()`` stops both, even after a failed expectation.
final class WebhookHarness: @unchecked Sendable {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let defaultContext = ["examples/namespaces.yaml", "examples/compliant/odoo-web.yaml"].map { repository.appendingPathComponent($0).path }

    let directory: URL
    let ca: CertificateAuthority
    /// A second CA for rotation tests; the harness's own client trusts both.
    let nextCA: CertificateAuthority
    let server: WebhookServer
    let port: Int
    let client: HTTPClient
    private let group: ServiceGroup
    private let running: Task<Void, any Error>

    var certificateFile: String { directory.appendingPathComponent("tls.crt").path }
    var keyFile: String { directory.appendingPathComponent("tls.key").path }
    var policyFile: String { directory.appendingPathComponent("policy.yaml").path }
    var baseURL: String { "https://127.0.0.1:\(port)" }

    static func start(policy: String = GuardPolicy.builtInDefaultText, contextFiles: [String] = defaultContext,
                      auditDSN: String? = nil, configure: (inout WebhookConfiguration) -> Void = { _ in }) async throws -> WebhookHarness {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("odoo-guard-webhook-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let ca = try CertificateAuthority.generate(commonName: "odoo-guard test CA")
        let nextCA = try CertificateAuthority.generate(commonName: "odoo-guard rotated CA")
        let leaf = try ca.issueServingCertificate(dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
        try Self.write(leaf, to: directory)
        try Data(policy.utf8).write(to: directory.appendingPathComponent("policy.yaml"))
        var configuration = WebhookConfiguration(
            certificateFile: directory.appendingPathComponent("tls.crt").path, privateKeyFile: directory.appendingPathComponent("tls.key").path,
            policyFile: directory.appendingPathComponent("policy.yaml").path, contextFiles: contextFiles, host: "127.0.0.1", port: 0,
            handshakeTimeout: .seconds(15), requestReadTimeout: .seconds(15), idleTimeout: .seconds(60),
            reloadInterval: .milliseconds(100), shutdownDelay: .zero, shutdownGracePeriod: .seconds(10),
            auditDSN: try auditDSN.map { try PostgresDSN($0) }, auditTable: try AuditTable())
        configure(&configuration)
        var logger = Logger(label: "webhook-test")
        logger.logLevel = .critical
        let server = try WebhookServer(configuration: configuration, logger: logger)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let group = ServiceGroup(configuration: server.groupConfiguration(signals: [], onListening: { continuation.yield($0) }))
        // A server that fails to start ends the stream, so a failing start fails the test instead of hanging it.
        let running = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            try? FileManager.default.removeItem(at: directory)
            if case .failure(let error) = await running.result { throw error }
            throw Subprocess.Failed(description: "the webhook did not start")
        }
        return WebhookHarness(directory: directory, ca: ca, nextCA: nextCA, server: server, port: port,
                              client: try Self.client(trusting: [ca, nextCA]),
                              group: group, running: running)
    }

    private init(directory: URL, ca: CertificateAuthority, nextCA: CertificateAuthority, server: WebhookServer, port: Int, client: HTTPClient,
                 group: ServiceGroup, running: Task<Void, any Error>) {
        self.directory = directory
        self.ca = ca
        self.nextCA = nextCA
        self.server = server
        self.port = port
        self.client = client
        self.group = group
        self.running = running
    }

    static func write(_ pair: KeyPair, to directory: URL) throws {
        try Data(pair.certificatePEM.utf8).write(to: directory.appendingPathComponent("tls.crt"))
        try Data(pair.privateKeyPEM.utf8).write(to: directory.appendingPathComponent("tls.key"))
    }

    /// An HTTPS client trusting only `authorities`, with a fresh connection pool.
    static func client(trusting authorities: [CertificateAuthority], connectTimeout: TimeAmount = .seconds(5)) throws -> HTTPClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try authorities.map { try NIOSSLCertificate(bytes: Array($0.keyPair.certificatePEM.utf8), format: .pem) })
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.timeout = .init(connect: connectTimeout, read: .seconds(10))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Runs `body` with a client from ``client(trusting:connectTimeout:)`` and shuts the client down
    /// on every path: an AsyncHTTPClient dropped unshut traps the whole test process.
    @discardableResult
    static func withClient<T>(trusting authorities: [CertificateAuthority], connectTimeout: TimeAmount = .seconds(5),
                              _ body: (HTTPClient) async throws -> T) async throws -> T {
        let client = try client(trusting: authorities, connectTimeout: connectTimeout)
        let result: T
        do { result = try await body(client) } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
        return result
    }

    /// Graceful shutdown of the server and the client (again after ``stopServer()`` is harmless).
    func shutdown() async throws {
        try? await client.shutdown()
        try await stopServer()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Graceful shutdown of the server alone (as SIGTERM would), waiting until it has stopped.
    func stopServer() async throws {
        await group.triggerGracefulShutdown()
        try await running.value
    }

    struct Reply {
        var status: Int
        var body: [UInt8]
        var headers: [(String, String)]
        var text: String { String(decoding: body, as: UTF8.self) }
        var json: JSONValue { (try? JSONParser.parse(body)) ?? .null }
        var response: JSONValue { json["response"] ?? .null }
    }

    func post(_ path: String, _ body: [UInt8], contentType: String? = "application/json", using client: HTTPClient? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        request.body = .bytes(ByteBuffer(bytes: body))
        return try await execute(request, client: client ?? self.client)
    }

    func get(_ path: String) async throws -> Reply {
        try await execute(HTTPClientRequest(url: baseURL + path), client: client)
    }

    func execute(_ request: HTTPClientRequest, client: HTTPClient) async throws -> Reply {
        try await Self.execute(request, client: client, timeout: .seconds(10))
    }

    /// `request` through `client`, its whole body read (16 MiB at most).
    static func execute(_ request: HTTPClientRequest, client: HTTPClient, timeout: TimeAmount) async throws -> Reply {
        let response = try await client.execute(request, timeout: timeout)
        let body = try await response.body.collect(upTo: 16 * 1024 * 1024)
        return Reply(status: Int(response.status.code), body: Array(body.readableBytesView),
                     headers: response.headers.map { ($0.name, $0.value) })
    }

    /// The value of one metric sample line (`name{labels} value`), 0 when absent.
    func metric(_ prefix: String) async throws -> Double {
        Self.metric(prefix, in: try await get("/metrics").text)
    }

    /// The value of one metric sample line (`name{labels} value`) of a scrape, 0 when absent.
    static func metric(_ prefix: String, in text: String) -> Double {
        for line in text.split(separator: "\n") where line.hasPrefix(prefix + " ") {
            return Double(line.split(separator: " ").last ?? "") ?? 0
        }
        return 0
    }
}

/// AdmissionReview bodies.
enum Review {
    static func manifest(_ relativePath: String, kind: String) throws -> JSONValue {
        let text = try String(contentsOf: WebhookHarness.repository.appendingPathComponent(relativePath), encoding: .utf8)
        for document in ManifestReader.read(yaml: text) {
            if case .success(let value) = document.result, value["kind"]?.stringValue == kind { return value }
        }
        throw Subprocess.Failed(description: "no \(kind) in \(relativePath)")
    }

    static func body(uid: String = UUID().uuidString, object: JSONValue?, oldObject: JSONValue? = nil, operation: String = "CREATE",
                     subResource: String? = nil, dryRun: Bool = false, kind: (String, String, String)? = nil,
                     user: String = "alice@example.com", groups: [String] = ["clinic-team", "system:authenticated"]) -> [UInt8] {
        // As the API server sends it: the kind of the object, or of the old object for a DELETE.
        let described = object ?? oldObject
        let objectKind = kind ?? (
            GroupVersionKind(apiVersion: described?["apiVersion"]?.stringValue ?? "v1", kind: "").group,
            GroupVersionKind(apiVersion: described?["apiVersion"]?.stringValue ?? "v1", kind: "").version,
            described?["kind"]?.stringValue ?? "")
        var request: JSONObject = [
            "uid": .string(uid),
            "kind": ["group": .string(objectKind.0), "version": .string(objectKind.1), "kind": .string(objectKind.2)],
            "resource": ["group": .string(objectKind.0), "version": .string(objectKind.1), "resource": .string(ResourceType.plural(of: objectKind.2))],
            "name": .string(object?["metadata"]?["name"]?.stringValue ?? oldObject?["metadata"]?["name"]?.stringValue ?? ""),
            "namespace": .string(object?["metadata"]?["namespace"]?.stringValue ?? oldObject?["metadata"]?["namespace"]?.stringValue ?? "clinic-prod"),
            "operation": .string(operation),
            "userInfo": ["username": .string(user), "groups": .array(groups.map(JSONValue.string))],
            "object": object ?? .null,
            "oldObject": oldObject ?? .null,
            "dryRun": .bool(dryRun),
        ]
        if let subResource { request["subResource"] = .string(subResource) }
        return JSONValue.object(["apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": .object(request)]).serializedBytes()
    }
}
