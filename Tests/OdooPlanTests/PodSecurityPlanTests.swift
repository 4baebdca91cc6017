import Foundation
import GuardCheck
import GuardRules
import KubeModel
import OdooPlan
import Testing

/// Every pod the operator plans passes the restricted Pod Security level, whatever the stage: the
/// rendered examples (web, cron, init Job, backup and restore-check CronJobs, PostgreSQL, Redis) and
/// the Jobs the change gate starts (upgrade, on-demand backup, init).
@Suite("Pod Security of planned pods")
struct PodSecurityPlanTests {
    /// The `podsecurity.*` findings for `object` in a namespace that enforces restricted.
    static func restrictedFindings(_ object: JSONValue) throws -> [Violation] {
        let view = KubeObject(object)
        let labels = [GuardLabels.stage: "production", GuardLabels.podSecurityEnforce: PodSecurityLevel.restricted.rawValue]
        let request = AdmissionRequest(uid: "plan", kind: view.gvk, resource: ResourceType.of(view.gvk).gvr, name: view.name,
                                       namespace: view.namespace, operation: .create, object: object)
        let context = EvaluationContext(namespace: NamespaceContext(name: view.namespace ?? "x", labels: labels), now: Date())
        return GuardEvaluator(policy: try GuardPolicy.builtIn()).evaluate(request, context: context).violations.filter(\.rule.isPodSecurity)
    }

    @Test func everyRenderedPodIsRestricted() throws {
        let outcome = RenderCommand.run(RenderCommand.Options(inputs: [Fixtures.environments.path]))
        #expect(outcome.exitCode == 0)
        var pods = 0
        for document in ManifestReader.read(outcome.standardOutput) {
            let object = try document.result.get()
            guard KubeObject(object).podTemplate != nil else { continue }
            pods += 1
            let findings = try Self.restrictedFindings(object)
            #expect(findings.isEmpty, "\(KubeObject(object).reference): \(findings)")
        }
        #expect(pods >= 10, "web, cron, init, backups and servers of both examples")
    }

    @Test("the Jobs the change gate starts are restricted", arguments: [ChangeGate.JobKind.upgrade, .backup, .initialize])
    func gateJobs(_ kind: ChangeGate.JobKind) throws {
        let environment = try OdooEnvironment.decode(Fixtures.environment())
        let planner = OdooPlanner(configuration: try OperatorConfiguration.builtIn())
        let addon = OdooEnvironment.Addon(image: "registry.example.com/odoo/addons:1.0", path: "/addons")
        let job = try planner.job(kind, name: "clinic-\(kind.rawValue)", environment: environment, image: "registry.example.com/odoo/odoo:17.0",
                                  addons: [addon])
        let findings = try Self.restrictedFindings(job)
        #expect(findings.isEmpty, "\(findings)")
    }

    @Test func theNamespaceCarriesThePolicysPodSecurityLabels() throws {
        let environment = try OdooEnvironment.decode(Fixtures.environment())
        let planner = OdooPlanner(configuration: try OperatorConfiguration.builtIn())
        var settings = PodSecuritySettings()
        settings.levels[.production] = .baseline
        let desired = try planner.plan(environment, podSecurity: settings)
        let namespace = try #require(desired.objects.first { KubeObject($0).kind == "Namespace" })
        let labels = KubeObject(namespace).labels
        #expect(labels[GuardLabels.podSecurityEnforce] == (environment.stage.rawValue == "production" ? "baseline" : settings.level(forStage: environment.stage).rawValue))
        #expect(labels[GuardLabels.podSecurityWarn] == "restricted")
        #expect(labels[GuardLabels.podSecurityAuditVersion] == "v1.32")
        #expect(labels[GuardLabels.stage] == environment.stage.rawValue)
    }
}
