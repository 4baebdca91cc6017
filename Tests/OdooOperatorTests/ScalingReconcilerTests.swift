import Foundation
import KubeClient
import KubeModel
import OdooOperator
import OdooPlan
import Testing

/// `spec.scaling` through the reconciler and the API test server: the autoscaler added, changed and
/// removed; the replica count handed to it without ever falling back to the API's default of 1; the
/// autoscaler's decisions kept across the operator's own applies; and the autoscaler gone while
/// the environment sleeps.
@Suite("Autoscaling in the reconciler")
struct ScalingReconcilerTests {
    /// What the HorizontalPodAutoscaler controller does (the test server runs none): web's count
    /// written through an update of its own.
    static func autoscale(_ cluster: OperatorHarness, to replicas: Int64) async throws {
        _ = try await cluster.api.patch(.deployments, namespace: cluster.namespace, name: "clinic-web", patch: .merge(["spec": ["replicas": .int(replicas)]]),
                                        subresource: nil, options: WriteOptions(fieldManager: "horizontal-pod-autoscaler"))
    }

    static func replicas(_ cluster: OperatorHarness) async throws -> Int64? {
        try await cluster.get(.deployments, "clinic-web")?["spec"]?["replicas"]?.intValue
    }

    @Test func scalingAddedChangedAndRemoved() async throws {
        try await OperatorHarness.run { cluster in
            try await cluster.createTLSSecret("clinic-tls")
            _ = try await cluster.create(try cluster.example())
            #expect(try await cluster.waitUntilReady())
            #expect(try await Self.replicas(cluster) == 3)
            #expect(try await cluster.get(.horizontalPodAutoscalers, "clinic-web") == nil)

            // Added: the autoscaler appears and the three running pods stay (the count is handed over, not reset).
            try await cluster.updateEnvironment { $0.set(["minReplicas": 2, "maxReplicas": 5], at: "spec.scaling") }
            #expect(try await cluster.eventually { try await cluster.get(.horizontalPodAutoscalers, "clinic-web")?["spec"]?["maxReplicas"] == .int(5) })
            try await cluster.settle()
            let hpa = try await cluster.get(.horizontalPodAutoscalers, "clinic-web")
            #expect(hpa?["spec"]?["minReplicas"] == .int(2) && hpa?["spec"]?["scaleTargetRef"]?["name"] == "clinic-web")
            #expect(hpa?["metadata"]?["ownerReferences"]?[0]?["kind"] == "OdooEnvironment")
            #expect(try await Self.replicas(cluster) == 3)

            // The autoscaler scales out; a change of the operator's own plan (odoo.conf) keeps its decision.
            try await Self.autoscale(cluster, to: 5)
            try await cluster.updateEnvironment { $0.set("1300", at: "spec.config.limit_time_real") }
            #expect(try await cluster.eventually {
                try await cluster.get(.configMaps, "clinic-config")?["data"]?["odoo.conf"]?.stringValue?.contains("limit_time_real = 1300") == true
            })
            try await cluster.settle()
            #expect(try await Self.replicas(cluster) == 5)
            #expect(try await cluster.waitUntilReady())
            let status = try await cluster.environment()?["status"]?["scaling"]
            #expect(status?["replicas"] == .int(5) && status?["minReplicas"] == .int(2) && status?["maxReplicas"] == .int(5), "\(String(describing: status))")
            let ready = try await cluster.condition("Ready")
            #expect(ready?.message.contains("with 5 web replicas (autoscaled 2–5)") == true, "\(String(describing: ready))")

            // Changed: a lower maximum brings the count down to it at once.
            try await cluster.updateEnvironment { $0.set(4, at: "spec.scaling.maxReplicas") }
            #expect(try await cluster.eventually { try await Self.replicas(cluster) == 4 })
            #expect(try await cluster.eventually { try await cluster.get(.horizontalPodAutoscalers, "clinic-web")?["spec"]?["maxReplicas"] == .int(4) })

            // Removed: the autoscaler goes and the fixed count is the operator's again.
            try await cluster.updateEnvironment { $0.set(.null, at: "spec.scaling") }
            #expect(try await cluster.eventually { try await cluster.get(.horizontalPodAutoscalers, "clinic-web") == nil })
            #expect(try await cluster.eventually { try await Self.replicas(cluster) == 3 })
            #expect(try await cluster.eventually { try await cluster.environment()?["status"]?["scaling"] == nil })
        }
    }

    /// Asleep, web has no autoscaler (it would scale web back up from 0); woken, the autoscaler is
    /// back and web starts at its minimum, not at 0 (where an autoscaler never scales from).
    @Test func asleepTheAutoscalerIsGoneAndAwakeItIsBack() async throws {
        try await OperatorHarness.run { cluster in
            try await cluster.createTLSSecret("clinic-tls")
            _ = try await cluster.create(try cluster.example {
                $0.set("staging", at: "spec.stage")
                $0.set(["awake": [["schedule": "0 0 1 1 *", "durationMinutes": 1]]], at: "spec.schedule")
                $0.set(["minReplicas": 2, "maxReplicas": 4], at: "spec.scaling")
            })
            #expect(try await cluster.eventually(20) {
                // Sleeping once the page has a pod (reported available here, as the controllers would).
                try await cluster.markDeploymentsAvailable()
                return try await cluster.environment()?["status"]?["sleep"]?["state"] == "Sleeping"
            })
            try await cluster.settle()
            #expect(try await cluster.get(.horizontalPodAutoscalers, "clinic-web") == nil)
            #expect(try await Self.replicas(cluster) == 0)
            #expect(try await cluster.environment()?["status"]?["scaling"]?["replicas"] == .int(0))

            let until = Timestamp.format(Date().addingTimeInterval(7200))
            try await cluster.updateEnvironment { $0.set(["odooguard.io/wake-until": .string(until)], at: "metadata.annotations") }
            #expect(try await cluster.waitUntilReady())
            #expect(try await cluster.get(.horizontalPodAutoscalers, "clinic-web")?["spec"]?["minReplicas"] == .int(2))
            #expect(try await Self.replicas(cluster) == 2)

            // Asleep again: the autoscaler goes before web stops.
            try await cluster.updateEnvironment { $0.set([:], at: "metadata.annotations") }
            #expect(try await cluster.eventually {
                try await cluster.markDeploymentsAvailable()
                let asleep = try await cluster.environment()?["status"]?["sleep"]?["state"] == "Sleeping"
                let autoscaler = try await cluster.get(.horizontalPodAutoscalers, "clinic-web")
                let replicas = try await Self.replicas(cluster)
                return asleep && autoscaler == nil && replicas == 0
            })
        }
    }
}

/// `spec.jobs` through the reconciler: the worker Deployment is applied and stopped with the
/// environment, and a worker whose image lacks `queue_job` degrades the environment naming it.
@Suite("Background jobs in the reconciler")
struct QueueJobsReconcilerTests {
    @Test func aWorkerWithoutQueueJobDegradesTheEnvironmentNamingIt() async throws {
        try await OperatorHarness.run { cluster in
            try await cluster.createTLSSecret("clinic-tls")
            _ = try await cluster.create(try cluster.example {
                $0.set(["workers": 2, "channels": "root:2"], at: "spec.jobs")
                $0.set(["base", "contacts", "queue_job"], at: "spec.database.initModules")
            })
            #expect(try await cluster.waitUntilReady())
            let worker = try await cluster.get(.deployments, "clinic-queue")
            #expect(worker?["spec"]?["replicas"] == .int(1))
            try await cluster.failConfigCheck(pod: "clinic-queue-6d9-k1", component: .queue, deployment: "clinic-queue",
                                              message: "server_wide_modules names queue_job, which neither the image nor an addon image provides", ready: 0)
            #expect(try await cluster.eventually { try await cluster.condition("Degraded")?.reason == EnvironmentCondition.serverWideModuleMissing })
            #expect(try await cluster.condition("Degraded")?.message.contains("queue_job") == true)
        }
    }
}
