import Foundation
import KubeAPITestServer
import KubeClient
import KubeModel
import KubeRuntime
import Logging
import OdooOperator
import ServiceLifecycle
import Testing

/// `OperatorLaunch`, the wiring `guard-operator`'s main calls (issue #34): files and flags refused by
/// name before anything runs, and an operator built from flags that reconciles on the test server.
@Suite("guard-operator launch")
struct OperatorLaunchTests {
    static let logger: Logger = {
        var logger = Logger(label: "operator-launch-tests")
        logger.logLevel = .critical
        return logger
    }()

    static func options(_ kubeconfig: String) -> OperatorLaunch.Options {
        var options = OperatorLaunch.Options(identity: "launch-test")
        options.kubeconfig = kubeconfig
        options.host = "127.0.0.1"
        options.port = 0
        options.resolveImages = false
        options.auditInterval = 0
        options.leaseNamespace = "default"
        return options
    }

    @Test(arguments: [
        ("config", "/nonexistent/operator.yaml", "--config /nonexistent/operator.yaml: cannot be read"),
        ("config", "examples/policies/default.yaml", "examples/policies/default.yaml"),
        ("policy", "/nonexistent/policy.yaml", "--policy /nonexistent/policy.yaml: cannot be read"),
        ("kubeconfig", "/nonexistent/kubeconfig", "/nonexistent/kubeconfig"),
    ])
    func badFilesAreNamed(_ flag: String, _ path: String, _ expected: String) async throws {
        let file = path.hasPrefix("/") ? path : OperatorHarness.root.path + "/" + path
        var options = Self.options("/nonexistent/kubeconfig")
        switch flag {
        case "config": options.configFile = file
        case "policy": options.policyFile = file
        default: options.kubeconfig = file
        }
        let error = await #expect(throws: OperatorError.self) { _ = try await OperatorLaunch.build(options, logger: Self.logger) }
        #expect(error == .invalidConfiguration)
        #expect(error?.message.contains(expected) == true, "\(String(describing: error))")
    }

    @Test func anOperatorBuiltFromFlagsReconciles() async throws {
        try await KubeAPITestServer.serving { server in
            let directory = NSTemporaryDirectory() + "launch-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            try server.writeKubeconfig(to: directory + "/kubeconfig")
            let launch = try await OperatorLaunch.build(Self.options(directory + "/kubeconfig"), logger: Self.logger)
            #expect(launch.services.count == 5, "the environment, restore and release controllers, the burst trimmer and the health server; no registry client, no audit")
            #expect(launch.services.contains { $0 is BurstTrimmer })
            let api = launch.client
            do {
                for name in ["default", "clinic-launch"] {
                    _ = try? await api.create(.namespaces, namespace: nil, object: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]],
                                              options: WriteOptions())
                }
                let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: launch.services.map { .init(service: $0) }, logger: Self.logger))
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { try await group.run() }
                    let text = try String(contentsOf: OperatorHarness.root.appendingPathComponent("examples/environments/clinic-production.yaml"), encoding: .utf8)
                    var environment = try ManifestReader.parseSingle(yaml: text)
                    environment.set("clinic-launch", at: "metadata.namespace")
                    _ = try await api.create(.odooEnvironments, namespace: "clinic-launch", object: environment, options: WriteOptions())
                    let end = Date().addingTimeInterval(30)
                    var finalizers: [String] = []
                    while Date() < end && finalizers.isEmpty {
                        try await Task.sleep(for: .milliseconds(100))
                        let stored = try await api.getIfExists(.odooEnvironments, namespace: "clinic-launch", name: "clinic")
                        finalizers = stored.map { KubeObject($0).finalizers } ?? []
                    }
                    #expect(launch.service.isSynced)
                    #expect(finalizers == ["odooguard.io/cleanup"], "the launched operator did not take the environment")
                    await group.triggerGracefulShutdown()
                    try await tasks.waitForAll()
                }
            } catch {
                try? await api.shutdown()
                throw error
            }
            try await api.shutdown()
        }
    }
}
