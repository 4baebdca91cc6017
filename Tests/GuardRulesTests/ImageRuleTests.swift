import Testing
import GuardRules
import KubeModel

@Suite("Image rules")
struct ImageRuleTests {
    struct Case: Sendable, CustomStringConvertible {
        let image: String
        let stage: String
        let rules: [String]
        var description: String { "\(image) in \(stage)" }
    }

    static let images: [Case] = [
        Case(image: Fixture.pinned, stage: "production", rules: []),
        Case(image: "registry.example.com/odoo/odoo:17.0", stage: "production", rules: ["image.digest-pinned"]),
        Case(image: "registry.example.com/odoo/odoo:latest", stage: "production", rules: ["image.digest-pinned", "image.no-latest"]),
        Case(image: "registry.example.com/odoo/odoo", stage: "production", rules: ["image.digest-pinned", "image.no-latest"]),
        Case(image: "odoo:17.0@sha256:" + String(repeating: "cd", count: 32), stage: "production", rules: []),
        Case(image: "docker.io/bitnami/odoo:17@sha256:" + String(repeating: "cd", count: 32), stage: "production", rules: ["image.registry-allowed"]),
        Case(image: "evil.example.com/odoo:17", stage: "staging", rules: ["image.registry-allowed"]),
        Case(image: "registry.example.com.evil.io/odoo:17", stage: "staging", rules: ["image.registry-allowed"]),
        Case(image: "registry.example.com/odoo/odoo:17.0", stage: "staging", rules: []),
        Case(image: "anything.io/x:latest", stage: "development", rules: ["image.no-latest"]),
        Case(image: "anything.io/x:1.2", stage: "development", rules: []),
        Case(image: "Not A Reference", stage: "development", rules: ["image.registry-allowed"]),
    ]

    /// Every image case in every pod-template kind and every container kind.
    static let matrix: [(Case, String, PodTemplate.ContainerKind)] = images.flatMap { image in
        Fixture.podTemplateKinds.flatMap { kind in PodTemplate.ContainerKind.allCases.map { (image, kind, $0) } }
    }

    @Test("every kind and container kind", arguments: 0..<matrix.count)
    func imageRules(_ index: Int) {
        let (case_, kind, list) = Self.matrix[index]
        let resources: JSONValue? = list == .ephemeralContainer ? nil : Fixture.goodResources
        let object = Fixture.workload(kind, podSpec: Fixture.podSpec(Fixture.container(image: case_.image, resources: resources), in: list))
        let decision = Fixture.evaluate(object, stage: case_.stage)
        let imageRules = decision.violations.filter { $0.rule.rawValue.hasPrefix("image.") }
        #expect(imageRules.map(\.rule.rawValue).sorted() == case_.rules, "\(case_) \(kind) \(list)")
        for violation in imageRules {
            #expect(violation.path.description.hasSuffix("\(list.rawValue)[0].image"), "\(violation.path)")
        }
        if case_.stage == "development" {
            #expect(decision.allowed == !case_.rules.contains("image.registry-allowed"))
        }
    }

    @Test func modesFollowTheStage() {
        let object = Fixture.workload("Deployment", podSpec: Fixture.podSpec(Fixture.container(image: "anything.io/x:latest")))
        let development = Fixture.evaluate(object, stage: "development")
        #expect(development.allowed)
        #expect(development.violations.map(\.mode) == [.warn])
        #expect(development.warnings.contains { $0.contains("image.no-latest") })
        #expect(development.auditAnnotations["rules-warned"] == "image.no-latest")
        let production = Fixture.evaluate(object, stage: "production")
        #expect(!production.allowed)
        #expect(production.auditAnnotations["decision"] == "denied")
    }

    @Test func ungovernedNamespacesAreNotChecked() {
        let object = Fixture.workload("Deployment", podSpec: Fixture.podSpec(Fixture.container(image: "x:latest", resources: nil)))
        let decision = Fixture.evaluate(object, stage: nil)
        #expect(decision.violations.isEmpty)
        #expect(decision.patch.isEmpty)
    }

    @Test func unknownStageLabelsFailClosed() {
        let object = Fixture.workload("Deployment", podSpec: Fixture.podSpec(Fixture.container(image: "registry.example.com/odoo/odoo:17.0")))
        let decision = Fixture.evaluate(object, stage: "prod")
        #expect(decision.rules == ["image.digest-pinned"])
        #expect(decision.warnings.contains { $0.contains("checked as production") })
    }

    @Test func odooEnvironmentImagesUseTheirOwnStage() {
        let environment: JSONValue = ["apiVersion": "odooguard.io/v1alpha1", "kind": "OdooEnvironment",
                                      "metadata": ["name": "clinic", "namespace": "clinic"],
                                      "spec": ["stage": "production", "tier": "dedicated", "image": "odoo:latest"]]
        let decision = Fixture.evaluate(environment, stage: "development")
        #expect(decision.rules == ["image.digest-pinned", "image.no-latest"])
        #expect(decision.violations.allSatisfy { $0.path.description == "spec.image" && $0.mode == .enforce })
    }

    @Test func addonImagesAreJudgedLikeTheOdooImage() {
        let environment: JSONValue = ["apiVersion": "odooguard.io/v1alpha1", "kind": "OdooEnvironment",
                                      "metadata": ["name": "clinic", "namespace": "clinic"],
                                      "spec": ["stage": "production", "tier": "dedicated",
                                               "image": .string("registry.example.com/odoo/odoo:17.0@sha256:" + String(repeating: "a", count: 64)),
                                               "addons": [["image": .string("registry.example.com/odoo/addons:1@sha256:" + String(repeating: "b", count: 64))],
                                                          ["image": "quay.io/someone/addons:latest"]]]]
        // (Promotion evidence, image.promoted, is PromotionRuleTests' subject.)
        let decision = Fixture.evaluate(environment, stage: "production")
        let imageRules = decision.violations.filter { $0.rule != .imagePromoted }
        #expect(imageRules.map(\.rule.rawValue).sorted() == ["image.digest-pinned", "image.no-latest", "image.registry-allowed"], "\(decision.rules)")
        #expect(imageRules.allSatisfy { $0.path.description == "spec.addons[1].image" }, "\(imageRules.map(\.path))")
    }
}
