import Foundation
import KubeClient
import KubeModel
import OdooPlan
import OdooOperator
import Testing
import TestSupport

/// What a failed change does inside a release, on the API test server with Deployment and pod
/// statuses written as their controllers and the kubelet would: a change that migrated nothing is
/// back on its previous digests within its verification window, one that migrated the database halts
/// the train naming its restore point, and an operator restarted mid-cohort switches nothing twice.
@Suite("OdooRelease rollback", .serialized)
struct ReleaseRollbackTests {
    typealias Train = ReleaseReconcilerTests

    /// canary: c1; wave-1 (two at a time, no failure allowed): w1…w4; rest (five at a time): r1…r5.
    static let ten: [(name: String, cohort: String)] = [("c1", "canary")] + (1...4).map { ("w\($0)", "wave-1") } + (1...5).map { ("r\($0)", "rest") }

    static func release(addons: JSONValue? = nil) -> JSONValue {
        var release = Train.release()
        release.set(["name": "wave-1", "selector": ["matchLabels": ["cohort": "wave-1"]], "soakMinutes": 0, "maxConcurrent": 2, "failureBudget": 0],
                    at: FieldPath([.key("spec"), .key("cohorts"), .index(1)]))
        release.set(["name": "rest", "selector": [:], "maxConcurrent": 5], at: FieldPath([.key("spec"), .key("cohorts"), .index(2)]))
        if let addons { release.set(addons, at: "spec.addons") }
        return release
    }

    static func releaseStatus(_ cluster: OperatorHarness) async throws -> JSONValue? {
        try await cluster.api.getIfExists(.odooReleases, namespace: nil, name: "december")?["status"]
    }

    /// Ten environments, three cohorts; w2 crash-loops on the new image. The operator is restarted
    /// once both wave-1 slots are switched. w2 migrated nothing, so it runs its previous digests again
    /// within its window; wave-1's budget is 0, so the train halts naming it; nothing outside canary
    /// and the two switched wave-1 environments changes, and no environment is switched twice.
    @Test func aNonMigratingFailureIsRolledBackAndARestartRepeatsNoSwitch() async throws {
        // Long enough that a loaded machine cannot verify w2 before its crash loop is seen.
        let window = 10
        try await LoginPageServer().serving { base in
        try await OperatorHarness.run(settings: Train.settings(base, window: window), startOperator: false) { cluster in
            // The first operator: the environments, the release, until both wave-1 slots are switched.
            try await cluster.operating { _ in
                try await cluster.createTLSSecret("clinic-tls")
                try await Train.createReadyEnvironments(cluster, Self.ten)
                _ = try await cluster.api.create(.odooReleases, namespace: nil, object: Self.release(), options: WriteOptions())
                var crashed = false
                for _ in 0..<600 where !(crashed && !Train.switches(cluster, of: "w1").isEmpty) {
                    if !crashed, !Train.switches(cluster, of: "w2").isEmpty {
                        try await Train.crashLoop(cluster, deployment: "w2-web")
                        crashed = true
                    }
                    try await cluster.completeInitJobs()
                    try await cluster.markDeploymentsAvailable(except: crashed ? "w2-web" : nil)
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(crashed, "w2 was never switched")
            }
            let beforeRestart = Train.switches(cluster)
            // A new operator process: caches rebuilt by list and watch, nothing remembered.
            try await cluster.operating { _ in
                var halted: JSONValue?
                for _ in 0..<600 where halted == nil {
                    try await cluster.completeInitJobs()
                    try await cluster.markDeploymentsAvailable(except: "w2-web")
                    let status = try await Self.releaseStatus(cluster)
                    if status?["phase"] == "Halted" { halted = status } else { try await Task.sleep(for: .milliseconds(100)) }
                }
                let status = try #require(halted, "the train never halted")
                let message = status["message"]?.stringValue ?? ""
                #expect(status["cohort"] == "wave-1" && message.contains("clinic-prod/w2") && message.contains("rolled back") && message.contains("restart loop"),
                        "\(message)")
                #expect(status["cohorts"]?.arrayValue?.compactMap { $0["phase"]?.stringValue } == ["Verified", "Halted", "Pending"], "\(status)")
                // w2: back on its previous digests within its window, the spec as the release wrote it, the outcome recorded.
                #expect(try await cluster.eventually { try await Train.webImage(cluster, "w2") == Train.before })
                let w2 = try #require(try await cluster.environment("w2"))
                let change = try #require(ChangeRecord(json: w2["status"]?["change"]))
                #expect(change.outcome == .rolledBack && change.migration == nil, "\(change)")
                let took = (change.finished ?? .distantFuture).timeIntervalSince(change.started)
                #expect(took < Double(window), "rolled back \(took) s after the switch; the window is \(window) s")
                #expect(w2["spec"]?["image"]?.stringValue == Train.after, "the spec stays as the release wrote it")
                #expect(KubeObject(w2).annotations[GuardLabels.changeOutcome]?.hasPrefix("RolledBack \(Train.after) → \(Train.before)") == true)
                #expect(try await cluster.condition("Degraded", of: "w2")?.reason == "RolledBack")
            }
            // Nothing outside the active cohort changed; nothing was switched twice, restart or not.
            let switched = Train.switches(cluster)
            #expect(Set(switched) == ["c1", "w1", "w2"], "\(switched)")
            #expect(switched.count == Set(switched).count, "a switch was repeated: \(switched) (before the restart: \(beforeRestart))")
            for name in ["w3", "w4", "r1", "r2", "r3", "r4", "r5"] {
                #expect(try await cluster.environment(name)?["spec"]?["image"]?.stringValue == Train.before, "\(name) changed")
            }
        }
        }
    }

    /// The canary is production and the release changes its addon images: its gates take a backup
    /// and run the upgrade Job, which migrates the database. It then crash-loops: it is not rolled
    /// back, the train halts naming the restore point (the gate's backup), and wave-1 never starts.
    @Test func aMigratingFailureHaltsTheTrainNamingItsRestorePoint() async throws {
        let addon = "registry.example.com/odoo/session-redis:17.0-4@sha256:" + String(repeating: "a7", count: 32)
        try await LoginPageServer().serving { base in
        // A window the canary cannot finish before the test sees it verifying and crash-loops it
        // (a restart loop ends the window at once, so the test does not wait for it).
        try await OperatorHarness.run(settings: Train.settings(base, window: 60)) { cluster in
            try await cluster.createTLSSecret("clinic-tls")
            try await cluster.createBackupCredentials()
            try await Train.createReadyEnvironments(cluster, [("w1", "wave-1")])
            _ = try await cluster.create(try cluster.example { object in
                object.set("c1", at: "metadata.name")
                object.set(["cohort": "canary"], at: "metadata.labels")
                object.set(.string(Train.before), at: "spec.image")
                object.set(.null, at: "spec.maintenanceWindow")
            })
            #expect(try await cluster.waitUntilReady("c1"))
            _ = try await cluster.api.create(.odooReleases, namespace: nil, object: Self.release(addons: [["image": .string(addon), "path": "/mnt/extra-addons"]]),
                                             options: WriteOptions())
            var halted: JSONValue?
            var crashed = false
            for _ in 0..<600 where halted == nil {
                try await Train.finishGateJobs(cluster)
                if !crashed, try await cluster.environment("c1")?["status"]?["change"]?["outcome"] == "Verifying" {
                    try await Train.crashLoop(cluster, deployment: "c1-web")
                    crashed = true
                }
                try await cluster.completeInitJobs()
                try await cluster.markDeploymentsAvailable(except: crashed ? "c1-web" : nil)
                let status = try await Self.releaseStatus(cluster)
                if status?["phase"] == "Halted" { halted = status } else { try await Task.sleep(for: .milliseconds(100)) }
            }
            let status = try #require(halted, "the train never halted")
            let message = status["message"]?.stringValue ?? ""
            #expect(status["cohort"] == "canary" && message.contains("clinic-prod/c1") && message.contains("VerificationFailed"), "\(message)")
            #expect(message.contains("restore point backup Job c1-backup-"), "the gate's pre-change backup is the restore point: \(message)")
            let c1 = try #require(try await cluster.environment("c1"))
            let change = try #require(ChangeRecord(json: c1["status"]?["change"]))
            #expect(change.outcome == .failed && change.migration?.contains("upgrade Job") == true, "\(change)")
            // Never rolled back: the old code cannot run on the migrated schema.
            #expect(try await Train.webImage(cluster, "c1") == Train.after)
            let degraded = try await cluster.condition("Degraded", of: "c1")
            #expect(degraded?.reason == "VerificationFailed" && degraded?.message.contains("restore point backup Job") == true, "\(String(describing: degraded))")
            #expect(try await cluster.condition("Ready", of: "c1")?.status == .false, "a failed change that could not be undone is not Ready")
            #expect(KubeObject(c1).annotations[GuardLabels.changeOutcome]?.hasPrefix("VerificationFailed") == true)
            #expect(try await cluster.environment("w1")?["spec"]?["image"]?.stringValue == Train.before, "wave-1 never starts")
        }
        }
    }
}
