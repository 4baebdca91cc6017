import Foundation
import KubeClient
import KubeModel
import OdooPlan
import OdooOperator
import Testing
import TestSupport
import TraefikGen

/// A release train on the API test server: environments switch cohort by cohort, each through its
/// own reconcile, and nothing outside the active cohort changes.
@Suite("OdooRelease reconciler", .serialized)
struct ReleaseReconcilerTests {
    static let before = "registry.example.com/odoo/odoo:17.0-20261101@sha256:" + String(repeating: "4c", count: 32)
    static let after = "registry.example.com/odoo/odoo:17.0-20261201@sha256:" + String(repeating: "7d", count: 32)

    /// canary: c1; wave-1 (one at a time): w1, w2; rest (two at a time): r1, r2.
    static let environments: [(name: String, cohort: String)] = [("c1", "canary"), ("w1", "wave-1"), ("w2", "wave-1"), ("r1", "rest"), ("r2", "rest")]

    static func release() -> JSONValue {
        ["apiVersion": "odooguard.io/v1alpha1", "kind": "OdooRelease", "metadata": ["name": "december"],
         "spec": ["image": .string(after), "verificationMinutes": 1,
                  "cohorts": [["name": "canary", "selector": ["matchLabels": ["cohort": "canary"]], "soakMinutes": 0],
                              ["name": "wave-1", "selector": ["matchLabels": ["cohort": "wave-1"]], "soakMinutes": 0],
                              ["name": "rest", "selector": [:], "maxConcurrent": 2]]]]
    }

    /// Development environments (no production gates) on the old image, Ready; and the `default`
    /// namespace, where the Events of cluster-scoped objects go, as in every real cluster.
    static func createReadyEnvironments(_ cluster: OperatorHarness, _ environments: [(name: String, cohort: String)]) async throws {
        _ = try await cluster.api.create(.namespaces, namespace: nil, object: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "default"]],
                                         options: WriteOptions())
        for environment in environments {
            _ = try await cluster.create(try cluster.example { object in
                object.set(.string(environment.name), at: "metadata.name")
                object.set(["cohort": .string(environment.cohort)], at: "metadata.labels")
                object.set("development", at: "spec.stage")
                object.set(.string(Self.before), at: "spec.image")
                object.set(.null, at: "spec.backup")
                object.set(.null, at: "spec.maintenanceWindow")
            })
        }
        for environment in environments { #expect(try await cluster.waitUntilReady(environment.name), "\(environment.name)") }
    }

    /// As the Deployment controller and the kubelet report a crash loop: a pod whose container exited
    /// 1 and is not running, and the Deployment with none of its pods ready.
    static func crashLoop(_ cluster: OperatorHarness, deployment name: String, image: String = after) async throws {
        let deployment = try #require(try await cluster.get(.deployments, name))
        let labels = deployment["spec"]?["selector"]?["matchLabels"] ?? [:]
        let pod = name + "-crash"
        _ = try await cluster.api.create(.pods, namespace: cluster.namespace, object: [
            "apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(pod), "labels": labels],
            "spec": ["containers": [["name": "odoo", "image": .string(image)]]],
        ], options: WriteOptions())
        _ = try await cluster.api.patch(.pods, namespace: cluster.namespace, name: pod, patch: .merge(["status": [
            "containerStatuses": [["name": "odoo", "ready": false, "restartCount": 4,
                                   "state": ["waiting": ["reason": "CrashLoopBackOff"]],
                                   "lastState": ["terminated": ["exitCode": 1, "message": "odoo: ImportError in the new build"]]]],
        ]]), subresource: "status", options: WriteOptions())
        let replicas = deployment["spec"]?["replicas"]?.intValue ?? 1
        _ = try await cluster.api.patch(.deployments, namespace: cluster.namespace, name: name, patch: .merge(["status": [
            "observedGeneration": .int(KubeObject(deployment).generation ?? 1), "replicas": .int(replicas), "updatedReplicas": .int(replicas),
            "readyReplicas": 0, "availableReplicas": 0, "unavailableReplicas": .int(replicas),
        ]]), subresource: "status", options: WriteOptions())
    }

    /// The settings of a release test: the release's clock two minutes ahead (the release's own
    /// one-minute window counts as served once the environment verified its change, so the test waits
    /// on the train, not on the clock), each environment's verification window `window` seconds, and
    /// the synthetic check fetching each Service's login page from `base`.
    static func settings(_ base: String, window: Int = 1) -> @Sendable (inout OperatorService.Settings) -> Void {
        { settings in
            settings.releaseClock = { Date().addingTimeInterval(120) }
            settings.configuration.verification.windowSeconds = window
            settings.loginChecker = HTTPLoginChecker(url: { _, service in "\(base)/\(service)/web/login" })
        }
    }

    /// The PATCHes of the environment `name` itself (not its status) by the release's field manager: its switches.
    static func switches(_ cluster: OperatorHarness, of name: String? = nil) -> [String] {
        cluster.server.requests.compactMap { line -> String? in
            guard line.hasPrefix("PATCH "), line.contains("fieldManager=\(ReleaseReconciler.fieldManager)"),
                  let range = line.range(of: "/odooenvironments/") else { return nil }
            let environment = String(line[range.upperBound...].prefix { $0 != "?" })
            guard !environment.contains("/"), name == nil || environment == name else { return nil }
            return environment
        }
    }

    /// Reports every gate Job of the namespace (pre-change backup, database upgrade) succeeded.
    static func finishGateJobs(_ cluster: OperatorHarness) async throws {
        for job in try await cluster.api.listAll(.jobs, namespace: cluster.namespace).items {
            let view = KubeObject(job)
            guard job["status"]?["succeeded"]?.intValue != 1, job["status"]?["failed"] == nil else { continue }
            if view.name.contains("-upgrade-") {
                try await cluster.finishJob(view.name, container: "upgrade", exitCode: 0, message: "")
            } else if view.name.contains("-backup-"), view.labels[GuardLabels.component] == "backup" {
                try await cluster.finishJob(view.name, container: "upload", exitCode: 0, message: #"{"backup":"20261205T020000Z","size":4096,"sha256":"ab","pruned":0}"#)
            }
        }
    }

    static func webImage(_ cluster: OperatorHarness, _ name: String) async throws -> String? {
        try await cluster.get(.deployments, name + "-web")?["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?
            .first { $0["name"] == "odoo" }?["image"]?.stringValue
    }

    @Test func aTrainOfThreeCohortsSwitchesInOrderAndSucceeds() async throws {
        try await LoginPageServer().serving { base in
        try await OperatorHarness.run(settings: Self.settings(base)) { cluster in
            try await cluster.createTLSSecret("clinic-tls")
            try await Self.createReadyEnvironments(cluster, Self.environments)
            _ = try await cluster.api.create(.odooReleases, namespace: nil, object: Self.release(), options: WriteOptions())

            // Watch the spec images while rolling Deployments out as their controller would.
            var switchedAt: [String: Int] = [:]
            var done = false
            for tick in 0..<900 where !done {
                for environment in Self.environments where switchedAt[environment.name] == nil {
                    if try await cluster.environment(environment.name)?["spec"]?["image"]?.stringValue == Self.after {
                        switchedAt[environment.name] = tick
                    }
                }
                try await cluster.completeInitJobs()
                try await cluster.markDeploymentsAvailable()
                let phase = try await cluster.api.getIfExists(.odooReleases, namespace: nil, name: "december")?["status"]?["phase"]
                done = phase == "Succeeded" || phase == "Halted"
                if !done { try await Task.sleep(for: .milliseconds(100)) }
            }
            let status = try #require(try await cluster.api.getIfExists(.odooReleases, namespace: nil, name: "december")?["status"])
            #expect(status["phase"] == "Succeeded", "\(status)")
            #expect(status["done"] == 5 && status["total"] == 5 && status["failed"] == 0, "\(status)")
            #expect(status["cohorts"]?.arrayValue?.compactMap { $0["phase"]?.stringValue } == ["Verified", "Verified", "Verified"])
            #expect(status["cohort"] == nil, "a finished train has no active cohort: \(status)")
            // Cohort order, from the API's own log of writes: the release's spec patches come canary, wave-1, rest.
            let order = Self.switches(cluster)
            #expect(order.count == 5 && order.first == "c1" && Set(order.dropFirst().prefix(2)) == ["w1", "w2"] && Set(order.suffix(2)) == ["r1", "r2"],
                    "\(order)")
            #expect(switchedAt.count == 5, "\(switchedAt)")
            // Each environment carries the release's change reference and runs the new image.
            for environment in Self.environments {
                let object = try #require(try await cluster.environment(environment.name))
                #expect(KubeObject(object).annotations[GuardLabels.changeReference] == "release/december")
                #expect(object["status"]?["image"]?.stringValue == Self.after, "\(environment.name)")
                // Each verified its own change, by the release, from the old digests.
                let change = ChangeRecord(json: object["status"]?["change"])
                #expect(change?.outcome == .verified && change?.by == "release/december" && change?.from.image == Self.before, "\(environment.name): \(String(describing: change))")
                #expect(object["status"]?["changeHistory"]?.arrayValue?.count == 1, "\(environment.name): \(object["status"]?["changeHistory"] ?? nil)")
            }
            let events = try await cluster.api.listAll(.events, namespace: "default").items
            #expect(events.contains { $0["reason"] == "Succeeded" && $0["regarding"]?["name"] == "december" }, "\(events.map { $0["reason"] ?? nil })")
            #expect(events.filter { $0["reason"] == "Switched" }.count == 5, "one Event per switch written: \(events.map { $0["reason"] ?? nil })")
        }
        }
    }

    /// The canary is Ready on the new image, but its Service answers a page that is not Odoo's login
    /// form: the synthetic check fails it when its window ends, and the train halts before wave-1.
    @Test func aLoginPageThatIsNotOdoosHaltsTheTrain() async throws {
        let service = RoutingSpec.defaultServiceName(for: "c1")
        try await LoginPageServer(broken: [service]).serving { base in
        try await OperatorHarness.run(settings: Self.settings(base)) { cluster in
            try await cluster.createTLSSecret("clinic-tls")
            try await Self.createReadyEnvironments(cluster, [("c1", "canary"), ("w1", "wave-1")])
            _ = try await cluster.api.create(.odooReleases, namespace: nil, object: Self.release(), options: WriteOptions())
            var halted: JSONValue?
            for _ in 0..<600 where halted == nil {
                try await cluster.completeInitJobs()
                try await cluster.markDeploymentsAvailable()
                let status = try await cluster.api.getIfExists(.odooReleases, namespace: nil, name: "december")?["status"]
                if status?["phase"] == "Halted" { halted = status } else { try await Task.sleep(for: .milliseconds(100)) }
            }
            let status = try #require(halted, "the train never halted")
            let message = status["message"]?.stringValue ?? ""
            #expect(status["cohort"] == "canary" && message.contains("rolled back") && message.contains("without Odoo's login form"), "\(message)")
            // The canary migrated nothing (same version and addons): it runs its previous digests again.
            #expect(try await Self.webImage(cluster, "c1") == Self.before)
            #expect(try await cluster.condition("Degraded", of: "c1")?.reason == "RolledBack")
            #expect(try await cluster.environment("w1")?["spec"]?["image"]?.stringValue == Self.before, "wave-1 never starts")
        }
        }
    }
}
