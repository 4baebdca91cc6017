import Foundation
import KubeAPITestServer
import KubeModel
import Testing
import TestSupport

/// The CRDs travel with the chart (issue #39): templates behind `crds.enabled`, kept on uninstall,
/// installed on a first install before the release's GuardPolicy needs them, and carried by an upgrade
/// from the chart that still shipped them in `crds/` (helm's install-only directory). The API test
/// server serves `odooguard.io` only once its CRDs exist here, as a real API server does.
@Suite("Helm chart: the CRDs", .serialized)
struct ChartCRDTests {
    /// The last commit whose chart (0.1.0) shipped the CRDs in `crds/`.
    static let previousChartCommit = "1e12c2b"

    /// The previous chart, from git, in a new temporary directory.
    static func previousChart() throws -> String {
        let directory = NSTemporaryDirectory() + "chart-previous-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let (status, output) = try Subprocess.run("/bin/sh", ["-c", "git -C '\(Chart.root.path)' archive \(previousChartCommit) charts/odoo-guard | tar -x -C '\(directory)'"])
        guard status == 0 else {
            throw Subprocess.Failed(description: "the previous chart (commit \(previousChartCommit)) could not be read from git; a clone with its history is needed: \(output)")
        }
        return directory + "/charts/odoo-guard"
    }

    static let definitions = ["changeapprovals", "guardexceptions", "guardpolicies", "odooenvironments", "odooreleases", "odoorestores"]
        .map { "\($0).odooguard.io" }

    static func crd(_ cluster: ChartInstallTests.Cluster, _ name: String) -> JSONValue? {
        cluster.server.object(.init(group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions",
                                    kind: "CustomResourceDefinition", namespaced: false), namespace: nil, name: name)
    }

    static func environment(_ cluster: ChartInstallTests.Cluster) async throws {
        let file = cluster.kubeconfig + "-env.yaml"
        defer { unlink(file) }
        try Data("""
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "clinic"}}
        {"apiVersion": "odooguard.io/v1alpha1", "kind": "OdooEnvironment", "metadata": {"name": "clinic", "namespace": "clinic"},
         "spec": {"version": "17.0", "tier": "shared", "stage": "development", "database": {"name": "clinic"}}}
        """.utf8).write(to: URL(fileURLWithPath: file))
        _ = try await cluster.kubectl(["create", "--validate=false", "-f", file])
    }

    @Test func aFirstInstallCreatesTheCRDsBeforeThePolicyAndUninstallKeepsThemAndTheEnvironments() async throws {
        try await ChartInstallTests.withCluster(realCustomResources: true) { cluster in
            let run = try await cluster.helmRun(["install", "og", Chart.path, "--disable-openapi-validation", "--timeout", "20s"])
            if run.status != 0 { Issue.record("\(run.output)\n\(cluster.server.requests.suffix(60).joined(separator: "\n"))"); return }
            for name in Self.definitions {
                let crd = Self.crd(cluster, name)
                #expect(crd?["metadata"]?["annotations"]?["helm.sh/resource-policy"] == "keep", "\(name)")
                #expect(crd?["metadata"]?["labels"]?["app.kubernetes.io/managed-by"] == "Helm", "\(name)")
            }
            #expect(cluster.server.object(.guardPolicies, namespace: nil, name: "default") != nil, "the policy hook ran after the CRDs")
            try await Self.environment(cluster)
            _ = try await cluster.helm(["uninstall", "og"])
            for name in Self.definitions { #expect(Self.crd(cluster, name) != nil, "\(name) was deleted by the uninstall") }
            #expect(cluster.server.object(.odooEnvironments, namespace: "clinic", name: "clinic") != nil, "the tenant's environment is gone")
            #expect(cluster.server.object(.deployments, namespace: "odoo-guard", name: "og-odoo-guard-webhook") == nil)
            // A reinstall adopts the kept CRDs (they carry the release's ownership) and recreates the policy.
            _ = try await cluster.helm(["install", "og", Chart.path, "--disable-openapi-validation"])
            #expect(cluster.server.object(.guardPolicies, namespace: nil, name: "default") != nil)
        }
    }

    @Test func anUpgradeFromTheChartWithCRDsInTheirOwnDirectoryCarriesTheNewSchema() async throws {
        let previous = try Self.previousChart()
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: previous).deletingLastPathComponent().deletingLastPathComponent().path) }
        try await ChartInstallTests.withCluster(realCustomResources: true) { cluster in
            _ = try await cluster.helm(["install", "og", previous, "--disable-openapi-validation"])
            let before = Self.crd(cluster, "guardexceptions.odooguard.io")
            #expect(before != nil, "helm installed the previous chart's crds/")
            func expiresIn(_ crd: JSONValue?) -> JSONValue? {
                crd?["spec"]?["versions"]?[0]?["schema"]?["openAPIV3Schema"]?["properties"]?["spec"]?["properties"]?["expiresIn"]
            }
            #expect(before?["spec"]?["versions"]?[0]?["schema"]?["openAPIV3Schema"]?["properties"]?["spec"]?["properties"]?["expiresAt"] != nil)
            #expect(expiresIn(before) == nil, "the previous CRD has no expiresIn")
            try await Self.environment(cluster)
            // Those CRDs carry no release ownership: the one upgrade onto 0.2.0 takes it (docs/install).
            let refused = try await cluster.helmRun(["upgrade", "og", Chart.path, "--disable-openapi-validation"])
            #expect(refused.status != 0 && refused.output.contains("CustomResourceDefinition"), "\(refused.output)")
            _ = try await cluster.helm(["upgrade", "og", Chart.path, "--disable-openapi-validation", "--take-ownership"])
            let after = Self.crd(cluster, "guardexceptions.odooguard.io")
            #expect(expiresIn(after)?["pattern"] != nil, "the upgrade did not carry the new schema")
            #expect(after?["metadata"]?["annotations"]?["helm.sh/resource-policy"] == "keep")
            // Later upgrades need nothing more; the environment made under 0.1.0 is still there.
            _ = try await cluster.helm(["upgrade", "og", Chart.path, "--disable-openapi-validation", "--set", "webhook.logLevel=debug"])
            #expect(cluster.server.object(.guardPolicies, namespace: nil, name: "default") != nil)
            _ = try await cluster.helm(["uninstall", "og"])
            for name in Self.definitions { #expect(Self.crd(cluster, name) != nil, "\(name) was deleted by the uninstall") }
            #expect(cluster.server.object(.odooEnvironments, namespace: "clinic", name: "clinic") != nil)
        }
    }

    @Test func crdsCanBeLeftToSomethingElse() throws {
        let kinds = { (set: [String]) in try Chart.render(set: set).filter { $0["kind"] == "CustomResourceDefinition" } }
        let rendered = try kinds([])
        #expect(rendered.count == 6 && rendered.allSatisfy { $0["metadata"]?["annotations"]?["helm.sh/resource-policy"] == "keep" })
        #expect(try kinds(["crds.enabled=false"]).isEmpty)
        #expect(try kinds(["crds.keep=false"]).allSatisfy { $0["metadata"]?["annotations"]?["helm.sh/resource-policy"] == nil })
        // What the chart renders is the CRD of crds/, only labelled and annotated.
        for crd in rendered {
            let name = crd["metadata"]?["name"]?.stringValue ?? ""
            let file = Chart.root.appendingPathComponent("crds/odooguard.io_\(name.replacingOccurrences(of: ".odooguard.io", with: "")).yaml")
            let source = try ManifestReader.parseSingle(yaml: String(contentsOf: file, encoding: .utf8))
            #expect(crd["spec"] == source["spec"], "\(name) differs from \(file.lastPathComponent) once rendered")
        }
    }
}
