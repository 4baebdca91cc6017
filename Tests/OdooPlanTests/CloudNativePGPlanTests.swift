import Foundation
import GuardCheck
import KubeModel
import OdooPlan
import TestSupport
import Testing

/// The dedicated tier on CloudNativePG: the Cluster, Pooler, ObjectStore, ScheduledBackup and
/// PodMonitor against the upstream CRDs, golden, per stage; `DatabaseReady` from the Cluster's status.
@Suite("CloudNativePG plan")
struct CloudNativePGPlanTests {
    static let configuration: OperatorConfiguration = {
        do {
            return try OperatorConfiguration.decode(yaml: String(contentsOf: Fixtures.cloudNativePGConfiguration, encoding: .utf8), source: "cloudnativepg.yaml")
        } catch { preconditionFailure("\(error)") }
    }()
    static let planner = OdooPlanner(configuration: configuration)

    static func dedicated(stage: String = "production", backup: Bool = true, _ change: (inout JSONValue) -> Void = { _ in }) throws -> OdooEnvironment {
        try OdooEnvironment.decode(Fixtures.environment { object in
            _ = object.set("dedicated", at: "spec.tier")
            _ = object.set(.string(stage), at: "spec.stage")
            if backup { _ = object.set(["schedule": "30 1 * * *"], at: "spec.backup") }
            change(&object)
        })
    }

    static func object(_ desired: DesiredState, _ kind: String) -> JSONValue? {
        desired.objects.first { $0["kind"]?.stringValue == kind }
    }

    @Test func theRenderMatchesItsGoldenFile() throws {
        let outcome = RenderCommand.run(RenderCommand.Options(inputs: [Fixtures.environments.appendingPathComponent("clinic-production.yaml").path],
                                                              configurationPath: Fixtures.cloudNativePGConfiguration.path))
        #expect(outcome.exitCode == 0, "\(outcome.standardError)")
        let url = Fixtures.golden.appendingPathComponent("clinic-production-cloudnativepg.yaml")
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" { try Data(outcome.standardOutput).write(to: url) }
        let expected = try #require(FileManager.default.contents(atPath: url.path), "missing golden file; run with UPDATE_GOLDEN=1")
        #expect(String(decoding: outcome.standardOutput, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
        let text = String(decoding: outcome.standardOutput, as: UTF8.self)
        #expect(!text.contains("kind: StatefulSet"), "the single-pod server is not planned beside a Cluster")
        // The rendered plan, CloudNativePG objects included, passes the default policy.
        let checked = CheckCommand.run(CheckCommand.Options(paths: ["-"]), standardInput: { outcome.standardOutput })
        #expect(checked.exitCode == 0, "\(checked.standardOutput.split(separator: "\n").filter { $0.hasPrefix("DENY") })")
    }

    @Test(.enabled(if: Fixtures.hasCloudNativePGReference, "../shared/reference/cnpg-crds is not beside this clone"),
          arguments: ["production", "staging", "development"])
    func everyObjectMatchesItsUpstreamSchema(stage: String) throws {
        let validators = try Fixtures.validators("cnpg-crds").merging(try Fixtures.validators("prometheus-operator-crds")) { $1 }
        let desired = try Self.planner.plan(try Self.dedicated(stage: stage))
        var kinds: Set<String> = []
        for object in desired.objects {
            let apiVersion = object["apiVersion"]?.stringValue ?? ""
            guard apiVersion.contains("cnpg.io") || apiVersion.hasPrefix("monitoring.coreos.com"), let kind = object["kind"]?.stringValue else { continue }
            let validator = try #require(validators[kind], "no CRD for \(kind)")
            #expect(validator.validate(object).isEmpty, "\(kind): \(validator.validate(object))")
            kinds.insert(kind)
        }
        #expect(kinds == ["Cluster", "Pooler", "ObjectStore", "ScheduledBackup", "PodMonitor"])
        // The core objects beside them (NetworkPolicies, the basic-auth Secret) are valid Kubernetes.
        let core = (desired.objects + desired.secrets.map { $0.object(values: [:]) }).filter {
            ["NetworkPolicy", "Secret"].contains($0["kind"]?.stringValue ?? "")
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("cnpg-core-\(UUID().uuidString).yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(YAMLEmitter.stream(core)).write(to: file)
        let (status, output) = try Subprocess.run(ExecutablePath.onPath("kubernetes-validate"), ["--strict", "--quiet", "-k", "1.32.0", file.path])
        #expect(status == 0, "\(output)")
    }

    struct StageCase: Sendable, CustomStringConvertible {
        var stage: String
        var instances: Int64
        var poolers: Int64
        var antiAffinity: String
        var zoneSpread: Bool
        var description: String { stage }
    }

    @Test(arguments: [
        StageCase(stage: "production", instances: 3, poolers: 2, antiAffinity: "required", zoneSpread: true),
        StageCase(stage: "staging", instances: 1, poolers: 1, antiAffinity: "preferred", zoneSpread: false),
        StageCase(stage: "development", instances: 1, poolers: 1, antiAffinity: "preferred", zoneSpread: false),
    ])
    func instancesAndPlacementFollowTheStage(_ row: StageCase) throws {
        let desired = try Self.planner.plan(try Self.dedicated(stage: row.stage))
        let cluster = try #require(Self.object(desired, "Cluster"))
        #expect(cluster["spec"]?["instances"]?.intValue == row.instances)
        #expect(cluster["spec"]?["affinity"]?["podAntiAffinityType"]?.stringValue == row.antiAffinity)
        #expect((cluster["spec"]?["topologySpreadConstraints"] != nil) == row.zoneSpread)
        let pooler = try #require(Self.object(desired, "Pooler"))
        #expect(pooler["spec"]?["instances"]?.intValue == row.poolers)
        #expect(pooler["spec"]?["pgbouncer"]?["poolMode"]?.stringValue == "session")
    }

    /// The connection budget against the pooler: the role's limit and the pool take Odoo's worst
    /// case; the server's `max_connections` adds the pooler's auth connections and the reserve.
    @Test func theBudgetIsComputedAgainstThePooler() throws {
        let environment = try Self.dedicated { object in
            _ = object.set(6, at: "spec.replicas")
            _ = object.set(8, at: "spec.workers")
        }
        let desired = try Self.planner.plan(environment)
        let budget = try #require(desired.connectionBudget)
        // 7 web pods (6 and a surge) × (8 workers + 1) × db_maxconn 2 + gevent 4, cron 5, jobs 5.
        #expect(budget.webPods == 7 && budget.perWebPod == 22 && budget.total == 164, "\(budget.arithmetic)")
        let cluster = try #require(Self.object(desired, "Cluster"))
        #expect(cluster["spec"]?["managed"]?["roles"]?[0]?["connectionLimit"]?.intValue == Int64(budget.total))
        #expect(cluster["spec"]?["postgresql"]?["parameters"]?["max_connections"]?.stringValue == String(budget.total + 2 + 10))
        let pgbouncer = try #require(Self.object(desired, "Pooler")?["spec"]?["pgbouncer"]?["parameters"])
        #expect(pgbouncer["default_pool_size"]?.stringValue == String(budget.total))
        #expect(pgbouncer["max_client_conn"]?.stringValue == String(budget.total + 10))
        // Odoo connects to the pooler, with a login CloudNativePG can read.
        let secret = try #require(desired.secrets.first { $0.name == "demo-db" })
        #expect(secret.fixed["host"] == "demo-pg-pooler.demo.svc" && secret.type == "kubernetes.io/basic-auth")
    }

    @Test func withoutBackupsThereIsNoArchiveAndTheTenantIsTold() throws {
        let desired = try Self.planner.plan(try Self.dedicated(backup: false))
        #expect(Self.object(desired, "ObjectStore") == nil && Self.object(desired, "ScheduledBackup") == nil)
        #expect(Self.object(desired, "Cluster")?["spec"]?["plugins"] == nil)
        #expect(desired.warnings.contains { $0.contains("no point-in-time recovery") })
    }

    /// An environment whose data is on the single-pod StatefulSet keeps it: switching would start an
    /// empty Cluster. Without CloudNativePG configured, the warning says what is missing.
    @Test func aLiveStatefulSetIsKeptAndTheSingleServerIsNamed() throws {
        let environment = try Self.dedicated()
        var observation = EnvironmentObservation.offline(environment)
        observation.workloads.postgres = DeploymentView(["metadata": ["name": "demo-postgres"], "spec": ["replicas": 1]])
        let kept = try Self.planner.plan(environment, observation: observation, facts: EnvironmentFacts())
        #expect(Self.object(kept, "StatefulSet") != nil && Self.object(kept, "Cluster") == nil)
        #expect(kept.warnings.contains { $0.contains("stays on its single-pod StatefulSet") && $0.contains("OdooRestore") })
        #expect(kept.secrets.first { $0.name == "demo-db" }?.fixed["host"] == "demo-postgres.demo.svc")
        let plain = try OdooPlanner(configuration: Fixtures.configuration).plan(environment)
        #expect(Self.object(plain, "StatefulSet") != nil)
        #expect(plain.warnings.contains { $0.contains("no replica, no failover") && $0.contains("cloudNativePG") })
    }

    /// After a point-in-time restore the database runs on the recovered Cluster: its recovery
    /// bootstrap stays in the plan, the pooler and backups follow it, and the replaced Cluster is kept
    /// (not pruned) until the restore releases it.
    @Test(.enabled(if: Fixtures.hasCloudNativePGReference, "../shared/reference/cnpg-crds is not beside this clone"))
    func aRecoveredClusterKeepsItsBootstrapAndTheReplacedOneIsKept() throws {
        let recovered = RecoveredCluster(cluster: "demo-pg-1a2b3c", origin: "demo-pg", targetTime: Date(timeIntervalSince1970: 1_796_000_000), previous: "demo-pg")
        let environment = try Self.dedicated { object in
            _ = object.set(.object([GuardLabels.databaseCluster: .string(recovered.annotation)]), at: "metadata.annotations")
        }
        #expect(environment.recoveredCluster == recovered && environment.clusterName == "demo-pg-1a2b3c")
        let desired = try Self.planner.plan(environment)
        let cluster = try #require(Self.object(desired, "Cluster"))
        #expect(cluster["metadata"]?["name"] == "demo-pg-1a2b3c")
        #expect(cluster["spec"]?["bootstrap"]?["recovery"]?["recoveryTarget"]?["targetTime"]?.stringValue == Timestamp.format(recovered.targetTime))
        #expect(cluster["spec"]?["bootstrap"]?["initdb"] == nil)
        #expect(cluster["spec"]?["externalClusters"]?[0]?["plugin"]?["parameters"]?["serverName"] == "demo-pg")
        #expect(Self.object(desired, "Pooler")?["spec"]?["cluster"]?["name"] == "demo-pg-1a2b3c")
        #expect(Self.object(desired, "ScheduledBackup")?["spec"]?["cluster"]?["name"] == "demo-pg-1a2b3c")
        let validators = try Fixtures.validators("cnpg-crds")
        #expect(validators["Cluster"]?.validate(cluster).isEmpty == true, "\(validators["Cluster"]?.validate(cluster) ?? [])")
        // The decision keeps the replaced Cluster while the restore runs.
        var observation = EnvironmentObservation(object: KubeObject(Fixtures.environment()), environment: .success(environment), now: Date())
        observation.owned = [OwnedChild(ChildReference(.cnpgClusters, namespace: "demo", name: "demo-pg"), uid: "u-old"),
                             OwnedChild(ChildReference(.cnpgClusters, namespace: "demo", name: "demo-pg-old"), uid: "u-older")]
        let pruned = EnvironmentDecision(configuration: Self.configuration).decide(observation).prune.map(\.reference.name)
        #expect(!pruned.contains("demo-pg") && pruned.contains("demo-pg-old"), "\(pruned)")
    }

    struct RetentionCase: Sendable, CustomStringConvertible {
        var tier: String
        var days: Int?
        var refused: Bool
        var effective: Int
        var description: String { "\(tier) \(days.map(String.init) ?? "default")" }
    }

    @Test(arguments: [
        RetentionCase(tier: "shared", days: nil, refused: false, effective: 14),
        RetentionCase(tier: "shared", days: 35, refused: false, effective: 35),
        RetentionCase(tier: "shared", days: 36, refused: true, effective: 0),
        RetentionCase(tier: "shared", days: 6, refused: true, effective: 0),
        RetentionCase(tier: "dedicated", days: nil, refused: false, effective: 30),
        RetentionCase(tier: "dedicated", days: 365, refused: false, effective: 365),
    ])
    func retentionFollowsTheTier(_ row: RetentionCase) throws {
        let environment = try OdooEnvironment.decode(Fixtures.environment { object in
            _ = object.set(.string(row.tier), at: "spec.tier")
            var backup: JSONObject = ["schedule": "30 1 * * *"]
            if let days = row.days { backup["retentionDays"] = .int(Int64(days)) }
            _ = object.set(.object(backup), at: "spec.backup")
        })
        do {
            let desired = try Self.planner.plan(environment)
            #expect(!row.refused)
            let cronJob = try #require(desired.objects.first { $0["kind"]?.stringValue == "CronJob" && ($0["metadata"]?["name"]?.stringValue ?? "").hasSuffix("-backup") })
            let env = cronJob["spec"]?["jobTemplate"]?["spec"]?["template"]?["spec"]?["containers"]?[0]?["env"]?.arrayValue ?? []
            #expect(env.contains { $0["name"]?.stringValue == "RETENTION_DAYS" && $0["value"]?.stringValue == String(row.effective) })
            if row.tier == "dedicated" {
                #expect(Self.object(desired, "ObjectStore")?["spec"]?["retentionPolicy"]?.stringValue == "\(row.effective)d")
            }
        } catch let error as OdooPlanError {
            #expect(row.refused, "\(error)")
            #expect(error.fieldErrors.contains { $0.path.description == "spec.backup.retentionDays" && $0.message.contains("tier's default") }, "\(error.fieldErrors)")
        }
    }

    struct HealthCase: Sendable, CustomStringConvertible {
        var name: String
        var status: JSONValue?
        var ready: Bool
        var reason: String
        var says: String
        var description: String { name }
    }

    @Test(arguments: [
        HealthCase(name: "no Cluster yet", status: nil, ready: false, reason: "ClusterCreating", says: "creates Cluster demo-pg"),
        HealthCase(name: "healthy", status: ["conditions": [["type": "Ready", "status": "True"], ["type": "ContinuousArchiving", "status": "True"]],
                                             "phase": "Cluster in healthy state", "readyInstances": 3, "currentPrimary": "demo-pg-1"],
                   ready: true, reason: "ClusterReady", says: "3/3 instances ready, primary demo-pg-1"),
        HealthCase(name: "failing over", status: ["conditions": [["type": "Ready", "status": "False"]], "phase": "Failing over",
                                                  "phaseReason": "Failing over from demo-pg-1 to demo-pg-2", "readyInstances": 2],
                   ready: false, reason: "ClusterNotReady", says: "Failing over: Failing over from demo-pg-1 to demo-pg-2; 2/3"),
        HealthCase(name: "archiving fails", status: ["conditions": [["type": "Ready", "status": "True"],
                                                                    ["type": "ContinuousArchiving", "status": "False", "message": "unexpected failure invoking barman-cloud-wal-archive"]],
                                                     "readyInstances": 3],
                   ready: false, reason: "ArchivingFailed", says: "point-in-time recovery stops"),
    ])
    func databaseReadyReadsTheCluster(_ row: HealthCase) throws {
        let environment = try Self.dedicated()
        var observation = EnvironmentObservation(object: KubeObject(Fixtures.environment()), environment: .success(environment), now: Date())
        if let status = row.status {
            observation.live[ChildReference(.cnpgClusters, namespace: "demo", name: "demo-pg")] =
                ["metadata": ["name": "demo-pg"], "spec": ["instances": 3], "status": status]
        }
        let reconciliation = EnvironmentDecision(configuration: Self.configuration).decide(observation)
        let check = try #require(reconciliation.report.facts.database)
        #expect(check.ready == row.ready && check.reason == row.reason)
        #expect(check.message.contains(row.says), "\(check.message)")
        // The init Job waits for a Cluster that serves.
        #expect((reconciliation.initJob != nil) == row.ready)
    }

    @Test func aBadCloudNativePGSectionIsReportedByField() {
        let text = (try? String(contentsOf: Fixtures.cloudNativePGConfiguration, encoding: .utf8)) ?? ""
        let broken = text.replacingOccurrences(of: "  operatorNamespace: cnpg-system\n", with: "  operatorNamespace: cnpg-system\n  poolMode: transaction\n")
            .replacingOccurrences(of: "backupRetentionDays: {default: 14, minimum: 7, maximum: 35}", with: "backupRetentionDays: {default: 40, minimum: 7, maximum: 35}")
        do {
            _ = try OperatorConfiguration.decode(yaml: broken, source: "broken.yaml")
            Issue.record("accepted")
        } catch let error as OdooPlanError {
            let paths = Set(error.fieldErrors.map(\.path.description))
            #expect(paths.isSuperset(of: ["cloudNativePG.poolMode", "tiers.shared.backupRetentionDays"]), "\(paths) \(error)")
        } catch {
            Issue.record("\(error)")
        }
    }
}
