import Testing
import GuardRules
import KubeModel

@Suite("Resource rules and default injection")
struct ResourceRuleTests {
    static let noInjection: GuardPolicy = (try? Fixture.policy("""
      resources: {injectDefaults: false, requireRequests: [cpu, memory], requireLimits: [memory]}
      stages: {production: {allowedRegistries: ["*"]}}
      tiers: {shared: {maximum: {cpu: "2", memory: 4Gi}}}
    """)) ?? .empty

    struct Case: Sendable, CustomStringConvertible {
        let name: String
        let resources: JSONValue?
        let rules: [String]
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "complete", resources: Fixture.goodResources, rules: []),
        Case(name: "none", resources: nil, rules: ["resources.limits-required", "resources.requests-required", "resources.requests-required"]),
        Case(name: "limits only count as requests", resources: ["limits": ["cpu": "1", "memory": "1Gi"]], rules: []),
        Case(name: "no memory limit", resources: ["requests": ["cpu": "1", "memory": "1Gi"]], rules: ["resources.limits-required"]),
        Case(name: "above maximum", resources: ["requests": ["cpu": "3", "memory": "1Gi"], "limits": ["cpu": "4", "memory": "5Gi"]],
             rules: ["resources.maximum", "resources.maximum", "resources.maximum"]),
        Case(name: "at maximum", resources: ["requests": ["cpu": "2000m", "memory": "4096Mi"], "limits": ["memory": "4Gi"]], rules: []),
        Case(name: "unparseable quantity", resources: ["requests": ["cpu": "two", "memory": "1Gi"], "limits": ["memory": "1Gi"]],
             rules: ["object.well-formed", "resources.requests-required"]),
        Case(name: "wrong type", resources: ["requests": "lots", "limits": ["memory": "1Gi"]],
             rules: ["object.well-formed", "resources.requests-required"]),
    ]

    static let matrix: [(Case, String, PodTemplate.ContainerKind)] = cases.flatMap { c in
        Fixture.podTemplateKinds.flatMap { kind in [PodTemplate.ContainerKind.container, .initContainer].map { (c, kind, $0) } }
    }

    @Test("every kind, regular and init containers", arguments: 0..<matrix.count)
    func resources(_ index: Int) {
        let (case_, kind, list) = Self.matrix[index]
        let object = Fixture.workload(kind, podSpec: Fixture.podSpec(Fixture.container(resources: case_.resources), in: list))
        let decision = Fixture.evaluate(object, tier: "shared", policy: Self.noInjection)
        #expect(decision.rules == case_.rules, "\(case_) \(kind) \(list)")
        #expect(decision.violations.allSatisfy { $0.path.description.contains("\(list.rawValue)[0].resources") }, "\(decision.violations)")
        #expect(decision.patch.isEmpty)
    }

    @Test("ephemeral containers carry no resources and are not asked for them", arguments: Fixture.podTemplateKinds)
    func ephemeral(_ kind: String) {
        let object = Fixture.workload(kind, podSpec: Fixture.podSpec(Fixture.container(resources: nil), in: .ephemeralContainer))
        #expect(Fixture.evaluate(object, tier: "shared", policy: Self.noInjection).rules.isEmpty)
        #expect(Fixture.evaluate(object, tier: "shared").patch.isEmpty)
    }

    @Test("defaults are injected where missing, in every kind", arguments: Fixture.podTemplateKinds)
    func injection(_ kind: String) throws {
        let object = Fixture.workload(kind, podSpec: Fixture.podSpec(Fixture.container(resources: ["requests": ["cpu": "1"]]), in: .initContainer))
        let decision = Fixture.evaluate(object, tier: "shared")
        #expect(decision.violations.isEmpty, "\(decision.violations)")
        let mutated = try #require(decision.mutatedObject)
        #expect(try decision.patch.apply(to: object) == mutated)
        let path = try #require(PodTemplate.specPath(forKind: kind))
        let resources = mutated[path: path / "initContainers" / 0 / "resources"]
        #expect(resources?["requests"] == ["cpu": "1", "memory": "512Mi"])
        #expect(resources?["limits"] == ["memory": "2Gi"])
        #expect(mutated[path: path / "containers" / 0 / "resources"] == Fixture.goodResources)
        #expect(decision.auditAnnotations["mutations"] == "resources.defaults")
    }

    @Test func injectionNeverProducesARequestAboveALimit() throws {
        let object = Fixture.workload("Deployment", podSpec: Fixture.podSpec(Fixture.container(resources: ["limits": ["cpu": "100m"], "requests": ["memory": "3Gi"]])))
        let decision = Fixture.evaluate(object, tier: "shared")
        #expect(decision.mutatedObject == nil, "no default fits, so nothing is injected")
        let resources = try #require(object[path: "spec.template.spec.containers"]?[0]?["resources"])
        #expect(resources["requests"]?["cpu"] == nil)  // 250m default would exceed the 100m limit
        #expect(resources["limits"]?["memory"] == nil)  // 2Gi default is below the 3Gi request
        #expect(decision.rules == ["resources.limits-required"])
        #expect(decision.violations.first?.message.contains("below the request") == true)
    }

    @Test func unknownFieldsSurviveTheMutation() throws {
        var object = Fixture.workload("Deployment", podSpec: Fixture.podSpec(Fixture.container(resources: nil, extra: ["x-vendor-field": ["keep": [1, 2.5, "three"]]])))
        object.set(["future": true], at: "spec.someFutureField")
        let decision = Fixture.evaluate(object, tier: "shared")
        let mutated = try #require(decision.mutatedObject)
        #expect(mutated["spec"]?["someFutureField"] == ["future": true])
        #expect(mutated[path: "spec.template.spec.containers"]?[0]?["x-vendor-field"] == ["keep": [1, 2.5, "three"]])
        #expect(decision.patch.operations.allSatisfy { $0.name == "add" })
    }
}
