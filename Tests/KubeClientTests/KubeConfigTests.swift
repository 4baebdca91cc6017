import Foundation
import KubeAPITestServer
import KubeClient
import KubeModel
import Logging
import Testing

@Suite("KubeConfig")
struct KubeConfigTests {
    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "kubeconfig-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("the integration tests also run against the cluster in KUBECONFIG, which answers",
          .enabled(if: Backend.realClusterConfigured,
                   "KUBECONFIG is not set: the API semantics and runtime tests ran against the test API server only"))
    func realClusterReachable() async throws {
        let config = try KubeConfig.resolve(explicitPath: ProcessInfo.processInfo.environment["KUBECONFIG"])
        try await KubeHTTPClient.withClient(config, logger: Logger(label: "test")) { client in
            let list = try await client.list(.namespaces, namespace: nil, options: ListOptions(limit: 1))
            #expect(!list.resourceVersion.isEmpty)
        }
    }

    @Test("a kubeconfig written for the test server resolves from --kubeconfig and from KUBECONFIG, and works")
    func kubeconfigRoundTrip() async throws {
        try await KubeAPITestServer.serving { server in
            let directory = try Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let file = directory + "/config"
            try server.writeKubeconfig(to: file, namespace: "tenant-a")
            let explicit = try KubeConfig.resolve(explicitPath: file, environment: [:])
            #expect(explicit.namespace == "tenant-a")
            #expect(explicit.server == "https://127.0.0.1:\(server.port)")
            let fromEnvironment = try KubeConfig.resolve(environment: ["KUBECONFIG": "/nonexistent:" + file])
            #expect(fromEnvironment.source.contains(file))
            try await KubeHTTPClient.withClient(explicit, logger: Logger(label: "test")) { client in
                let list = try await client.list(.namespaces, namespace: nil, options: ListOptions())
                #expect(!list.resourceVersion.isEmpty)
            }
        }
    }

    @Test("broken kubeconfigs are refused with the file and the field", arguments: [
        ("current-context: missing\ncontexts: []\n", "no entry named \"missing\""),
        ("contexts:\n- name: c\n  context: {cluster: k, user: u}\ncurrent-context: c\nclusters:\n- name: k\n  cluster: {server: ftp://x}\n", "clusters[0].cluster.server"),
        ("contexts:\n- name: c\n  context: {cluster: k, user: u}\ncurrent-context: c\nclusters:\n- name: k\n  cluster: {server: 'https://x'}\nusers:\n- name: u\n  user: {exec: {command: aws}}\n", "users[0].user.exec"),
        ("contexts:\n- name: c\n  context: {cluster: k, user: u}\ncurrent-context: c\nclusters:\n- name: k\n  cluster: {server: 'https://x', certificate-authority: missing-ca.pem}\n", "clusters[0].cluster.certificate-authority"),
        ("kind: Config\n", "current-context"),
    ])
    func brokenKubeconfig(_ text: String, _ expected: String) throws {
        let scratch = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let file = scratch + "/config"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let error = #expect(throws: KubeClientError.self) { try KubeConfig.load(kubeconfig: file) }
        #expect(error == .invalidConfiguration)
        #expect(error?.message.contains(file) == true)
        #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
    }

    @Test("in-cluster: host and port from the environment, the CA and namespace files; a missing token is named")
    func inCluster() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let missing = #expect(throws: KubeClientError.self) {
            try KubeConfig.inCluster(environment: ["KUBERNETES_SERVICE_HOST": "10.0.0.1"], directory: directory)
        }
        #expect(missing?.message.contains("\(directory)/token") == true)
        try "token-1".write(toFile: directory + "/token", atomically: true, encoding: .utf8)
        try "-----BEGIN CERTIFICATE-----\n".write(toFile: directory + "/ca.crt", atomically: true, encoding: .utf8)
        try "odoo-guard\n".write(toFile: directory + "/namespace", atomically: true, encoding: .utf8)
        let config = try KubeConfig.inCluster(environment: ["KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "6443"],
                                              directory: directory)
        #expect(config.server == "https://10.0.0.1:6443")
        #expect(config.namespace == "odoo-guard")
        #expect(config.bearerTokenFile == directory + "/token")
        let resolved = try KubeConfig.resolve(environment: ["KUBERNETES_SERVICE_HOST": "10.0.0.1"], serviceAccountDirectory: directory)
        #expect(resolved.source == "in-cluster")
    }

    @Test("a rotated token file is re-read after a 401")
    func tokenRotation() async throws {
        try await KubeAPITestServer.serving { server in
            let directory = try Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let tokenFile = directory + "/token"
            try "expired-token".write(toFile: tokenFile, atomically: true, encoding: .utf8)
            var config = server.config
            config.bearerToken = nil
            config.bearerTokenFile = tokenFile
            try await KubeHTTPClient.withClient(config, logger: Logger(label: "test")) { client in
                let refused = await #expect(throws: KubeClientError.self) { try await client.list(.namespaces, namespace: nil, options: ListOptions()) }
                #expect(refused == .unauthorized)
                #expect(refused?.description.contains("expired-token") == false)
                try server.token.write(toFile: tokenFile, atomically: true, encoding: .utf8)
                _ = try await client.list(.namespaces, namespace: nil, options: ListOptions())
            }
        }
    }

    @Test("429 with Retry-After is retried; 5xx without it is an error at once; a closed port is a connection error")
    func retries() async throws {
        try await KubeAPITestServer.serving { server in
            let client = try KubeHTTPClient(config: server.config, logger: Logger(label: "test"), maxRetryWait: .milliseconds(100))
            do {
                server.failNext(3, status: 429, retryAfter: 1)
                let list = try await client.list(.namespaces, namespace: nil, options: ListOptions())
                #expect(!list.resourceVersion.isEmpty)
                server.failNext(1, status: 503)
                let failed = await #expect(throws: KubeClientError.self) { try await client.list(.namespaces, namespace: nil, options: ListOptions()) }
                #expect(failed == .serverError)
                #expect(failed?.isTransient == true)
            }
            try await client.shutdown()
        }
        var closed = KubeConfig(server: "https://127.0.0.1:1", source: "test")
        closed.insecureSkipTLSVerify = true
        try await KubeHTTPClient.withClient(closed, logger: Logger(label: "test")) { client in
            let error = await #expect(throws: KubeClientError.self) { try await client.get(.namespaces, namespace: nil, name: "x") }
            #expect(error == .connection)
        }
    }

    @Test("label selector text round-trips and bad selectors are refused")
    func selectorText() throws {
        let selector = try LabelSelector(parsing: "app=odoo, tier in (shared,dedicated),!legacy,shard")
        #expect(selector.matches(["app": "odoo", "tier": "shared", "shard": "1"]))
        #expect(!selector.matches(["app": "odoo", "tier": "shared", "shard": "1", "legacy": "y"]))
        #expect(try LabelSelector(parsing: selector.text) == selector)
        #expect(throws: KubeModelError.self) { try LabelSelector(parsing: "tier in (a") }
        #expect(throws: KubeModelError.self) { try LabelSelector(parsing: "a b=c") }
        #expect(try LabelSelector(parsing: "").isEmpty)
    }
}
