import Foundation
import GuardRules
import KubeModel
import Testing
import TestSupport

/// Every scenario lints strictly, renders, and renders objects the official schemas accept.
@Suite("Helm chart: lint, template, schemas", .serialized)
struct ChartRenderingTests {
    /// The Kubernetes versions the chart supports (Chart.yaml: kubeVersion >= 1.27), oldest and newest included.
    static let kubernetesVersions = ["1.27.0", "1.30.0", "1.32.0", "1.35.0"]

    @Test func chartCopiesOfTheCRDsAndTheDefaultPolicyAreIdentical() throws {
        let top = Chart.root.appendingPathComponent("crds").path
        let files = try FileManager.default.contentsOfDirectory(atPath: top).filter { $0.hasSuffix(".yaml") }.sorted()
        let copies = try FileManager.default.contentsOfDirectory(atPath: "\(Chart.path)/files/crds").filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(files.count == 6, "four CRDs, OdooRelease since #35 and OdooRestore since #36")
        #expect(copies == files, "charts/odoo-guard/files/crds must hold exactly the files of crds/")
        for file in files {
            let original = try Data(contentsOf: URL(fileURLWithPath: "\(top)/\(file)"))
            let copy = try Data(contentsOf: URL(fileURLWithPath: "\(Chart.path)/files/crds/\(file)"))
            #expect(original == copy, "charts/odoo-guard/files/crds/\(file) differs from crds/\(file): cp crds/*.yaml charts/odoo-guard/files/crds/")
        }
        let policy = try Data(contentsOf: Chart.root.appendingPathComponent("examples/policies/default.yaml"))
        let chartPolicy = try Data(contentsOf: URL(fileURLWithPath: "\(Chart.path)/files/guardpolicy-default.yaml"))
        #expect(policy == chartPolicy, "charts/odoo-guard/files/guardpolicy-default.yaml differs from examples/policies/default.yaml")
    }

    @Test func everyScenarioLintsStrictlyAndRendersValidKubernetesObjects() throws {
        #expect(Chart.scenarios.count >= 5, "ci/*.yaml scenarios: \(Chart.scenarios)")
        let directory = NSTemporaryDirectory() + "chart-render-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var files: [String] = []
        let policyValidator = try #require(SchemaValidator(crd: try ManifestReader.parseSingle(yaml: String(
            contentsOfFile: "\(Chart.path)/files/crds/odooguard.io_guardpolicies.yaml", encoding: .utf8))))
        for (index, scenario) in Chart.scenarios.enumerated() {
            let lint = try Subprocess.run(Chart.helm, ["lint", "--strict", Chart.path, "--namespace", "odoo-guard"] + Chart.valueArguments(scenario, []))
            #expect(lint.status == 0, "helm lint --strict with \(Chart.name(scenario)): \(lint.output)")
            let objects = try Chart.render(scenario)
            #expect(objects.count >= 5, "\(Chart.name(scenario))")
            for (position, object) in objects.enumerated() {
                let apiVersion = object["apiVersion"]?.stringValue ?? ""
                switch apiVersion.split(separator: "/").first.map(String.init) ?? "" {
                case "odooguard.io":
                    // Our own resources: the CRD's schema, and the policy loads as the webhook would load it.
                    #expect(policyValidator.validate(object).isEmpty, "\(Chart.name(scenario)): \(policyValidator.validate(object))")
                    #expect(throws: Never.self) { try GuardPolicy(text: object.serialized()) }
                case "cert-manager.io":
                    #expect(apiVersion == "cert-manager.io/v1")
                    if object["kind"]?.stringValue == "Certificate" {
                        #expect(object["spec"]?["secretName"]?.stringValue != nil && object["spec"]?["issuerRef"]?["name"]?.stringValue != nil)
                    }
                case "monitoring.coreos.com":
                    #expect(apiVersion == "monitoring.coreos.com/v1" && object["spec"]?["endpoints"]?.arrayValue?.isEmpty == false)
                default:
                    let file = "\(directory)/\(index)-\(position).json"
                    try Data(object.serializedBytes()).write(to: URL(fileURLWithPath: file))
                    files.append(file)
                }
            }
        }
        for version in Self.kubernetesVersions {
            let result = try Subprocess.run(ExecutablePath.onPath("kubernetes-validate"), ["--strict", "--quiet", "-k", version] + files)
            #expect(result.status == 0, "kubernetes-validate \(version): \(result.output)")
        }
    }

    @Test func theCRDsValidateAsAPIExtensionsV1() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: "\(Chart.path)/files/crds").sorted().map { "\(Chart.path)/files/crds/\($0)" }
        for version in Self.kubernetesVersions {
            let result = try Subprocess.run(ExecutablePath.onPath("kubernetes-validate"), ["--strict", "--quiet", "-k", version] + files)
            #expect(result.status == 0, "kubernetes-validate \(version) on the CRDs: \(result.output)")
        }
        for file in files {
            let crd = try ManifestReader.parseSingle(yaml: String(contentsOfFile: file, encoding: .utf8))
            #expect(crd["apiVersion"] == "apiextensions.k8s.io/v1" && crd["kind"] == "CustomResourceDefinition", "\(file)")
        }
        // A broken CRD is caught, such as the comma in an unquoted flow-mapping description that once turned
        // the rest of a sentence into a schema keyword.
        let broken = NSTemporaryDirectory() + "broken-crd-\(UUID().uuidString.prefix(8)).yaml"
        defer { unlink(broken) }
        let environments = try #require(files.first { $0.hasSuffix("odooguard.io_odooenvironments.yaml") })
        let original = try String(contentsOfFile: environments, encoding: .utf8)
        let quoted = #"description: "A Secret (keys host, port, username, password) naming an existing server."}"#
        let text = original.replacingOccurrences(of: quoted, with: "description: A Secret (keys host, port, username, password) naming an existing server.}")
        #expect(text != original)
        try Data(text.utf8).write(to: URL(fileURLWithPath: broken))
        #expect(try Subprocess.run(ExecutablePath.onPath("kubernetes-validate"), ["--strict", "--quiet", "-k", "1.32.0", broken]).status != 0)
    }

    @Test func workloadsAreHardenedAndTheWebhookIsHighlyAvailable() throws {
        let objects = try Chart.render()
        let deployments = Chart.objects(objects, kind: "Deployment")
        #expect(deployments.count == 2)
        for deployment in deployments {
            let name = deployment["metadata"]?["name"]?.stringValue ?? "?"
            let pod = try #require(deployment["spec"]?["template"]?["spec"])
            #expect(pod["securityContext"]?["runAsNonRoot"] == true && pod["securityContext"]?["seccompProfile"]?["type"] == "RuntimeDefault", "\(name)")
            for container in pod["containers"]?.arrayValue ?? [] {
                let context = container["securityContext"]
                #expect(context?["readOnlyRootFilesystem"] == true && context?["allowPrivilegeEscalation"] == false, "\(name)")
                #expect(Chart.strings(context?["capabilities"]?["drop"]) == ["ALL"], "\(name)")
                for probe in ["livenessProbe", "readinessProbe", "startupProbe"] { #expect(container[probe] != nil, "\(name) \(probe)") }
                #expect(container["readinessProbe"]?["httpGet"]?["path"] == "/readyz", "\(name)")
                #expect(container["resources"]?["requests"]?["memory"] != nil && container["resources"]?["limits"]?["memory"] != nil, "\(name)")
            }
        }
        let webhook = try #require(deployments.first { $0["metadata"]?["name"] == "og-odoo-guard-webhook" })
        #expect(webhook["spec"]?["replicas"] == 2)
        #expect(webhook["spec"]?["template"]?["spec"]?["affinity"]?["podAntiAffinity"] != nil)
        // Issue #33: the webhook's memory budget comes from the container's own limit, and the kubelet
        // probes a port of their own that no per-source connection limit (or pod: the NetworkPolicy) reaches.
        let container = try #require(webhook["spec"]?["template"]?["spec"]?["containers"]?[0])
        #expect(container["resources"]?["limits"]?["memory"] == "256Mi")
        #expect(Chart.strings(container["args"]).contains("--memory-limit=256Mi"))
        let raised = try Chart.render(set: ["webhook.resources.limits.memory=1Gi"])
        let raisedArguments = Chart.strings(Chart.objects(raised, kind: "Deployment").first { $0["metadata"]?["name"] == "og-odoo-guard-webhook" }?["spec"]?["template"]?["spec"]?["containers"]?[0]?["args"])
        #expect(raisedArguments.contains("--memory-limit=1Gi"), "\(raisedArguments)")
        #expect(container["env"]?.arrayValue?.contains { $0["name"] == "MALLOC_ARENA_MAX" && $0["value"] == "1" } == true)
        #expect(Chart.strings(container["args"]).contains("--health-port=8081"))
        // Issue #37: tasks on the event loops by default; the value turns them back onto Swift's pool.
        #expect(!Chart.strings(container["args"]).contains("--tasks-on-global-pool"))
        let pooled = try Chart.render(set: ["webhook.tasksOnEventLoops=false"])
        let pooledArguments = Chart.strings(Chart.objects(pooled, kind: "Deployment").first { $0["metadata"]?["name"] == "og-odoo-guard-webhook" }?["spec"]?["template"]?["spec"]?["containers"]?[0]?["args"])
        #expect(pooledArguments.contains("--tasks-on-global-pool"), "\(pooledArguments)")
        for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
            #expect(container[probe]?["httpGet"]?["port"] == "health" && container[probe]?["httpGet"]?["scheme"] == "HTTP", "\(probe)")
        }
        #expect(container["ports"]?.arrayValue?.contains { $0["name"] == "health" && $0["containerPort"] == 8081 } == true)
        let webhookPolicy = Chart.objects(objects, kind: "NetworkPolicy").first { $0["metadata"]?["name"] == "og-odoo-guard-webhook" }
        let admitted = (webhookPolicy?["spec"]?["ingress"]?.arrayValue ?? []).flatMap { $0["ports"]?.arrayValue ?? [] }.compactMap { $0["port"]?.intValue }
        #expect(admitted == [8443], "the probe port must stay closed to pods: \(admitted)")
        let budget = try #require(Chart.objects(objects, kind: "PodDisruptionBudget").first)
        #expect(budget["spec"]?["maxUnavailable"] == 1 && budget["spec"]?["unhealthyPodEvictionPolicy"] == "AlwaysAllow")
        #expect(budget["spec"]?["selector"]?["matchLabels"] == webhook["spec"]?["selector"]?["matchLabels"])
        let operatorArguments = Chart.strings(deployments.first { $0["metadata"]?["name"] == "og-odoo-guard-operator" }?["spec"]?["template"]?["spec"]?["containers"]?[0]?["args"])
        #expect(operatorArguments.contains("--leader-elect=on") && operatorArguments.contains("--leader-election-namespace=odoo-guard"))
        // NetworkPolicies select each component, with both directions restricted.
        let policies = Chart.objects(objects, kind: "NetworkPolicy")
        #expect(policies.count == 2)
        for policy in policies { #expect(Set(Chart.strings(policy["spec"]?["policyTypes"])) == ["Ingress", "Egress"]) }
        // helm test: one hook pod per component, each calling its /readyz.
        let tests = Chart.objects(objects, kind: "Pod").filter { $0["metadata"]?["annotations"]?["helm.sh/hook"] == "test" }
        #expect(tests.count == 2)
        for test in tests { #expect(Chart.strings(test["spec"]?["containers"]?[0]?["args"]).contains { $0.hasSuffix("/readyz") }) }
        // The default GuardPolicy object is the embedded policy, with the operator added to the platform admins.
        let policy = try #require(Chart.objects(objects, kind: "GuardPolicy").first)
        var embedded = try ManifestReader.parseSingle(yaml: GuardPolicy.builtInDefaultText)
        embedded.set(["groups": ["system:masters"], "users": ["system:serviceaccount:odoo-guard:og-odoo-guard-operator"]],
                     at: FieldPath("spec") / "platformAdmins")
        #expect(policy["spec"] == embedded["spec"] && policy["metadata"]?["name"] == "default")
        // ServiceMonitors only when asked for.
        #expect(Chart.objects(objects, kind: "ServiceMonitor").isEmpty)
    }
}
