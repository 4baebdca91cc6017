import Foundation
import GuardRules
import KubeAPITestServer
import KubeClient
import KubeModel
import KubeRuntime
import OdooOperator
import OdooPlan
import Testing

/// The reconciler against the API test server: create, no-op, change, drift, deletion, bad specs, faults.
@Suite("OdooEnvironment reconciler")
struct ReconcilerTests {
    static let traefik = ResourceType.traefik(group: "traefik.io")

    @Test func createBuildsEveryChildAndBecomesReady() async throws {
        try await OperatorHarness.run { cluster in
            try await cluster.createTLSSecret("clinic-tls")
            let created = try await cluster.create(try cluster.example())
            #expect(try await cluster.waitUntilReady())
            let environment = try #require(try await cluster.environment())
            let status = try #require(environment["status"])
            #expect(status["observedGeneration"]?.intValue == KubeObject(created).generation)
            let types = status["conditions"]?.arrayValue?.compactMap { $0["type"]?.stringValue }
            #expect(types == ["Ready", "Progressing", "Degraded", "DatabaseReady", "IngressReady", "BackupReady"])
            #expect(status["url"] == "https://clinic.example.com")
            #expect(status["image"]?.stringValue?.contains("@sha256:") == true)
            #expect(KubeObject(environment).finalizers == ["odooguard.io/cleanup"])
            for (resource, name) in [(ResourceType.resourceQuotas, "clinic-quota"), (.limitRanges, "clinic-limits"), (.networkPolicies, "clinic-default-deny"),
                                     (.networkPolicies, "clinic-allow"), (.configMaps, "clinic-config"), (.persistentVolumeClaims, "clinic-filestore"),
                                     (.services, "clinic-web"), (.deployments, "clinic-web"), (.deployments, "clinic-cron"),
                                     (.podDisruptionBudgets, "clinic-web"), (.secrets, "clinic-admin"), (.secrets, "clinic-db"), (.secrets, "clinic-redis"),
                                     (Self.traefik[0], "clinic"), (Self.traefik[0], "clinic-http"), (Self.traefik[1], "clinic-secure"), (Self.traefik[2], "clinic-tls")] {
                let child = try #require(try await cluster.get(resource, name), "\(resource.kind) \(name) is missing")
                #expect(KubeObject(child).ownerReferences.first?.uid == KubeObject(created).uid, "\(resource.kind) \(name)")
            }
            let namespace = try #require(try await cluster.api.getIfExists(.namespaces, namespace: nil, name: cluster.namespace))
            #expect(KubeObject(namespace).labels["odooguard.io/stage"] == "production")
            let deployment = try #require(try await cluster.get(.deployments, "clinic-web"))
            let managers = deployment["metadata"]?["managedFields"]?.arrayValue?.compactMap { $0["manager"]?.stringValue } ?? []
            #expect(managers.contains("odoo-guard"))
            let events = try await cluster.api.listAll(.events, namespace: cluster.namespace).items.compactMap { $0["reason"]?.stringValue }
            #expect(events.contains("Applied") && events.contains("SecretsCreated"))
            // No secret value in any Event.
            let secret = try #require(try await cluster.get(.secrets, "clinic-db"))
            let password = try #require(secret["stringData"]?["password"]?.stringValue ?? secret["data"]?["password"]?.stringValue)
            let notes = try await cluster.api.listAll(.events, namespace: cluster.namespace).items.compactMap { $0["note"]?.stringValue }.joined()
            #expect(!notes.contains(password))
        }
    }

    @Test func aNoOpReconcileMakesNoWrites() async throws {
        try await OperatorHarness.run { cluster in
            try await cluster.createTLSSecret("clinic-tls")
            _ = try await cluster.create(try cluster.example())
            #expect(try await cluster.waitUntilReady())
            try await cluster.settle()
            // Ready with a pinned image: the promotion evidence holds one open period, and keeping it costs no write.
            let status = try #require(try await cluster.get(.odooEnvironments, "clinic")?["status"])
            let history = ReadyPeriod.recorded(status)
            #expect(history.count == 1 && history.first?.readyUntil == nil, "\(status["readyHistory"] ?? .null)")
            #expect(history.first?.image == status["image"]?.stringValue)
            let before = cluster.writes
            let reconcilerWrites = cluster.reconciler.writes
            let secret = try await cluster.get(.secrets, "clinic-db").map(KubeObject.init)?.resourceVersion
            for _ in 0..<5 {
                cluster.service.controller.queue.add(ObjectKey(namespace: cluster.namespace, name: "clinic"))
                try await Task.sleep(for: .milliseconds(100))
            }
            try await cluster.settle()
            #expect(cluster.writes == before)
            #expect(cluster.reconciler.writes == reconcilerWrites)
            #expect(try await cluster.get(.secrets, "clinic-db").map(KubeObject.init)?.resourceVersion == secret, "the Secret is never rewritten")
        }
    }

    @Test func aSpecChangePatchesOnlyWhatChanged() async throws {
        try await OperatorHarness.run { cluster in
            try await cluster.createTLSSecret("clinic-tls")
            _ = try await cluster.create(try cluster.example())
            #expect(try await cluster.waitUntilReady())
            try await cluster.settle()
            // Ready with a pinned image: the promotion evidence holds one open period, and keeping it costs no write.
            let status = try #require(try await cluster.get(.odooEnvironments, "clinic")?["status"])
            let history = ReadyPeriod.recorded(status)
            #expect(history.count == 1 && history.first?.readyUntil == nil, "\(status["readyHistory"] ?? .null)")
            #expect(history.first?.image == status["image"]?.stringValue)
            let before = cluster.writes.count
            _ = try await cluster.api.patch(.odooEnvironments, namespace: cluster.namespace, name: "clinic", patch: .merge(["spec": ["replicas": 4]]),
                                            subresource: nil, options: WriteOptions())
            #expect(try await cluster.eventually { try await cluster.get(.deployments, "clinic-web")?["spec"]?["replicas"] == 4 })
            try await cluster.settle()
            let changed = Set(cluster.writes.dropFirst(before).filter { !$0.contains("/status") && !$0.contains("odooenvironments/clinic") }
                .map { $0.split(separator: "?").first.map(String.init) ?? $0 })
            #expect(changed == ["PATCH /apis/apps/v1/namespaces/\(cluster.namespace)/deployments/clinic-web"], "\(changed)")
            #expect(try await cluster.waitUntilReady())
            #expect(try await cluster.environment()?["status"]?["observedGeneration"] == 2)
        }
    }

    @Test func deletedOrEditedChildrenAreRestored() async throws {
        try await OperatorHarness.run { cluster in
            try await cluster.createTLSSecret("clinic-tls")
            _ = try await cluster.create(try cluster.example())
            #expect(try await cluster.waitUntilReady())
            let conf = try #require(try await cluster.get(.configMaps, "clinic-config")?["data"]?["odoo.conf"])
            _ = try await cluster.api.delete(.configMaps, namespace: cluster.namespace, name: "clinic-config", options: DeleteOptions())
            _ = try await cluster.api.patch(.deployments, namespace: cluster.namespace, name: "clinic-web", patch: .merge(["spec": ["replicas": 1]]),
                                            subresource: nil, options: WriteOptions(fieldManager: "kubectl-edit"))
            _ = try await cluster.api.patch(.networkPolicies, namespace: cluster.namespace, name: "clinic-allow",
                                            patch: .merge(["spec": ["ingress": [["from": [["ipBlock": ["cidr": "0.0.0.0/0"]]]]]]]),
                                            subresource: nil, options: WriteOptions(fieldManager: "kubectl-edit"))
            #expect(try await cluster.eventually {
                let restored = try await cluster.get(.configMaps, "clinic-config")?["data"]?["odoo.conf"] == conf
                let replicas = try await cluster.get(.deployments, "clinic-web")?["spec"]?["replicas"] == 3
                let policy = try await cluster.get(.networkPolicies, "clinic-allow")?["spec"]?["ingress"]?[0]?["from"]?[0]?["ipBlock"] == nil
                return restored && replicas && policy
            })
        }
    }

    @Test("deletion honours deletionPolicy", arguments: ["Retain", "Delete"])
    func deletion(_ policy: String) async throws {
        try await OperatorHarness.run { cluster in
            try await cluster.createTLSSecret("clinic-tls")
            _ = try await cluster.create(try cluster.example { $0.set(.string(policy), at: "spec.deletionPolicy") })
            #expect(try await cluster.waitUntilReady())
            _ = try await cluster.api.delete(.odooEnvironments, namespace: cluster.namespace, name: "clinic", options: DeleteOptions())
            #expect(try await cluster.eventually { try await cluster.environment() == nil })
            #expect(try await cluster.eventually { try await cluster.get(.deployments, "clinic-web") == nil }, "workloads go with the environment")
            let data: [(ResourceType, String)] = [(.persistentVolumeClaims, "clinic-filestore"), (.secrets, "clinic-db"), (.secrets, "clinic-admin")]
            if policy == "Retain" {
                try await Task.sleep(for: .milliseconds(300))
                // The cleanup took the admin Secret's ownerReferences from the metadata cache: it never
                // asked for the Secret itself (so its RBAC needs no `get`).
                #expect(!cluster.server.requests.contains { $0.hasPrefix("GET ") && $0.hasSuffix("/secrets/clinic-admin") }, "\(cluster.server.requests.filter { $0.contains("/secrets/") })")
                for (resource, name) in data {
                    let kept = try #require(try await cluster.get(resource, name), "\(name) was not retained")
                    #expect(KubeObject(kept).ownerReferences.isEmpty)
                }
                let events = try await cluster.api.listAll(.events, namespace: cluster.namespace).items
                #expect(events.contains { $0["reason"] == "DataRetained" && ($0["note"]?.stringValue ?? "").contains("clinic-filestore") })
            } else {
                for (resource, name) in data {
                    #expect(try await cluster.eventually { try await cluster.get(resource, name) == nil }, "\(name) was not deleted")
                }
            }
        }
    }

    @Test func anInvalidSpecIsDegradedAndNothingIsApplied() async throws {
        try await OperatorHarness.run { cluster in
            // The test server does not run the CRD schema: the operator's own decoding must catch it.
            _ = try await cluster.create(try cluster.example { $0.set("premium", at: "spec.tier"); $0.set(-2, at: "spec.replicas") })
            #expect(try await cluster.eventually { try await cluster.condition("Degraded")?.status == .true })
            let degraded = try #require(try await cluster.condition("Degraded"))
            #expect(degraded.reason == "InvalidSpec")
            #expect(degraded.message.contains("spec.tier") && degraded.message.contains("spec.replicas"))
            #expect(try await cluster.condition("Ready")?.status == .false)
            #expect(try await cluster.get(.configMaps, "clinic-config") == nil)
            #expect(try await cluster.get(.secrets, "clinic-admin") == nil)
            // Fixing the spec recovers.
            _ = try await cluster.api.patch(.odooEnvironments, namespace: cluster.namespace, name: "clinic",
                                            patch: .merge(["spec": ["tier": "dedicated", "replicas": 3]]), subresource: nil, options: WriteOptions())
            try await cluster.createTLSSecret("clinic-tls")
            #expect(try await cluster.waitUntilReady())
        }
    }

    @Test func aSpecThePolicyWouldDenyIsDegradedWithTheRule() async throws {
        try await OperatorHarness.run { cluster in
            let image = "quay.io/someone/odoo:17.0@sha256:" + String(repeating: "cd", count: 32)
            _ = try await cluster.create(try cluster.example { $0.set(.string(image), at: "spec.image") })
            #expect(try await cluster.eventually { try await cluster.condition("Degraded")?.status == .true })
            let degraded = try #require(try await cluster.condition("Degraded"))
            #expect(degraded.reason == "PolicyDenied")
            #expect(degraded.message.contains("image.registry-allowed") && degraded.message.contains("Deployment clinic-web"))
            #expect(try await cluster.get(.deployments, "clinic-web") == nil, "never half-applied")
            #expect(try await cluster.get(.configMaps, "clinic-config") == nil)
            let events = try await cluster.api.listAll(.events, namespace: cluster.namespace).items
            #expect(events.contains { $0["reason"] == "PolicyDenied" && $0["type"] == "Warning" })
        }
    }

    @Test func conflictsAndAPIFaultsConverge() async throws {
        try await OperatorHarness.run { cluster in
            try await cluster.createTLSSecret("clinic-tls")
            // The faults go to whoever asks next: the operator, busy with the new environment.
            _ = try await cluster.create(try cluster.example())
            cluster.server.failNext(6, status: 500)
            try await Task.sleep(for: .milliseconds(200))
            cluster.server.failNext(4, status: 409)
            cluster.server.dropWatches()
            #expect(try await cluster.waitUntilReady())
            cluster.server.failNext(3, status: 429, retryAfter: 1)
            _ = try await cluster.api.delete(.services, namespace: cluster.namespace, name: "clinic-web", options: DeleteOptions())
            #expect(try await cluster.eventually { try await cluster.get(.services, "clinic-web") != nil })
        }
    }

    @Test func everyExamplePassesThePolicyGate() throws {
        let policy = try GuardPolicy.builtIn()
        let planner = OdooPlanner(configuration: try OperatorHarness.configuration())
        for file in ["clinic-production.yaml", "pharmacy-development.yaml"] {
            let text = try String(contentsOf: OperatorHarness.root.appendingPathComponent("examples/environments/\(file)"), encoding: .utf8)
            var environment = try OdooEnvironment.decode(try ManifestReader.parseSingle(yaml: text))
            environment.uid = "u"
            let desired = try planner.plan(environment, facts: EnvironmentFacts(pinnedImage: "docker.io/library/odoo:17.0@sha256:" + String(repeating: "ef", count: 32)))
            let labels = [GuardLabels.stage: environment.stage.rawValue, GuardLabels.tier: environment.tier.rawValue]
            #expect(PolicyGate(policy: policy).denials(of: desired.printable, namespace: environment.namespace, labels: labels, now: Date()) == [], "\(file)")
        }
    }
}
