import Foundation
import GuardCheck
import GuardRules
import KubeModel
import OdooPlan
import TestSupport
import Testing

/// Node pools in the operator's plan: every pod on its role's pool for its tier and stage, production
/// web spread over zones as the policy says, the result valid Kubernetes and admitted by the same
/// policy's `placement.node-pool`.
@Suite("Node pools in the plan")
struct PlacementPlanTests {
    static let policyPath = Fixtures.examples.appendingPathComponent("policies/node-pools.yaml").path
    static let policy: GuardPolicy = {
        do { return try CheckCommand.loadPolicy(policyPath) } catch { preconditionFailure("\(error)") }
    }()

    static func render(_ file: String, configuration: String? = nil) -> RenderCommand.Outcome {
        var options = RenderCommand.Options(inputs: [Fixtures.environments.appendingPathComponent(file).path], configurationPath: configuration)
        options.policyPath = policyPath
        options.now = Timestamp.parse("2026-12-07T07:00:00Z")
        return RenderCommand.run(options)
    }

    static func objects(_ outcome: RenderCommand.Outcome) -> [JSONValue] {
        ManifestReader.read(outcome.standardOutput).compactMap { try? $0.result.get() }
    }

    /// The pool each pod-carrying object's pods run on, by `kind/name`.
    static func pools(_ objects: [JSONValue]) -> [String: String] {
        var result: [String: String] = [:]
        for object in objects {
            let view = KubeObject(object)
            let spec = view.kind == "Cluster" ? object["spec"]?["affinity"]
                : view.kind == "Pooler" ? object["spec"]?["template"]?["spec"]
                : PodTemplate.specPath(forKind: view.kind).flatMap { path in
                    path.components.reduce(Optional(object)) { value, component in
                        if case .key(let key) = component { return value?[key] }
                        return nil
                    }
                }
            guard let spec else { continue }
            result["\(view.kind)/\(view.name)"] = spec["nodeSelector"]?["odooguard.io/pool"]?.stringValue ?? "-"
        }
        return result
    }

    @Test func productionOnTheProductionPoolsWithAStrictZoneSpread() throws {
        let outcome = Self.render("clinic-production.yaml")
        #expect(outcome.exitCode == 0, "\(outcome.standardError)")
        let objects = Self.objects(outcome)
        let pools = Self.pools(objects)
        #expect(pools["Deployment/clinic-web"] == "odoo-production" && pools["Deployment/clinic-cron"] == "odoo-production", "\(pools)")
        #expect(pools["StatefulSet/clinic-postgres"] == "stateful" && pools["Deployment/clinic-redis"] == "stateful", "\(pools)")
        #expect(pools.filter { $0.key.hasPrefix("Job/") || $0.key.hasPrefix("CronJob/") }.values.allSatisfy { $0 == "batch" })
        #expect(pools.keys.contains { $0.hasPrefix("Job/clinic-init-") } && pools.keys.contains { $0.hasPrefix("CronJob/") })
        let web = try #require(objects.first { KubeObject($0).kind == "Deployment" && KubeObject($0).name == "clinic-web" })
        let podSpec = web["spec"]?["template"]?["spec"]
        #expect(podSpec?["tolerations"] == [["effect": "NoSchedule", "key": "odooguard.io/pool", "operator": "Equal", "value": "odoo-production"]])
        let zone = podSpec?["topologySpreadConstraints"]?.arrayValue?.first { $0["topologyKey"] == "topology.kubernetes.io/zone" }
        #expect(zone?["whenUnsatisfiable"] == "DoNotSchedule")
    }

    @Test func aSharedDevelopmentEnvironmentOnTheSharedPool() throws {
        let objects = Self.objects(Self.render("pharmacy-development.yaml"))
        let pools = Self.pools(objects)
        #expect(pools["Deployment/pharmacy-web"] == "odoo-shared" && pools["Deployment/pharmacy-cron"] == "odoo-shared", "\(pools)")
        let web = try #require(objects.first { KubeObject($0).kind == "Deployment" && KubeObject($0).name == "pharmacy-web" })
        #expect(web["spec"]?["template"]?["spec"]?["tolerations"] == nil, "the shared pool has no taint to tolerate")
        let zone = web["spec"]?["template"]?["spec"]?["topologySpreadConstraints"]?.arrayValue?.first { $0["topologyKey"] == "topology.kubernetes.io/zone" }
        #expect(zone?["whenUnsatisfiable"] == "ScheduleAnyway")
    }

    /// The placed plans are valid Kubernetes, and the policy that placed them admits them.
    @Test(arguments: ["clinic-production.yaml", "pharmacy-development.yaml"])
    func placedPlansAreValidAndAdmitted(_ file: String) throws {
        let outcome = Self.render(file)
        let checked = CheckCommand.run(CheckCommand.Options(paths: ["-"], policyPath: Self.policyPath, denyMutations: true), standardInput: { outcome.standardOutput })
        #expect(checked.exitCode == 0, "\(checked.standardOutput.split(separator: "\n").filter { $0.hasPrefix("DENY") })")
        let core = Self.objects(outcome).filter { !($0["apiVersion"]?.stringValue ?? "").hasPrefix("traefik.io/") }
        let failures = try Fixtures.kubernetesValidate(core)
        #expect(failures.isEmpty, "\(failures)")
    }

    /// On CloudNativePG the Cluster's pods go to the stateful pool through `spec.affinity`, the Pooler's
    /// through its pod template; both match the upstream schemas.
    @Test(.enabled(if: Fixtures.hasCloudNativePGReference, "../shared/reference/cnpg-crds is not beside this clone"))
    func cloudNativePGOnTheStatefulPool() throws {
        let environment = try CloudNativePGPlanTests.dedicated(stage: "production")
        let desired = try CloudNativePGPlanTests.planner.plan(environment, placement: Self.policy.placement)
        let validators = try Fixtures.validators("cnpg-crds")
        let pools = Self.pools(desired.objects)
        for kind in ["Cluster", "Pooler"] {
            let object = try #require(desired.objects.first { $0["kind"]?.stringValue == kind })
            #expect(pools["\(kind)/\(KubeObject(object).name)"] == "stateful", "\(pools)")
            let validator = try #require(validators[kind])
            #expect(validator.validate(object).isEmpty, "\(kind): \(validator.validate(object))")
        }
        #expect(object(desired, "Cluster")?["spec"]?["affinity"]?["tolerations"]?[0]?["value"] == "stateful")
    }

    func object(_ desired: DesiredState, _ kind: String) -> JSONValue? { desired.objects.first { $0["kind"]?.stringValue == kind } }
}
