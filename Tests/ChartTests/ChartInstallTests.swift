import Foundation
import KubeAPITestServer
import KubeClient
import KubeModel
import Testing
import TestSupport

/// The real helm installing, upgrading and uninstalling the chart against the API test server, with
/// releases stored in a real PostgreSQL (helm's SQL driver: the test server speaks JSON only, and
/// helm's own release Secrets are sent as protobuf). This is what `helm template` cannot show: `lookup`
/// keeping the generated certificates across upgrades and renewing them inside the margin.
@Suite("Helm chart: install, upgrade, uninstall", .serialized)
struct ChartInstallTests {
    struct Cluster {
        let server: KubeAPITestServer
        let kubeconfig: String
        let database: String

        /// Runs helm on this cluster; throws when it exits non-zero.
        func helm(_ arguments: [String]) async throws -> String {
            let (status, output) = try await helmRun(arguments)
            guard status == 0 else { throw Subprocess.Failed(description: "helm \(arguments.joined(separator: " ")) exited \(status): \(output)") }
            return output
        }

        /// Runs helm on this cluster: its exit status and output.
        func helmRun(_ arguments: [String]) async throws -> (status: Int32, output: String) {
            let environment = ["HELM_DRIVER=sql", "HELM_DRIVER_SQL_CONNECTION_STRING=\(database)", "HELM_CACHE_HOME=/tmp/odoo-guard-helm-cache",
                               "HELM_CONFIG_HOME=/tmp/odoo-guard-helm-config", "HELM_DATA_HOME=/tmp/odoo-guard-helm-data"]
            let command = environment + [Chart.helm] + arguments + ["--kubeconfig", kubeconfig, "--namespace", "odoo-guard"]
            return try await offPool { try Subprocess.run("/usr/bin/env", command) }
        }

        func kubectl(_ arguments: [String]) async throws -> String {
            let command = ["--kubeconfig", kubeconfig] + arguments
            return try await offPool { try Subprocess.checked(ExecutablePath.onPath("kubectl"), command) }
        }

        func secret(_ name: String) -> JSONValue? { server.object(.secrets, namespace: "odoo-guard", name: name) }

        func bundles() -> [String] {
            ["mutatingwebhookconfigurations", "validatingwebhookconfigurations"].flatMap { resource in
                let type = ResourceType(group: "admissionregistration.k8s.io", version: "v1", resource: resource, kind: "", namespaced: false)
                let hooks = server.object(type, namespace: nil, name: "og-odoo-guard-webhook")?["webhooks"]?.arrayValue ?? []
                return hooks.compactMap { $0["clientConfig"]?["caBundle"]?.stringValue }
            }
        }
    }

    /// A test API server and a PostgreSQL for helm's releases; with `realCustomResources`, the
    /// `odooguard.io` resources are served only once their CRDs exist, as on a real cluster.
    static func withCluster(realCustomResources: Bool = false, _ body: @Sendable (Cluster) async throws -> Void) async throws {
        let database = try PostgresServer()
        defer { database.stop() }
        try await KubeAPITestServer.serving(customResourcesNeedDefinitions: realCustomResources) { server in
            let kubeconfig = NSTemporaryDirectory() + "chart-kubeconfig-\(UUID().uuidString.prefix(8))"
            try server.writeKubeconfig(to: kubeconfig)
            defer { unlink(kubeconfig); unlink(kubeconfig + "-ns.json") }
            let cluster = Cluster(server: server, kubeconfig: kubeconfig, database: database.dsn)
            try Data(#"{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "odoo-guard"}}"#.utf8)
                .write(to: URL(fileURLWithPath: kubeconfig + "-ns.json"))
            _ = try await cluster.kubectl(["create", "--validate=false", "-f", kubeconfig + "-ns.json"])
            try await body(cluster)
        }
    }

    static func verify(_ cluster: Cluster) throws {
        let directory = NSTemporaryDirectory() + "chart-install-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let data = cluster.secret("og-odoo-guard-webhook-tls")?["data"]
        for key in ["ca.crt", "tls.crt"] {
            let text = try #require(data?[key]?.stringValue.flatMap { Data(base64Encoded: $0) })
            try text.write(to: URL(fileURLWithPath: "\(directory)/\(key)"))
        }
        let verified = try Subprocess.checked("/usr/bin/openssl", ["verify", "-purpose", "sslserver", "-CAfile", "\(directory)/ca.crt", "\(directory)/tls.crt"])
        #expect(verified.contains(": OK"))
    }

    @Test func generatedCertificatesSurviveUpgradesAreRenewedInsideTheMarginAndUninstallLeavesNothing() async throws {
        try await Self.withCluster { cluster in
            let flags = ["--skip-crds", "--disable-openapi-validation"]
            _ = try await cluster.helm(["install", "og", Chart.path] + flags)
            let ca = try #require(cluster.secret("og-odoo-guard-webhook-ca")?["data"]?["tls.crt"]?.stringValue)
            let leaf = try #require(cluster.secret("og-odoo-guard-webhook-tls")?["data"]?["tls.crt"]?.stringValue)
            let notAfter = try #require(cluster.secret("og-odoo-guard-webhook-tls")?["metadata"]?["annotations"]?["odooguard.io/not-after"]?.stringValue)
            #expect(cluster.bundles().count == 5 && cluster.bundles().allSatisfy { $0 == ca })
            try Self.verify(cluster)

            // An upgrade far from expiry keeps the CA, the serving certificate and every caBundle.
            _ = try await cluster.helm(["upgrade", "og", Chart.path, "--reuse-values", "--set", "webhook.logLevel=debug"] + flags)
            let webhook = cluster.server.object(.deployments, namespace: "odoo-guard", name: "og-odoo-guard-webhook")
            let arguments = webhook?["spec"]?["template"]?["spec"]?["containers"]?[0]?["args"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(arguments.contains("--log-level=debug"), "the upgrade was applied")
            #expect(cluster.secret("og-odoo-guard-webhook-ca")?["data"]?["tls.crt"]?.stringValue == ca)
            #expect(cluster.secret("og-odoo-guard-webhook-tls")?["data"]?["tls.crt"]?.stringValue == leaf)
            #expect(cluster.secret("og-odoo-guard-webhook-tls")?["metadata"]?["annotations"]?["odooguard.io/not-after"]?.stringValue == notAfter)
            #expect(cluster.bundles().allSatisfy { $0 == ca })

            // A year later: the annotation helm wrote says 10 days are left (written here as helm's own field
            // manager, as the original apply would have). The next upgrade signs a new leaf with the same CA.
            let soon = ISO8601DateFormatter().string(from: Date().addingTimeInterval(10 * 86_400))
            var aged = try #require(cluster.secret("og-odoo-guard-webhook-tls")?.objectValue)
            aged["metadata"] = ["name": "og-odoo-guard-webhook-tls", "namespace": "odoo-guard",
                                "labels": aged["metadata"]?["labels"] ?? [:], "annotations": ["odooguard.io/not-after": .string(soon)]]
            let agedFile = cluster.kubeconfig + "-aged.json"
            defer { unlink(agedFile) }
            try Data(JSONValue.object(aged).serializedBytes()).write(to: URL(fileURLWithPath: agedFile))
            _ = try await cluster.kubectl(["apply", "--server-side", "--field-manager=helm", "--validate=false", "-f", agedFile])
            _ = try await cluster.helm(["upgrade", "og", Chart.path, "--reuse-values"] + flags)
            let renewed = cluster.secret("og-odoo-guard-webhook-tls")
            let renewedLeaf = try #require(renewed?["data"]?["tls.crt"]?.stringValue)
            #expect(renewedLeaf != leaf, "the serving certificate was not renewed inside the margin")
            #expect(renewed?["metadata"]?["annotations"]?["odooguard.io/not-after"]?.stringValue != soon)
            #expect(cluster.secret("og-odoo-guard-webhook-ca")?["data"]?["tls.crt"]?.stringValue == ca)
            #expect(cluster.bundles().count == 5 && cluster.bundles().allSatisfy { $0 == ca })
            try Self.verify(cluster)

            // Rotation on demand (certs/README.md): delete the serving Secret, upgrade; same CA, new leaf.
            _ = try await cluster.kubectl(["-n", "odoo-guard", "delete", "secret", "og-odoo-guard-webhook-tls"])
            _ = try await cluster.helm(["upgrade", "og", Chart.path, "--reuse-values"] + flags)
            #expect(cluster.secret("og-odoo-guard-webhook-tls")?["data"]?["tls.crt"]?.stringValue.map { $0 != renewedLeaf } == true)
            #expect(cluster.bundles().allSatisfy { $0 == ca })
            try Self.verify(cluster)
            // A hand-written annotation is owned by kubectl, and helm's server-side apply refuses to take it back:
            // the documented way is the deletion above.
            _ = try await cluster.kubectl(["-n", "odoo-guard", "annotate", "secret", "og-odoo-guard-webhook-tls", "--overwrite", "odooguard.io/not-after=\(soon)"])
            await #expect(throws: (any Error).self) { try await cluster.helm(["upgrade", "og", Chart.path, "--reuse-values"] + flags) }

            // Uninstall removes every object of the release, cluster-scoped ones included, but the CRDs
            // and the default GuardPolicy (a hook) it keeps.
            _ = try await cluster.helm(["uninstall", "og"])
            let left = try await cluster.kubectl(["get", "clusterroles,clusterrolebindings,mutatingwebhookconfigurations,validatingwebhookconfigurations",
                                                 "-l", "app.kubernetes.io/instance=og", "-o", "name"])
            #expect(left.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "left after uninstall: \(left)")
            let namespaced = try await cluster.kubectl(["-n", "odoo-guard", "get", "deployments,services,secrets,configmaps,serviceaccounts,roles,rolebindings,networkpolicies,poddisruptionbudgets",
                                                       "-l", "app.kubernetes.io/instance=og", "-o", "name"])
            #expect(namespaced.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "left after uninstall: \(namespaced)")
        }
    }
}
