import Foundation
import KubeClient
import KubeModel
import OdooOperator
import OdooPlan
import Testing
import TestSupport

/// A change made without a release — a tenant editing its own environment — is verified the same
/// way, through the reconciler on the API test server.
@Suite("Change verification through the reconciler", .serialized)
struct ChangeVerificationReconcilerTests {
    typealias Train = ReleaseReconcilerTests

    /// The tenant's own edit verifies; its next edit crash-loops and is rolled back, and a third
    /// edit back to the running digests ends the rollback.
    @Test func aTenantsOwnEditIsVerifiedAndACrashLoopingOneIsRolledBack() async throws {
        let third = "registry.example.com/odoo/odoo:17.0-20261215@sha256:" + String(repeating: "e1", count: 32)
        try await LoginPageServer().serving { base in
        try await OperatorHarness.run(settings: Train.settings(base)) { cluster in
            try await cluster.createTLSSecret("clinic-tls")
            try await Train.createReadyEnvironments(cluster, [("own", "none")])
            try await cluster.updateEnvironment("own") { _ = $0.set(.string(Train.after), at: "spec.image") }
            let verified = try await cluster.eventually {
                try await cluster.markDeploymentsAvailable()
                return try await cluster.environment("own")?["status"]?["change"]?["outcome"] == "Verified"
            }
            let change = try #require(ChangeRecord(json: try await cluster.environment("own")?["status"]?["change"]))
            #expect(verified && change.from.image == Train.before && change.to.image == Train.after, "\(change)")
            #expect(change.rolledOut != nil && change.message?.contains("login form") == true)

            try await cluster.updateEnvironment("own") { _ = $0.set(.string(third), at: "spec.image") }
            #expect(try await cluster.eventually { try await Train.webImage(cluster, "own") == third })
            try await Train.crashLoop(cluster, deployment: "own-web", image: third)
            #expect(try await cluster.eventually { try await cluster.condition("Degraded", of: "own")?.reason == "RolledBack" })
            #expect(try await Train.webImage(cluster, "own") == Train.after, "the previous digests run again")
            let status = try #require(try await cluster.environment("own")?["status"])
            #expect(status["changeHistory"]?.arrayValue?.compactMap { $0["outcome"]?.stringValue } == ["Verified", "RolledBack"])
            #expect(status["delivery"]?["failedDeployments"] == 1, "a rolled-back change is a failed release: \(status["delivery"] ?? nil)")

            // Setting the spec back to what runs accepts the rollback: no new change, not Degraded.
            try await cluster.updateEnvironment("own") { _ = $0.set(.string(Train.after), at: "spec.image") }
            #expect(try await cluster.eventually {
                try await cluster.markDeploymentsAvailable()
                return try await cluster.condition("Degraded", of: "own")?.status == .false
            })
            #expect(try await cluster.environment("own")?["status"]?["changeHistory"]?.arrayValue?.count == 2)
        }
        }
    }
}
