import Foundation
import GuardRules
import KubeModel
import Testing

/// The background audit's reports, decided without a cluster: what each object's results say, the
/// size cap, that an unchanged report is not rewritten, and that every report validates against the
/// `wgpolicyk8s.io` CRDs.
@Suite struct PolicyReportBuilderTests {
    static let now = Timestamp.parse("2026-12-02T10:00:00Z") ?? Date()
    static let namespace = NamespaceContext(name: "clinic-prod", labels: [GuardLabels.stage: "production", GuardLabels.tier: "dedicated"])
    /// The repository's root.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let reference = root.deletingLastPathComponent().appendingPathComponent("shared/reference/policyreport-crds")

    static func deployment(_ name: String, image: String = "registry.example.com/odoo/odoo:17.0@sha256:" + String(repeating: "a", count: 64),
                           resources: Bool = true, owned: Bool = false) -> KubeObject {
        var container: JSONObject = ["name": "web", "image": .string(image),
                                     "securityContext": ["allowPrivilegeEscalation": false, "capabilities": ["drop": ["ALL"]]]]
        if resources { container["resources"] = ["requests": ["cpu": "250m", "memory": "512Mi"], "limits": ["memory": "1Gi"]] }
        var metadata: JSONObject = ["name": .string(name), "namespace": "clinic-prod", "uid": .string("uid-\(name)")]
        if owned { metadata["ownerReferences"] = [["apiVersion": "apps/v1", "kind": "Deployment", "name": "x", "uid": "u", "controller": true]] }
        return KubeObject(["apiVersion": "apps/v1", "kind": "Deployment", "metadata": .object(metadata),
                           "spec": ["replicas": 1, "selector": ["matchLabels": ["app": .string(name)]],
                                    "template": ["metadata": ["labels": ["app": .string(name)]],
                                                 "spec": ["securityContext": ["runAsNonRoot": true, "seccompProfile": ["type": "RuntimeDefault"]],
                                                          "containers": [.object(container)]]]]])
    }

    static func results(_ write: PolicyReportBuilder.Write?) -> [JSONValue] {
        guard case .create(let report)? = write else { return [] }
        return report["results"]?.arrayValue ?? []
    }

    @Test("each object gets a pass, or a result per rule: enforce fails, warn warns, waived skips; change rules are left out")
    func resultsPerObject() throws {
        let builder = PolicyReportBuilder(policy: try GuardPolicy.builtIn(), now: Self.now)
        let objects = [Self.deployment("clean"), Self.deployment("latest", image: "registry.example.com/odoo/odoo:latest", resources: false),
                       Self.deployment("replica", image: "nginx", owned: true)]
        let exception = KubeObject(["apiVersion": "odooguard.io/v1alpha1", "kind": "GuardException",
                                    "metadata": ["name": "e", "namespace": "clinic-prod"],
                                    "spec": ["rules": ["resources.defaults"], "targets": [["kind": "Deployment", "name": "latest"]],
                                             "approver": "ciso", "reason": "migration", "expiresAt": "2026-12-20T00:00:00Z"]])
        let write = builder.namespaceReport(Self.namespace, objects: objects, peers: [exception], existing: nil)
        guard case .create(let report)? = write else { Issue.record("no report"); return }
        let results = report["results"]?.arrayValue ?? []
        let summary = results.map { "\($0["resources"]?[0]?["name"]?.stringValue ?? "") \($0["rule"]?.stringValue ?? "") \($0["result"]?.stringValue ?? "")" }
        #expect(summary.contains("clean all pass"))
        #expect(summary.contains("latest image.no-latest fail") && summary.contains("latest image.digest-pinned fail"), "\(summary)")
        #expect(summary.contains("latest resources.defaults skip"), "\(summary)")
        #expect(!summary.contains { $0.hasPrefix("replica ") }, "a controller's object is judged through its owner")
        #expect(report["summary"]?["pass"] == 1 && report["summary"]?["skip"] == 1)
        let fail = try #require(results.first { $0["rule"] == "image.no-latest" })
        #expect(fail["severity"] == "high" && fail["category"] == "image" && fail["policy"] == "default" && fail["source"] == "odoo-guard")
        #expect(fail["timestamp"]?["seconds"]?.intValue == Int64(Self.now.timeIntervalSince1970))
        #expect(results.first?["result"] == "fail", "failures come first")
        // A change-only rule (here the namespace's labels, judged as a tenant's create) is never reported.
        let namespace = KubeObject(["apiVersion": "v1", "kind": "Namespace",
                                    "metadata": ["name": "clinic-prod", "labels": [GuardLabels.stage: "production", GuardLabels.podSecurityEnforce: "privileged"]]])
        let cluster = Self.results(builder.clusterReport(namespaces: [namespace], existing: nil)).compactMap { $0["rule"]?.stringValue }
        #expect(cluster.contains("namespace.pod-security-level") && !cluster.contains("namespace.labels-locked"), "\(cluster)")
    }

    @Test("an unchanged report is not rewritten; a changed one keeps the first timestamp of the results it still has")
    func rewritesOnlyChanges() throws {
        let builder = PolicyReportBuilder(policy: try GuardPolicy.builtIn(), now: Self.now)
        let objects = [Self.deployment("a", resources: false), Self.deployment("b")]
        guard case .create(var stored)? = builder.namespaceReport(Self.namespace, objects: objects, existing: nil) else { Issue.record("no report"); return }
        stored.set("17", at: "metadata.resourceVersion")
        let later = PolicyReportBuilder(policy: try GuardPolicy.builtIn(), now: Self.now.addingTimeInterval(3600))
        #expect(later.namespaceReport(Self.namespace, objects: objects, existing: stored) == nil)
        let changed = later.namespaceReport(Self.namespace, objects: objects + [Self.deployment("c", resources: false)], existing: stored)
        guard case .update(let report)? = changed else { Issue.record("expected an update, got \(String(describing: changed))"); return }
        #expect(report["metadata"]?["resourceVersion"] == "17")
        let stamps = (report["results"]?.arrayValue ?? []).map { ($0["resources"]?[0]?["name"]?.stringValue ?? "", $0["timestamp"]?["seconds"]?.intValue ?? 0) }
        #expect(stamps.filter { $0.0 == "a" }.allSatisfy { $0.1 == Int64(Self.now.timeIntervalSince1970) })
        #expect(stamps.filter { $0.0 == "c" }.allSatisfy { $0.1 == Int64(Self.now.timeIntervalSince1970) + 3600 })
    }

    @Test("past the cap, failures are kept first, the summary still counts everything, and the report says how many were left out")
    func cap() throws {
        let builder = PolicyReportBuilder(policy: try GuardPolicy.builtIn(), now: Self.now, maximumResults: 10)
        let objects = (0..<30).map { Self.deployment("clean-\($0)") } + (0..<5).map { Self.deployment("bad-\($0)", resources: false) }
        guard case .create(let report)? = builder.namespaceReport(Self.namespace, objects: objects, existing: nil) else { Issue.record("no report"); return }
        let results = report["results"]?.arrayValue ?? []
        #expect(results.count == 10)
        #expect(results.prefix(5).allSatisfy { $0["result"] == "fail" })
        #expect(report["summary"]?["pass"] == 30 && (report["summary"]?["fail"]?.intValue ?? 0) >= 5)
        let total = ["pass", "fail", "warn", "skip", "error"].compactMap { report["summary"]?[$0]?.intValue }.reduce(0, +)
        #expect(report["metadata"]?["annotations"]?[GuardLabels.resultsOmitted]?.stringValue == String(total - 10))
    }

    @Test("reports validate against the wgpolicyk8s.io CRDs",
          .enabled(if: FileManager.default.fileExists(atPath: reference.path), "../shared/reference is not beside this clone"))
    func schemas() throws {
        let builder = PolicyReportBuilder(policy: try GuardPolicy.builtIn(), now: Self.now)
        let namespaced = try #require(builder.namespaceReport(Self.namespace, objects: [Self.deployment("a", resources: false), Self.deployment("b")],
                                                              existing: nil))
        let namespace = KubeObject(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "clinic-prod", "labels": [GuardLabels.stage: "production"]]])
        let cluster = try #require(builder.clusterReport(namespaces: [namespace], existing: nil))
        for (write, file) in [(namespaced, "wgpolicyk8s.io_policyreports.yaml"), (cluster, "wgpolicyk8s.io_clusterpolicyreports.yaml")] {
            guard case .create(let report) = write else { Issue.record("not a create"); continue }
            let crd = try ManifestReader.parseSingle(yaml: try String(contentsOf: Self.reference.appendingPathComponent(file), encoding: .utf8))
            let validator = try #require(SchemaValidator(crd: crd, version: "v1alpha2"))
            #expect(validator.validate(report).isEmpty, "\(file): \(validator.validate(report))")
        }
    }
}
