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

    /// w1 crash-loops on the new image: its cohort's budget is 0, so the train halts naming it, and
    /// neither w2 (same cohort, one at a time) nor r1 (the next cohort) is switched.
    @Test func aFailureBeyondTheBudgetHaltsTheTrain() async throws {
        try await LoginPageServer().serving { base in
        try await OperatorHarness.run(settings: Self.settings(base)) { cluster in
            try await cluster.createTLSSecret("clinic-tls")
            try await Self.createReadyEnvironments(cluster, [("c1", "canary"), ("w1", "wave-1"), ("w2", "wave-1"), ("r1", "rest")])
            _ = try await cluster.api.create(.odooReleases, namespace: nil, object: Self.release(), options: WriteOptions())
            var halted: JSONValue?
            var crashed = false
            for _ in 0..<600 where halted == nil {
                if !crashed, try await cluster.environment("w1")?["spec"]?["image"]?.stringValue == Self.after {
                    try await Self.crashLoop(cluster, deployment: "w1-web")
                    crashed = true
                }
                if !crashed {
                    try await cluster.completeInitJobs()
                    try await cluster.markDeploymentsAvailable()
                }
                let status = try await cluster.api.getIfExists(.odooReleases, namespace: nil, name: "december")?["status"]
                if status?["phase"] == "Halted" { halted = status } else { try await Task.sleep(for: .milliseconds(100)) }
            }
            let status = try #require(halted, "the train never halted")
            let message = status["message"]?.stringValue ?? ""
            #expect(status["cohort"] == "wave-1" && message.contains("clinic-prod/w1") && message.contains("PodsFailing"), "\(message)")
            #expect(status["cohorts"]?.arrayValue?.compactMap { $0["phase"]?.stringValue } == ["Verified", "Halted", "Pending"], "\(status)")
            for name in ["w2", "r1"] {
                #expect(try await cluster.environment(name)?["spec"]?["image"]?.stringValue == Self.before, "\(name) changed after the halt")
            }
            let events = try await cluster.api.listAll(.events, namespace: "default").items
            #expect(events.contains { $0["reason"] == "Halted" && $0["type"] == "Warning" }, "\(events.map { $0["reason"] ?? nil })")
        }
        }
    }

    /// As the Deployment controller and the kubelet report a crash loop: a pod whose container exited
    /// 1 and is not running, and the Deployment with none of its pods ready.
    static func crashLoop(_ cluster: OperatorHarness, deployment name: String) async throws {
        let deployment = try #require(try await cluster.get(.deployments, name))
        let labels = deployment["spec"]?["selector"]?["matchLabels"] ?? [:]
        let pod = name + "-crash"
        _ = try await cluster.api.create(.pods, namespace: cluster.namespace, object: [
            "apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(pod), "labels": labels],
            "spec": ["containers": [["name": "odoo", "image": .string(Self.after)]]],
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

    /// The settings of a release test: the release's clock two minutes ahead (a Ready period on the
    /// new image counts as a verification window already served, so the test waits on the train, not
    /// on the clock), and the synthetic check fetching each Service's login page from `base`.
    static func settings(_ base: String) -> @Sendable (inout OperatorService.Settings) -> Void {
        { settings in
            settings.releaseClock = { Date().addingTimeInterval(120) }
            settings.loginChecker = HTTPLoginChecker(url: { _, service in "\(base)/\(service)/web/login" })
        }
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
                done = try await cluster.api.getIfExists(.odooReleases, namespace: nil, name: "december")?["status"]?["phase"] == "Succeeded"
                if !done { try await Task.sleep(for: .milliseconds(100)) }
            }
            let status = try #require(try await cluster.api.getIfExists(.odooReleases, namespace: nil, name: "december")?["status"])
            #expect(done, "\(status)")
            #expect(status["done"] == 5 && status["total"] == 5 && status["failed"] == 0, "\(status)")
            #expect(status["cohorts"]?.arrayValue?.compactMap { $0["phase"]?.stringValue } == ["Verified", "Verified", "Verified"])
            #expect(status["cohort"] == nil, "a finished train has no active cohort: \(status)")
            // Cohort order, from the API's own log of writes: the release's spec patches (the only
            // PATCHes of an environment itself after the release exists) come canary, wave-1, rest.
            let log = cluster.server.requests
            let start = try #require(log.firstIndex { $0.hasPrefix("POST ") && $0.contains("/odooreleases") })
            let order = log[start...].compactMap { line -> String? in
                guard line.hasPrefix("PATCH "), let range = line.range(of: "/odooenvironments/") else { return nil }
                let name = String(line[range.upperBound...].prefix { $0 != "?" })
                return name.contains("/") ? nil : name
            }
            #expect(order.count == 5 && order.first == "c1" && Set(order.dropFirst().prefix(2)) == ["w1", "w2"] && Set(order.suffix(2)) == ["r1", "r2"],
                    "\(order)")
            #expect(switchedAt.count == 5, "\(switchedAt)")
            // Each environment carries the release's change reference and runs the new image.
            for environment in Self.environments {
                let object = try #require(try await cluster.environment(environment.name))
                #expect(KubeObject(object).annotations[GuardLabels.changeReference] == "release/december")
                #expect(object["status"]?["image"]?.stringValue == Self.after, "\(environment.name)")
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
            #expect(status["cohort"] == "canary" && message.contains("LoginCheckFailed") && message.contains("without Odoo's login form"), "\(message)")
            #expect(try await cluster.environment("w1")?["spec"]?["image"]?.stringValue == Self.before, "wave-1 never starts")
        }
        }
    }
}
