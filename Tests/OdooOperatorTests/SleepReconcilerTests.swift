import Foundation
import KubeClient
import KubeModel
import OdooOperator
import OdooPlan
import Testing

/// A sleep schedule through the reconciler and the API test server: asleep outside its window (web
/// and cron at 0, the routes on the sleeping page, the policy gate passed), woken on demand by the
/// annotation, asleep again once it is removed.
@Suite("Sleeping environments in the reconciler")
struct SleepReconcilerTests {
    static let traefik = ResourceType.traefik(group: "traefik.io")

    static func routed(_ route: JSONValue?) -> Set<String> {
        Set((route?["spec"]?["routes"]?.arrayValue ?? []).flatMap { ($0["services"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue } })
    }

    @Test func sleepsWakesOnDemandAndSleepsAgain() async throws {
        try await OperatorHarness.run { cluster in
            try await cluster.createTLSSecret("clinic-tls")
            // A staging copy of the clinic, awake one minute a year (1 January, 00:00 UTC): asleep whenever this test runs.
            _ = try await cluster.create(try cluster.example {
                $0.set("staging", at: "spec.stage")
                $0.set(["awake": [["schedule": "0 0 1 1 *", "durationMinutes": 1]]], at: "spec.schedule")
            })
            #expect(try await cluster.eventually(20) {
                // Sleeping once the page has a pod (reported available here, as the controllers would).
                try await cluster.markDeploymentsAvailable()
                return try await cluster.get(.odooEnvironments, "clinic")?["status"]?["sleep"]?["state"] == "Sleeping"
            })
            let ready = try await cluster.condition("Ready", of: "clinic")
            #expect(ready?.status == .false && ready?.reason == "Sleeping", "\(String(describing: ready))")
            #expect(ready?.message.contains("odooguard.io/wake-until") == true)
            let degraded = try await cluster.condition("Degraded", of: "clinic")
            #expect(degraded?.status == .false, "\(String(describing: degraded))")
            let web = try await cluster.get(.deployments, "clinic-web")
            let cron = try await cluster.get(.deployments, "clinic-cron")
            let page = try await cluster.get(.deployments, "clinic-sleeping")
            let route = try await cluster.get(Self.traefik[0], "clinic")
            #expect(web?["spec"]?["replicas"] == .int(0) && cron?["spec"]?["replicas"] == .int(0))
            #expect(page?["spec"]?["replicas"] == .int(1))
            #expect(Self.routed(route) == ["clinic-sleeping"])

            // Woken on demand: web and cron run (the database is initialised on the way), the page goes.
            let until = Timestamp.format(Date().addingTimeInterval(7200))
            try await cluster.updateEnvironment("clinic") { $0.set(["odooguard.io/wake-until": .string(until)], at: "metadata.annotations") }
            let woke = try await cluster.waitUntilReady("clinic")
            let wokenStatus = try await cluster.get(.odooEnvironments, "clinic")?["status"]
            #expect(woke, "\(String(describing: wokenStatus))")
            let awake = try await cluster.get(.odooEnvironments, "clinic")?["status"]?["sleep"]
            #expect(awake?["state"] == "Awake" && awake?["onDemand"] == true && awake?["until"] == .string(until), "\(String(describing: awake))")
            #expect(try await cluster.eventually { try await cluster.get(.deployments, "clinic-sleeping") == nil })
            let wokenRoute = try await cluster.get(Self.traefik[0], "clinic")
            let wokenWeb = try await cluster.get(.deployments, "clinic-web")
            #expect(Self.routed(wokenRoute) == ["clinic-web"])
            #expect(wokenWeb?["spec"]?["replicas"] == .int(3))

            // The annotation removed: asleep again, the sleeps' pod-hours kept in the status.
            try await cluster.updateEnvironment("clinic") { $0.set([:], at: "metadata.annotations") }
            // Web served until the page had a pod (reported available here, as the controllers would).
            #expect(try await cluster.eventually {
                try await cluster.markDeploymentsAvailable()
                let web = try await cluster.get(.deployments, "clinic-web")
                let page = try await cluster.get(.deployments, "clinic-sleeping")
                let state = try await cluster.get(.odooEnvironments, "clinic")?["status"]?["sleep"]?["state"]
                return web?["spec"]?["replicas"] == .int(0) && page != nil && state == "Sleeping"
            })
            let again = try await cluster.get(.odooEnvironments, "clinic")?["status"]?["sleep"]
            #expect(again?["state"] == "Sleeping" && again?["stoppedPods"] == .int(4))
            #expect((again?["podHoursSaved"]?.doubleValue ?? -1) >= 0)
        }
    }
}
