import Foundation
import KubeClient
import KubeModel
import OdooOperator
import OdooPlan
import Testing

/// An OdooRestore through the running operator against the test API server: a refresh of a
/// development environment from a production one, step by step as the Jobs finish, with an operator
/// restart in the middle; and a backup that fails its verification stops nothing.
@Suite("OdooRestore reconciler", .serialized)
struct RestoreReconcilerTests {
    static func restore(_ name: String = "refresh") -> JSONValue {
        ["apiVersion": "odooguard.io/v1alpha1", "kind": "OdooRestore", "metadata": ["name": .string(name)],
         "spec": ["environment": "clinic", "mode": "Refresh", "source": ["environment": "clinic-live"]]]
    }

    /// The development target, Ready, and its source (with backups).
    static func environments(_ cluster: OperatorHarness) async throws {
        try await cluster.createTLSSecret("clinic-tls")
        _ = try await cluster.create(try cluster.example { object in
            object.set("development", at: "spec.stage")
            object.set(.null, at: "spec.backup")
            object.set(.null, at: "spec.maintenanceWindow")
        })
        let ready = try await cluster.waitUntilReady("clinic")
        let condition = try await cluster.condition("Ready")
        #expect(ready, "\(condition?.reason ?? ""): \(condition?.message ?? "")")
        // The source: another environment with backups (in the same namespace and stage, so the
        // namespace's labels stay one stage's).
        _ = try await cluster.create(try cluster.example { object in
            object.set("clinic-live", at: "metadata.name")
            object.set("development", at: "spec.stage")
            object.set(.null, at: "spec.maintenanceWindow")
            object.set("clinic-live.example.com", at: "spec.ingress.host")
            object.set(.null, at: "spec.ingress.aliases")
        })
    }

    static func status(_ cluster: OperatorHarness, _ name: String = "refresh") async throws -> RestoreStatus {
        RestoreStatus(json: try await cluster.get(.odooRestores, name)?["status"])
    }

    /// Finishes the Job of `step` once it exists.
    static func finish(_ cluster: OperatorHarness, _ step: String, container: String, exitCode: Int64 = 0, message: String = "") async throws {
        let name = "refresh-" + step
        #expect(try await cluster.eventually { try await cluster.get(.jobs, name) != nil }, "Job \(name) was not created")
        try await cluster.finishJob(name, container: container, exitCode: exitCode, message: message)
    }

    /// What the Deployment controller reports once the operator scaled web and cron to zero.
    static func waitForStop(_ cluster: OperatorHarness, restore: String = "refresh") async throws -> Bool {
        try await cluster.eventually {
            let annotations = try await cluster.environment()?["metadata"]?["annotations"]
            let replicas = try await [cluster.get(.deployments, "clinic-web"), cluster.get(.deployments, "clinic-cron")].map { $0?["spec"]?["replicas"]?.intValue }
            guard annotations?[GuardLabels.restoring]?.stringValue == restore, replicas == [0, 0] else { return false }
            try await cluster.markDeploymentsAvailable()
            return true
        }
    }

    @Test func aRefreshRunsEveryStepAndResumesAfterARestart() async throws {
        try await OperatorHarness.run(startOperator: false) { cluster in
            try await cluster.operating { _ in
                try await Self.environments(cluster)
                _ = try await cluster.api.create(.odooRestores, namespace: cluster.namespace, object: Self.restore(), options: WriteOptions())
                try await Self.finish(cluster, "verify", container: "fetch")
                #expect(try await Self.waitForStop(cluster), "web and cron stop after the backup is verified")
                #expect(try await cluster.eventually { try await cluster.get(.jobs, "refresh-restore") != nil })
                #expect(try await cluster.eventually { try await Self.status(cluster).step == .restore })
            }
            // A new operator process: it finds the restore at its step and the Job it started.
            try await cluster.operating { _ in
                try await cluster.finishJob("refresh-restore", container: "apply", exitCode: 0, message: #"{"backup":"20261204T013000Z","tables":700,"files":12}"#)
                try await Self.finish(cluster, "neutralize", container: "neutralize")
                try await Self.finish(cluster, "mask", container: "mask")
                let succeeded = try await cluster.eventually { try await Self.status(cluster).phase == .succeeded }
                let status = try await Self.status(cluster)
                #expect(succeeded, "\(status.message)")
                #expect(status.masked && status.steps.map(\.step) == [.verify, .stop, .restore, .neutralize, .mask, .start])
                // Web and cron run again, and the environment's status says where its data came from.
                #expect(try await cluster.eventually { (try await cluster.get(.deployments, "clinic-web")?["spec"]?["replicas"]?.intValue ?? 0) > 0 })
                #expect(try await cluster.eventually {
                    try await cluster.environment()?["status"]?["lastRestore"].flatMap { RestoreRecord(json: $0) }?.masked == true
                })
                let record = try #require(RestoreRecord(json: try await cluster.environment()?["status"]?["lastRestore"]))
                #expect(record.restore == "refresh" && record.mode == .refresh && record.source == "clinic-prod/clinic-live@latest")
            }
            // Each Job was created once, across the restart.
            let creations = cluster.server.requests.filter { $0.hasPrefix("POST ") && $0.contains("/jobs") }.count
            let jobs = try await cluster.api.listAll(.jobs, namespace: cluster.namespace, options: ListOptions(labelSelector: "\(GuardLabels.restore)=refresh")).items
            #expect(jobs.count == 4 && creations >= 4)
        }
    }

    @Test func aBackupThatFailsItsVerificationStopsNothing() async throws {
        try await OperatorHarness.run { cluster in
            try await Self.environments(cluster)
            _ = try await cluster.api.create(.odooRestores, namespace: cluster.namespace, object: Self.restore(), options: WriteOptions())
            try await Self.finish(cluster, "verify", container: "fetch", exitCode: 1,
                                  message: "backup 20261204T013000Z fails its checksum: the files differ from what was uploaded")
            #expect(try await cluster.eventually { try await Self.status(cluster).phase == .refused })
            let status = try await Self.status(cluster)
            #expect(status.message.contains("nothing was stopped") && status.message.contains("fails its checksum"), "\(status.message)")
            try await cluster.settle()
            #expect(try await cluster.environment()?["metadata"]?["annotations"]?[GuardLabels.restoring] == nil)
            #expect((try await cluster.get(.deployments, "clinic-web")?["spec"]?["replicas"]?.intValue ?? 0) > 0)
        }
    }

    /// Reports a CloudNativePG Cluster serving, as its operator would.
    static func clusterReady(_ cluster: OperatorHarness, _ name: String) async throws {
        _ = try await cluster.api.patch(.cnpgClusters, namespace: cluster.namespace, name: name, patch: .merge(["status": [
            "conditions": [["type": "Ready", "status": "True", "reason": "ClusterIsReady", "message": "Cluster is Ready",
                            "lastTransitionTime": .string(Timestamp.format(Date()))]],
            "phase": "Cluster in healthy state", "readyInstances": 1, "instances": 1, "currentPrimary": .string(name + "-1"),
        ]]), subresource: "status", options: WriteOptions())
    }

    /// On CloudNativePG: the archive's window decides, the database moves to a Cluster recovered to
    /// the time, the old Cluster stays until the new one serves and is pruned when the restore ends.
    @Test func aPointInTimeRestoreMovesTheDatabaseToARecoveredCluster() async throws {
        try await OperatorHarness.run(configure: { configuration in
            configuration.cloudNativePG = OperatorConfiguration.CloudNativePG(imageName: "ghcr.io/cloudnative-pg/postgresql:15@sha256:" + String(repeating: "5e", count: 32))
        }) { cluster in
            try await cluster.createTLSSecret("clinic-tls")
            _ = try await cluster.create(try cluster.example { object in
                object.set("development", at: "spec.stage")
                object.set(.null, at: "spec.maintenanceWindow")
            })
            #expect(try await cluster.eventually { try await cluster.get(.cnpgClusters, "clinic-pg") != nil }, "the Cluster is planned")
            #expect(try await cluster.get(.statefulSets, "clinic-postgres") == nil)
            try await Self.clusterReady(cluster, "clinic-pg")
            #expect(try await cluster.waitUntilReady("clinic"))
            #expect(try await cluster.condition("DatabaseReady")?.message.contains("Cluster clinic-pg") == true)
            let now = Date()
            _ = try await cluster.api.patch(.barmanObjectStores, namespace: cluster.namespace, name: "clinic-pg-archive", patch: .merge(["status": [
                "serverRecoveryWindow": ["clinic-pg": ["firstRecoverabilityPoint": .string(Timestamp.format(now.addingTimeInterval(-2 * 86_400))),
                                                       "lastSuccessfulBackupTime": .string(Timestamp.format(now.addingTimeInterval(-3600)))]],
            ]]), subresource: "status", options: WriteOptions())
            let target = Timestamp.format(now.addingTimeInterval(-86_400))
            _ = try await cluster.api.create(.odooRestores, namespace: cluster.namespace, object: [
                "apiVersion": "odooguard.io/v1alpha1", "kind": "OdooRestore", "metadata": ["name": "pitr"],
                "spec": ["environment": "clinic", "source": ["targetTime": .string(target)]],
            ], options: WriteOptions())
            #expect(try await Self.waitForStop(cluster, restore: "pitr"))
            // The environment's planner creates the recovered Cluster; the old one stays meanwhile.
            @Sendable func recovered() async throws -> String? {
                RecoveredCluster(annotation: try await cluster.environment()?["metadata"]?["annotations"]?[GuardLabels.databaseCluster]?.stringValue)?.cluster
            }
            #expect(try await cluster.eventually { try await recovered() != nil })
            let name = try #require(try await recovered())
            #expect(try await cluster.eventually { try await cluster.get(.cnpgClusters, name) != nil }, "Cluster \(name) is planned")
            let created = try #require(try await cluster.get(.cnpgClusters, name))
            #expect(created["spec"]?["bootstrap"]?["recovery"]?["recoveryTarget"]?["targetTime"]?.stringValue == target)
            #expect(created["spec"]?["externalClusters"]?[0]?["plugin"]?["parameters"]?["serverName"] == "clinic-pg")
            #expect(try await cluster.get(.cnpgClusters, "clinic-pg") != nil, "the replaced Cluster is kept while the new one recovers")
            #expect(try await cluster.get(.cnpgPoolers, "clinic-pg-pooler")?["spec"]?["cluster"]?["name"]?.stringValue == name)
            try await Self.clusterReady(cluster, name)
            let succeeded = try await cluster.eventually { try await Self.status(cluster, "pitr").phase == .succeeded }
            let message = try await Self.status(cluster, "pitr").message
            #expect(succeeded, "\(message)")
            #expect(try await Self.status(cluster, "pitr").steps.map(\.step) == [.verify, .stop, .restore, .start])
            #expect(try await cluster.eventually { try await cluster.get(.cnpgClusters, "clinic-pg") == nil }, "the replaced Cluster is pruned at the end")
            #expect(try await cluster.eventually { try await cluster.condition("DatabaseReady")?.message.contains("Cluster \(name)") == true })
            let record = RestoreRecord(json: try await cluster.environment()?["status"]?["lastRestore"])
            #expect(record?.source == "clinic-prod/clinic@\(target)")
        }
    }
}
