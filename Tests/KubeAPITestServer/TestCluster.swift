import Foundation
import KubeAPITestServer
import KubeClient
import KubeModel
import Logging

/// Where an integration test runs: the in-process API test server (always), or the real cluster in
/// `KUBECONFIG` (when set; otherwise the test is cancelled — reported as skipped — with the reason).
public enum Backend: String, CustomStringConvertible, Sendable {
    /// The in-process API test server.
    case testServer
    /// The cluster `KUBECONFIG` names.
    case realCluster

    /// The name a parameterized test shows.
    public var description: String { rawValue }

    /// Whether `KUBECONFIG` names a cluster to run the integration tests against as well.
    public static var realClusterConfigured: Bool { !(ProcessInfo.processInfo.environment["KUBECONFIG"] ?? "").isEmpty }

    /// The backends every integration test runs on: the test server, and the real cluster when configured.
    public static var allCases: [Backend] { realClusterConfigured ? [.testServer, .realCluster] : [.testServer] }

    /// Runs `body` with a client and a fresh namespace, deleted afterwards. `server` is the test
    /// server (fault injection), `nil` on a real cluster.
    public func run(_ body: @Sendable (Cluster) async throws -> Void) async throws {
        switch self {
        case .testServer:
            try await KubeAPITestServer.serving { server in
                try await Self.withNamespace(server.config, server: server, body)
            }
        case .realCluster:
            let environment = ProcessInfo.processInfo.environment
            let path = environment["KUBECONFIG"] ?? ""
            try await Self.withNamespace(try KubeConfig.resolve(explicitPath: path), server: nil, body)
        }
    }

    static func withNamespace(_ config: KubeConfig, server: KubeAPITestServer?, _ body: @Sendable (Cluster) async throws -> Void) async throws {
        var logger = Logger(label: "kube-runtime-tests")
        logger.logLevel = .critical
        let client = try KubeHTTPClient(config: config, logger: logger, maxRetryWait: .milliseconds(200))
        let namespace = "og-test-" + String(UUID().uuidString.lowercased().prefix(8))
        do {
            _ = try await client.create(.namespaces, namespace: nil, object: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(namespace)]],
                                        options: WriteOptions())
            try await body(Cluster(api: client, namespace: namespace, server: server, logger: logger))
            _ = try? await client.delete(.namespaces, namespace: nil, name: namespace, options: DeleteOptions())
            try await client.shutdown()
        } catch {
            _ = try? await client.delete(.namespaces, namespace: nil, name: namespace, options: DeleteOptions())
            try? await client.shutdown()
            throw error
        }
    }
}

/// What a test gets.
public struct Cluster: Sendable {
    /// The client.
    public let api: KubeHTTPClient
    /// The test's own namespace.
    public let namespace: String
    /// The test server (fault injection, request log), `nil` on a real cluster.
    public let server: KubeAPITestServer?
    /// A quiet logger.
    public let logger: Logger

    /// A ConfigMap in the test namespace.
    public func configMap(_ name: String, data: [String: String] = [:], labels: [String: String] = [:]) -> JSONValue {
        var metadata: JSONObject = ["name": .string(name), "namespace": .string(namespace)]
        if !labels.isEmpty { metadata["labels"] = .object(JSONObject(uniqueKeysWithValues: labels.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })) }
        return .object(["apiVersion": "v1", "kind": "ConfigMap", "metadata": .object(metadata),
                        "data": .object(JSONObject(uniqueKeysWithValues: data.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))])
    }

    @discardableResult
    public func create(_ object: JSONValue, _ resource: ResourceType = .configMaps) async throws -> JSONValue {
        try await api.create(resource, namespace: namespace, object: object, options: WriteOptions())
    }

    /// Polls `condition` every 50 ms for up to `seconds`.
    public func eventually(_ seconds: Double = 60, _ condition: @Sendable () async throws -> Bool) async throws -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }
}
