import Foundation
import KubeClient
import KubeModel
import OdooPlan
import Testing

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

    @Test func aTrainOfThreeCohortsSwitchesInOrderAndSucceeds() async throws {
        // The release's clock runs two minutes ahead: a Ready period on the new image counts as a
        // verification window already served, so the test waits on the train, not on the clock.
        try await OperatorHarness.run(settings: { $0.releaseClock = { Date().addingTimeInterval(120) } }) { cluster in
            try await cluster.createTLSSecret("clinic-tls")
            // Events of cluster-scoped objects go to `default`, which every real cluster has.
            _ = try await cluster.api.create(.namespaces, namespace: nil, object: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "default"]],
                                             options: WriteOptions())
            for environment in Self.environments {
                _ = try await cluster.create(try cluster.example { object in
                    object.set(.string(environment.name), at: "metadata.name")
                    object.set(["cohort": .string(environment.cohort)], at: "metadata.labels")
                    object.set("development", at: "spec.stage")
                    object.set(.string(Self.before), at: "spec.image")
                    object.set(.null, at: "spec.backup")
                    object.set(.null, at: "spec.maintenanceWindow")
                })
            }
            for environment in Self.environments { #expect(try await cluster.waitUntilReady(environment.name), "\(environment.name)") }
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
        }
    }
}
