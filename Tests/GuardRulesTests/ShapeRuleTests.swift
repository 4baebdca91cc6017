import Foundation
import GuardRules
import KubeModel
import Testing

/// `object.well-formed` where a rule looks: a value of the wrong JSON type is a denial naming its path
/// (never a silently skipped rule), and a list beyond its budget stops the evaluation.
@Suite("Shapes and budgets")
struct ShapeRuleTests {
    struct Case: Sendable, CustomStringConvertible {
        let name: String
        let object: JSONValue
        /// The path the denial must name.
        let path: String
        var description: String { name }
    }

    static func deployment(_ edit: (inout JSONObject) -> Void) -> JSONValue {
        guard case .object(var spec) = Fixture.podSpec(Fixture.container()) else { return .null }
        edit(&spec)
        return Fixture.workload("Deployment", podSpec: .object(spec), replicas: 1)
    }

    static func container(_ extra: JSONObject) -> JSONValue {
        deployment { $0["containers"] = [Fixture.container(extra: extra)] }
    }

    static let cases: [Case] = [
        Case(name: "containers as an object", object: deployment { $0["containers"] = ["name": "app", "image": "evil.example.com/x:1"] },
             path: "spec.template.spec.containers"),
        Case(name: "initContainers as a string", object: deployment { $0["initContainers"] = "none" }, path: "spec.template.spec.initContainers"),
        Case(name: "a container as a string", object: deployment { $0["containers"] = ["app"] }, path: "spec.template.spec.containers[0]"),
        Case(name: "image as a number", object: container(["image": 17]), path: "spec.template.spec.containers[0].image"),
        Case(name: "env as an object", object: container(["env": ["DB_PASSWORD": "hunter2"]]), path: "spec.template.spec.containers[0].env"),
        Case(name: "env value as a number", object: container(["env": [["name": "DB_PASSWORD", "value": 123456]]]),
             path: "spec.template.spec.containers[0].env[0].value"),
        Case(name: "secretKeyRef as a string", object: container(["env": [["name": "X", "valueFrom": ["secretKeyRef": "other-db"]]]]),
             path: "spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef"),
        Case(name: "args as a string", object: container(["args": "--db_password=hunter2"]), path: "spec.template.spec.containers[0].args"),
        Case(name: "limits as a list", object: container(["resources": ["limits": ["1Gi"]]]), path: "spec.template.spec.containers[0].resources.limits"),
        Case(name: "a quantity out of range", object: container(["resources": ["requests": ["cpu": "1", "memory": "99999999999999999999Ti"], "limits": ["memory": "1Gi"]]]),
             path: "spec.template.spec.containers[0].resources.requests.memory"),
        Case(name: "volumes as an object", object: deployment { $0["volumes"] = ["secret": ["secretName": "other"]] }, path: "spec.template.spec.volumes"),
        Case(name: "secretName as a list", object: deployment { $0["volumes"] = [["name": "v", "secret": ["secretName": ["other"]]]] },
             path: "spec.template.spec.volumes[0].secret.secretName"),
        Case(name: "imagePullSecrets as a string", object: deployment { $0["imagePullSecrets"] = "regcred" }, path: "spec.template.spec.imagePullSecrets"),
        Case(name: "template spec as a string", object: ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "web", "namespace": "clinic"],
                                                          "spec": ["replicas": 1, "template": ["spec": "containers"]]], path: "spec.template.spec"),
        Case(name: "labels as a list", object: ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c", "namespace": "clinic", "labels": ["a"]]],
             path: "metadata.labels"),
        Case(name: "pod template annotations as a string", object: ["apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": "j", "namespace": "clinic"],
                                                                    "spec": ["template": ["metadata": ["annotations": "x"], "spec": Fixture.podSpec(Fixture.container())]]],
             path: "spec.template.metadata.annotations"),
        Case(name: "ConfigMap data as a list", object: ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c", "namespace": "clinic"], "data": ["odoo.conf"]],
             path: "data"),
        Case(name: "Secret stringData value as a number", object: ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "s", "namespace": "clinic"],
                                                                   "stringData": ["password": 5]], path: "stringData.password"),
        Case(name: "PDB maxUnavailable as text", object: Fixture.pdb(spec: ["maxUnavailable": "one", "unhealthyPodEvictionPolicy": "AlwaysAllow"]),
             path: "spec.maxUnavailable"),
        Case(name: "kind as a number", object: ["apiVersion": "v1", "kind": 7, "metadata": ["name": "x", "namespace": "clinic"]], path: "kind"),
    ]

    @Test("a wrong type where a rule looks is denied with its path", arguments: cases)
    func wrongTypeIsDenied(_ case_: Case) {
        let decision = Fixture.evaluate(case_.object)
        #expect(!decision.allowed, "\(case_.name) was allowed")
        let malformed = decision.violations.filter { $0.rule == .objectWellFormed }
        #expect(malformed.map(\.path.description).contains(case_.path), "\(malformed.map(\.description))")
    }

    @Test func theProbesObjectShapedContainersInProductionAreDenied() {
        // The reliability probe's case: a foreign image and a literal password hidden from every
        // container rule by sending `containers` as an object.
        let object = Self.deployment {
            $0["containers"] = ["name": "app", "image": "evil.example.com/x:latest", "env": [["name": "DB_PASSWORD", "value": "hunter2"]]]
        }
        let decision = Fixture.evaluate(object, stage: "production")
        #expect(!decision.allowed)
        #expect(decision.violations.contains { $0.rule == .objectWellFormed && $0.message.contains("must be a list, found an object") })
    }

    @Test func ungovernedObjectsAreNotJudged() {
        let object = Self.deployment { $0["containers"] = ["name": "app"] }
        #expect(Fixture.evaluate(object, stage: nil).allowed)
    }

    @Test func wellFormedObjectsHaveNoShapeFindings() {
        let decision = Fixture.evaluate(Self.deployment { _ in })
        #expect(!decision.violations.contains { $0.rule == .objectWellFormed }, "\(decision.violations)")
    }

    /// The probe's stall: thousands of init containers. Refused before any rule runs, with the count.
    @Test(arguments: [8_000, 16_000])
    func thousandsOfInitContainersAreRefusedUnread(_ count: Int) {
        let many = (0..<count).map { Fixture.container(name: "i\($0)", image: "evil.example.com/x:latest", resources: nil) }
        let object = Self.deployment { $0["initContainers"] = .array(many) }
        let decision = Fixture.evaluate(object)
        #expect(!decision.allowed)
        #expect(decision.violations.count == 1)
        #expect(decision.violations.first?.path.description == "spec.template.spec.initContainers")
        #expect(decision.violations.first?.message == "has \(count) entries; at most \(ObjectBudget.containersPerList) are accepted")
        #expect(decision.patch.isEmpty)
    }

    /// Every other budget, at 10,000 entries: refused unread, naming the list and its count.
    static let overBudget: [(String, JSONValue, String)] = [
        ("env", container(["env": .array((0..<10_000).map { ["name": .string("V\($0)"), "value": "x"] })]), "spec.template.spec.containers[0].env"),
        ("envFrom", container(["envFrom": .array((0..<10_000).map { _ in ["secretRef": ["name": "s"]] })]), "spec.template.spec.containers[0].envFrom"),
        ("args", container(["args": .array((0..<10_000).map { .string("--a\($0)") })]), "spec.template.spec.containers[0].args"),
        ("volumes", deployment { $0["volumes"] = .array((0..<10_000).map { ["name": .string("v\($0)"), "emptyDir": [:]] }) }, "spec.template.spec.volumes"),
        ("imagePullSecrets", deployment { $0["imagePullSecrets"] = .array((0..<10_000).map { _ in ["name": "r"] }) }, "spec.template.spec.imagePullSecrets"),
        ("containers", deployment { $0["containers"] = .array((0..<10_000).map { Fixture.container(name: "c\($0)") }) }, "spec.template.spec.containers"),
    ]

    @Test(arguments: 0..<overBudget.count)
    func everyBudgetRefusesTenThousandEntries(_ index: Int) {
        let (name, object, path) = Self.overBudget[index]
        let decision = Fixture.evaluate(object)
        #expect(!decision.allowed, "\(name)")
        #expect(decision.violations.map(\.path.description) == [path], "\(name): \(decision.violations)")
        #expect(decision.violations.first?.message.hasPrefix("has 10000 entries") == true, "\(name)")
    }

    /// Absurd numbers where a number is read: a float too large for any integer, a percentage past
    /// 64 bits. A field error each, never a trap.
    @Test func absurdNumbersAreFieldErrors() {
        let huge = Fixture.evaluate(Self.container(["resources": ["requests": ["cpu": .double(1e300), "memory": "1Gi"], "limits": ["memory": "1Gi"]]]))
        #expect(huge.violations.contains { $0.rule == .objectWellFormed && $0.path.description == "spec.template.spec.containers[0].resources.requests.cpu" })
        let percent = Fixture.evaluate(Fixture.pdb(spec: ["minAvailable": "99999999999999999999%", "unhealthyPodEvictionPolicy": "AlwaysAllow"]))
        #expect(percent.violations.contains { $0.rule == .objectWellFormed && $0.path.description == "spec.minAvailable" })
    }

    /// The single pass at its limits: both container lists at their budget, init containers written
    /// first, and one container's requests holding 1,000 members of absurd and wrong values. Every
    /// member is judged once, and the rules still visit `containers` before `initContainers`.
    @Test func theSinglePassAtItsLimitsKeepsOrderAndJudgesEveryQuantity() {
        let absurd: [JSONValue] = [.double(1e300), "99999999999999999999Ei", "-1", "1e99999", ["a": 1], true, "5"]
        var requests = JSONObject()
        for index in 0..<1_000 { requests["r\(index)"] = absurd[index % absurd.count] }
        let heavy = Fixture.container(name: "heavy", resources: ["requests": .object(requests), "limits": ["memory": "1Gi"]])
        let list = (0..<(ObjectBudget.containersPerList - 1)).map { Fixture.container(name: "c\($0)", resources: nil) }
        var spec = JSONObject()
        spec["initContainers"] = .array(list.map { $0 })
        spec["containers"] = .array([heavy] + list)
        spec["securityContext"] = Fixture.restrictedPodContext
        let decision = Fixture.evaluate(Fixture.workload("Deployment", podSpec: .object(spec), replicas: 1), policy: ResourceRuleTests.noInjection)
        let misshapen = decision.violations.filter { $0.path.description.hasPrefix("spec.template.spec.containers[0].resources.requests.") }
        let omitted = decision.omittedViolations[.enforce] ?? 0
        // Of the 1,000 members one in seven ("5") parses; the others are findings, listed up to the output budget.
        #expect(!misshapen.isEmpty && misshapen.count <= OutputBudget.violations)
        #expect(decision.violations.count + omitted > 3 * (2 * ObjectBudget.containersPerList - 2))
        let resourceFindings = decision.violations.filter { $0.rule == .resourcesRequestsRequired }.map(\.path.description)
        // Containers are judged before init containers, whatever the document's order.
        #expect(resourceFindings.first == "spec.template.spec.containers[0].resources.requests.cpu", "\(resourceFindings.prefix(3))")
    }

    @Test func atTheBudgetEveryContainerIsStillJudged() {
        let list = (0..<ObjectBudget.containersPerList).map { Fixture.container(name: "c\($0)", resources: nil) }
        let decision = Fixture.evaluate(Self.deployment { $0["containers"] = .array(list) }, policy: ResourceRuleTests.noInjection)
        // Every container lacks requests and limits: three findings each, none merged away; the answer
        // lists the output budget's share of them and counts the rest.
        #expect(decision.violations.count <= OutputBudget.violations)
        #expect(decision.violations.count + (decision.omittedViolations[.enforce] ?? 0) == 3 * ObjectBudget.containersPerList)
    }
}
