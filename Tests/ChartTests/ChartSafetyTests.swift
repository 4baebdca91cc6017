import Foundation
import KubeModel
import Testing
import TestSupport

/// What keeps a platform safe from its own governance: exact RBAC, webhook configurations that can
/// never select kube-system or odoo-guard's own namespace, and values that are refused before install.
@Suite("Helm chart: RBAC, webhook configurations, refused values", .serialized)
struct ChartSafetyTests {
    @Test func rbacHasNoWildcardAndSecretsOnlyForTheOperator() throws {
        for scenario in Chart.scenarios {
            let objects = try Chart.render(scenario)
            let roles = Chart.objects(objects, kind: "ClusterRole") + Chart.objects(objects, kind: "Role")
            #expect(!roles.isEmpty)
            for role in roles {
                let name = role["metadata"]?["name"]?.stringValue ?? "?"
                let rules = role["rules"]?.arrayValue ?? []
                #expect(!rules.isEmpty, "\(name)")
                for rule in rules {
                    for field in ["apiGroups", "resources", "verbs", "resourceNames", "nonResourceURLs"] {
                        #expect(!Chart.strings(rule[field]).contains { $0.contains("*") }, "\(Chart.name(scenario)): \(name) has a wildcard in \(field)")
                    }
                    #expect(!Chart.strings(rule["verbs"]).isEmpty && !Chart.strings(rule["resources"]).isEmpty, "\(name)")
                    #expect(!Chart.strings(rule["verbs"]).contains { ["escalate", "bind", "impersonate"].contains($0) }, "\(name)")
                }
                let secretRules = rules.filter { Chart.strings($0["resources"]).contains("secrets") }
                if name.hasSuffix("-webhook") { #expect(secretRules.isEmpty, "the webhook reads no Secret") }
                if name.hasSuffix("-leader-election") {
                    #expect(role["kind"] == "Role" && role["metadata"]?["namespace"] == "odoo-guard")
                    #expect(rules.count == 1 && Chart.strings(rules[0]["resources"]) == ["leases"])
                }
            }
            // Bindings name only the chart's own ServiceAccounts, in the release namespace.
            for binding in Chart.objects(objects, kind: "ClusterRoleBinding") + Chart.objects(objects, kind: "RoleBinding") {
                for subject in binding["subjects"]?.arrayValue ?? [] {
                    #expect(subject["kind"] == "ServiceAccount" && subject["namespace"] == "odoo-guard")
                }
            }
        }
    }

    /// `get` on Secrets hands their values over; the operator holds it only when its configuration
    /// provisions tenants on shared servers (an adminSecret, as the embedded configuration has); the
    /// writes are create, patch (the cleanup's ownerReference) and delete, never update.
    @Test func theOperatorGetsSecretsOnlyWhenItProvisionsTenants() throws {
        func secretVerbs(_ configuration: String?) throws -> [String] {
            var arguments: [String] = []
            var file: String?
            if let configuration {
                let path = NSTemporaryDirectory() + "chart-values-\(UUID().uuidString.prefix(8)).yaml"
                let indented = configuration.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")
                try Data("operator:\n  configuration: |\n\(indented)\n".utf8).write(to: URL(fileURLWithPath: path))
                arguments = ["-f", path]
                file = path
            }
            defer { if let file { unlink(file) } }
            let roles = Chart.objects(try Chart.render(extraArguments: arguments), kind: "ClusterRole").filter { $0["metadata"]?["name"]?.stringValue?.hasSuffix("-operator") == true }
            let rules = try #require(roles.first)["rules"]?.arrayValue ?? []
            return rules.filter { Chart.strings($0["resources"]).contains("secrets") }.flatMap { Chart.strings($0["verbs"]) }
        }
        let writes = ["list", "watch", "create", "patch", "delete"]
        #expect(try secretVerbs(nil) == ["get"] + writes, "the embedded configuration provisions on its shared server")
        let plain = "apiVersion: odooguard.io/v1alpha1\nkind: OperatorConfiguration\ndatabases:\n  - {name: main, host: pg.example, port: 5432}"
        #expect(try secretVerbs(plain) == writes)
        #expect(try secretVerbs(plain + "\n  - {name: two, host: pg2.example, adminSecret: {namespace: odoo-guard, name: a, key: dsn}}") == ["get"] + writes)
        #expect(try secretVerbs(plain + "\nredis: {host: r.example, adminSecret: {namespace: odoo-guard, name: r, key: password}}") == ["get"] + writes)
    }

    @Test(arguments: [
        ("odoo-guard", [String]()),
        ("platform-guard", ["webhook.excludedNamespaces={monitoring}"]),
        // Neither a custom stage list nor an attempt to list only other namespaces drops the two.
        ("governance", ["webhook.governedNamespaces.stages={production}", "webhook.excludedNamespaces={kube-public}"]),
    ])
    func webhookConfigurationsNeverSelectKubeSystemOrTheReleaseNamespace(namespace: String, set: [String]) throws {
        for scenario in Chart.scenarios {
            let objects = try Chart.render(scenario, set: set, namespace: namespace)
            let configurations = Chart.objects(objects, kind: "MutatingWebhookConfiguration") + Chart.objects(objects, kind: "ValidatingWebhookConfiguration")
            if scenario?.hasSuffix("operator-only-values.yaml") == true { #expect(configurations.isEmpty); continue }
            #expect(configurations.count == 2, "\(Chart.name(scenario))")
            for configuration in configurations {
                let mutating = configuration["kind"] == "MutatingWebhookConfiguration"
                for webhook in configuration["webhooks"]?.arrayValue ?? [] {
                    let name = webhook["name"]?.stringValue ?? "?"
                    #expect(Chart.strings(webhook["admissionReviewVersions"]) == ["v1"], "\(name)")
                    #expect(webhook["sideEffects"] == "NoneOnDryRun", "\(name): the audit sink writes, except on dry runs")
                    #expect(webhook["matchPolicy"] == "Equivalent", "\(name)")
                    let timeout = try #require(webhook["timeoutSeconds"]?.intValue)
                    #expect(timeout >= 1 && timeout <= 5, "\(name)")
                    #expect(mutating == (webhook["reinvocationPolicy"] == "IfNeeded"), "\(name)")
                    let client = webhook["clientConfig"]?["service"]
                    #expect(client?["namespace"]?.stringValue == namespace && client?["path"]?.stringValue == (mutating ? "/mutate" : "/validate"))
                    let scopes = Set((webhook["rules"]?.arrayValue ?? []).compactMap { $0["scope"]?.stringValue })
                    if name.hasPrefix("namespaces.") {
                        // Namespaces: selected by their own labels (old or new object), never the excluded ones.
                        #expect(Set((webhook["rules"]?.arrayValue ?? []).flatMap { Chart.strings($0["resources"]) }) == ["namespaces"])
                        #expect(scopes == ["Cluster"] && webhook["failurePolicy"] == "Fail", "\(name)")
                        let expressions = webhook["namespaceSelector"]?["matchExpressions"]?.arrayValue ?? []
                        let excluded = expressions.first { $0["key"] == "kubernetes.io/metadata.name" && $0["operator"] == "NotIn" }
                        let values: Set<String> = Set(Chart.strings(excluded?["values"]))
                        #expect(values.isSuperset(of: ["kube-system", namespace]), "\(name)")
                        #expect(expressions.count == 1, "\(name): a stage selector would miss the removal of the stage label")
                        #expect(webhook["objectSelector"]?["matchExpressions"]?.arrayValue?.first?["operator"] == "Exists", "\(name)")
                        continue
                    }
                    if scopes == ["Cluster"] {
                        // Cluster-scoped GuardPolicy only: no namespace is involved.
                        #expect(name == "guardpolicies.odooguard.io")
                        #expect(Set((webhook["rules"]?.arrayValue ?? []).flatMap { Chart.strings($0["resources"]) }) == ["guardpolicies"])
                        continue
                    }
                    #expect(scopes == ["Namespaced"], "\(name): \(scopes)")
                    #expect(webhook["failurePolicy"] == "Fail", "\(name)")
                    let expressions = webhook["namespaceSelector"]?["matchExpressions"]?.arrayValue ?? []
                    let excluded = expressions.first { $0["key"] == "kubernetes.io/metadata.name" && $0["operator"] == "NotIn" }
                    let values = Set(Chart.strings(excluded?["values"]))
                    #expect(values.isSuperset(of: ["kube-system", namespace]), "\(Chart.name(scenario)) \(name): excludes \(values)")
                    #expect(expressions.contains { $0["key"] == "odooguard.io/stage" && $0["operator"] == "In" }, "\(name): governed namespaces are selected by label")
                    #expect(webhook["objectSelector"] == nil)
                }
            }
        }
    }

    @Test(arguments: [
        (["webhook.enabled=false"], "webhook.enabled=false contradicts webhook.mutating.enabled=true"),
        (["webhook.enabled=false", "webhook.validating.enabled=false"], "webhook.mutating.enabled=true"),
        (["webhook.mutating.enabled=false"], "webhook.validating.enabled=true requires webhook.mutating.enabled=true"),
        (["operator.replicas=2", "operator.leaderElection.enabled=false"], "enable leader election or use one replica"),
        (["tls.mode=existingSecret"], "tls.mode=existingSecret needs tls.existingSecret.name"),
        (["tls.existingSecret.name=mine"], "tls.existingSecret is set but tls.mode is generated"),
        (["webhook.audit.enabled=true"], "webhook.audit.enabled=true needs webhook.audit.dsnSecret.name"),
        (["webhook.enabled=false", "webhook.mutating.enabled=false", "webhook.validating.enabled=false", "operator.enabled=false"], "would install nothing"),
    ])
    func contradictoryValuesFailRendering(set: [String], message: String) throws {
        let (status, output) = try Chart.renderFailure(set: set)
        #expect(status != 0, "\(set) rendered")
        #expect(output.contains(message), "\(set): \(output)")
    }

    @Test(arguments: [
        ("webhook:\n  replica: 3\n", "replica"),
        ("webhook:\n  replicas: \"two\"\n", "replicas"),
        ("webhook:\n  timeoutSeconds: 45\n", "timeoutSeconds"),
        ("tls:\n  mode: selfsigned\n", "mode"),
        ("operator:\n  leaderElection: true\n", "leaderElection"),
        ("unknownTopLevel: 1\n", "unknownTopLevel"),
        ("image:\n  digest: sha256:abc\n", "digest"),
        ("networkPolicy:\n  apiServer:\n    cidrs: [\"10.0.0.0\"]\n", "cidrs"),
    ])
    func theSchemaRejectsUnknownKeysAndWrongTypes(values: String, field: String) throws {
        let (status, output) = try Chart.renderFailure(values: values)
        #expect(status != 0, "\(values) rendered")
        #expect(output.contains("values don't meet the specifications of the schema"), "\(output)")
        #expect(output.contains(field), "\(values): \(output)")
    }

    @Test func theAuditPasswordReachesTheWebhookOnlyAsAFile() throws {
        let objects = try Chart.render("\(Chart.path)/ci/production-values.yaml")
        let webhook = try #require(Chart.objects(objects, kind: "Deployment").first { $0["metadata"]?["name"] == "og-odoo-guard-webhook" })
        let pod = webhook["spec"]?["template"]?["spec"]
        let container = pod?["containers"]?[0]
        let arguments = Chart.strings(container?["args"])
        #expect(arguments.contains("--audit-dsn-file=/etc/odoo-guard/audit/dsn"))
        #expect(!arguments.contains { $0.hasPrefix("--audit-dsn=") || $0.contains("$(") })
        #expect(!(container?["env"]?.arrayValue ?? []).contains { $0["valueFrom"]?["secretKeyRef"] != nil })
        let volume = (pod?["volumes"]?.arrayValue ?? []).first { $0["name"] == "audit-dsn" }
        #expect(volume?["secret"]?["secretName"] == "odoo-guard-audit" && volume?["secret"]?["items"]?[0]?["path"] == "dsn")
    }

    @Test func theAuditKeyAndTheClientCAAreMountedAndTheShutdownDrainFitsTheGracePeriod() throws {
        let objects = try Chart.render("\(Chart.path)/ci/production-values.yaml")
        let webhook = try #require(Chart.objects(objects, kind: "Deployment").first { $0["metadata"]?["name"] == "og-odoo-guard-webhook" })
        let pod = webhook["spec"]?["template"]?["spec"]
        let arguments = Chart.strings(pod?["containers"]?[0]?["args"])
        for expected in ["--audit-key-file=/etc/odoo-guard/audit-key/key", "--client-ca-file=/etc/odoo-guard/client-ca/ca.crt",
                         "--shutdown-delay=5", "--idle-timeout=60", "--max-connections-per-source=256"] {
            #expect(arguments.contains(expected), "\(expected) missing from \(arguments)")
        }
        let volumes = pod?["volumes"]?.arrayValue ?? []
        #expect(volumes.contains { $0["secret"]?["secretName"] == "odoo-guard-audit-key" })
        #expect(volumes.contains { $0["configMap"]?["name"] == "kube-apiserver-client-ca" })
        // SIGTERM → 5 s still serving (readiness failing) → 25 s for requests in flight → killed after 35 s.
        #expect(pod?["terminationGracePeriodSeconds"] == 35)
        // Without audit, a key is a contradiction named by its value.
        let (status, output) = try Chart.renderFailure(set: ["webhook.audit.keySecret.name=k"])
        #expect(status != 0 && output.contains("webhook.audit.keySecret.name"), "\(output)")
    }

    @Test func theWebhookPortAdmitsOnlyTheAPIServerOnceItsCIDRsAreKnown() throws {
        func callers(_ objects: [JSONValue]) -> JSONValue? {
            Chart.objects(objects, kind: "NetworkPolicy").first { $0["metadata"]?["name"] == "og-odoo-guard-webhook" }?["spec"]?["ingress"]?[0]?["from"]
        }
        let narrowed = try Chart.render(set: ["networkPolicy.apiServer.cidrs={172.20.0.0/16}"])
        #expect(callers(narrowed) == [["ipBlock": ["cidr": "172.20.0.0/16"]]])
        // Unknown: any source (a webhook the API server cannot reach fails every admission), with a warning.
        #expect(callers(try Chart.render()) == nil)
        let notes = try Subprocess.checked(Chart.helm, ["install", "og", Chart.path, "--dry-run=client", "--namespace", "odoo-guard"])
        #expect(notes.contains("set networkPolicy.apiServer.cidrs"))
        let quiet = try Subprocess.checked(Chart.helm, ["install", "og", Chart.path, "--dry-run=client", "--namespace", "odoo-guard",
                                                          "--set", "networkPolicy.apiServer.cidrs={172.20.0.0/16}"])
        #expect(!quiet.contains("set networkPolicy.apiServer.cidrs"))
    }

    @Test func narrowingTheAPIServerKeepsRegistriesReachable() throws {
        // With apiServer.cidrs set, the API rule has a `to`; digest resolution and signatures still need 443 anywhere.
        let objects = try Chart.render("\(Chart.path)/ci/production-values.yaml")
        for policy in Chart.objects(objects, kind: "NetworkPolicy") {
            let name = policy["metadata"]?["name"]?.stringValue ?? "?"
            let egress = policy["spec"]?["egress"]?.arrayValue ?? []
            #expect(egress.contains { $0["to"]?.arrayValue?.contains { $0["ipBlock"]?["cidr"] == "10.0.0.0/24" } == true }, "\(name)")
            let open443 = egress.contains { rule in
                let unrestricted = rule["to"] == nil || name.hasSuffix("-operator")
                return unrestricted && (rule["ports"]?.arrayValue ?? []).contains { $0["port"] == 443 }
            }
            #expect(open443, "\(name): no egress rule reaches registries on 443")
        }
    }

    @Test func operatorOnlyAndSingleReplicaRenderings() throws {
        // The contradictions' legal neighbours render.
        let operatorOnly = try Chart.render(set: ["webhook.enabled=false", "webhook.mutating.enabled=false", "webhook.validating.enabled=false"])
        #expect(Chart.objects(operatorOnly, kind: "ValidatingWebhookConfiguration").isEmpty)
        #expect(Chart.objects(operatorOnly, kind: "Deployment").count == 1)
        let validationOff = try Chart.render(set: ["webhook.validating.enabled=false"])
        #expect(Chart.objects(validationOff, kind: "ValidatingWebhookConfiguration").isEmpty)
        #expect(Chart.objects(validationOff, kind: "MutatingWebhookConfiguration").count == 1)
        let single = try Subprocess.checked(Chart.helm, ["install", "og", Chart.path, "--dry-run=client", "--namespace", "odoo-guard", "--set", "webhook.replicas=1"])
        #expect(single.contains("WARNING: webhook.replicas=1"))
    }
}
