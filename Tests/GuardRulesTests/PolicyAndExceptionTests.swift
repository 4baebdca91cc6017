import Foundation
import Testing
import GuardRules
import KubeModel
import TestSupport

@Suite("Policy, exemptions and exceptions")
struct PolicyAndExceptionTests {
    @Test func theEmbeddedDefaultParsesAndMatchesTheExampleFile() throws {
        let policy = try GuardPolicy.builtIn()
        #expect(policy.name == "default")
        #expect(policy.stage(.production).requireDigest)
        #expect(!policy.stage(.development).requireDigest)
        #expect(policy.mode(of: .imageNoLatest, stage: .development) == .warn)
        #expect(policy.mode(of: .imageNoLatest, stage: .production) == .enforce)
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let file = try String(contentsOf: root.appendingPathComponent("examples/policies/default.yaml"), encoding: .utf8)
        #expect(file == GuardPolicy.builtInDefaultText, "examples/policies/default.yaml must stay identical to the embedded policy")
    }

    @Test func anInvalidPolicyReportsEveryProblemWithItsPath() {
        let text = """
        apiVersion: odooguard.io/v1alpha1
        kind: GuardPolicy
        metadata: {name: broken}
        spec:
          defaultMode: block
          rules: {image.no-latest: warn, image.nope: enforce}
          stages:
            prod: {}
            production: {requireDigest: "yes please", modes: {pdb.required: sometimes}}
          tiers:
            shared: {defaultRequests: {cpu: lots}, maximum: {memory: 1Gi}, defaultLimits: {memory: 2Gi}}
          pdb: {minReplicas: 1}
          exemptions:
            - reason: everything
          surprise: true
        """
        do {
            _ = try GuardPolicy(text: text)
            Issue.record("invalid policy accepted")
        } catch {
            #expect(error == .invalidPolicy)
            let paths = Set(error.fieldErrors.map(\.path.description))
            for expected in ["spec.defaultMode", "spec.rules[image.nope]", "spec.stages.prod", "spec.stages.production.requireDigest",
                             "spec.stages.production.modes[pdb.required]", "spec.tiers.shared.defaultRequests.cpu",
                             "spec.tiers.shared.maximum.memory", "spec.pdb.minReplicas", "spec.exemptions[0]", "spec.surprise"] {
                #expect(paths.contains(expected), "missing \(expected) in \(paths.sorted())")
            }
        }
        #expect(throws: GuardRulesError.self) { try GuardPolicy(text: "spec: [unclosed") }
    }

    @Test func aGuardPolicyObjectIsValidatedAtAdmission() throws {
        let bad = try ManifestReader.parseSingle(yaml: "apiVersion: odooguard.io/v1alpha1\nkind: GuardPolicy\nmetadata: {name: p}\nspec: {defaultMode: nope}")
        let decision = Fixture.evaluate(bad, stage: nil)
        #expect(decision.rules == ["policy.valid"])
        #expect(decision.violations.first?.path.description == "spec.defaultMode")
        let good = try ManifestReader.parseSingle(yaml: GuardPolicy.builtInDefaultText)
        #expect(Fixture.evaluate(good, stage: nil).violations.isEmpty)
    }

    @Test func systemNamespacesAreExempt() {
        let object = Fixture.workload("Deployment", podSpec: Fixture.podSpec(Fixture.container(image: "x:latest")), namespace: "kube-system")
        let decision = Fixture.evaluate(object)
        #expect(decision.violations.isEmpty)
        #expect(!decision.exempted.isEmpty)
        #expect(decision.exempted.allSatisfy { $0.by.contains("policy exemption 0") })
        #expect(decision.auditAnnotations["rules-exempted"]?.contains("image.no-latest") == true)
    }

    @Test func userAndSelectorExemptions() throws {
        let policy = try Fixture.policy("""
          stages: {production: {allowedRegistries: ["*"]}}
          exemptions:
            - users: ["system:serviceaccount:odoo-guard:*"]
              rules: [image.no-latest]
              reason: the operator pins images itself
            - objectSelector: {matchLabels: {legacy: "true"}}
              rules: [pdb.required]
              reason: legacy
        """)
        let object = Fixture.workload("Deployment", podSpec: Fixture.podSpec(Fixture.container(image: "x:latest")), replicas: 3, labels: ["legacy": "true"])
        #expect(Fixture.evaluate(object, policy: policy, user: "alice").rules == ["image.no-latest"])
        #expect(Fixture.evaluate(object, policy: policy, user: "system:serviceaccount:odoo-guard:operator").rules.isEmpty)
    }

    static func exception(rules: [JSONValue] = ["pdb.required"], target: String = "web", expiresAt: String = "2026-12-01T00:00:00Z",
                          approver: String = "bob") -> JSONValue {
        ["apiVersion": "odooguard.io/v1alpha1", "kind": "GuardException", "metadata": ["name": "legacy", "namespace": "clinic"],
         "spec": ["rules": .array(rules), "targets": [["kind": "Deployment", "name": .string(target)]], "approver": .string(approver),
                  "reason": "migration in progress", "expiresAt": .string(expiresAt)]]
    }

    static let unprotected = Fixture.workload("Deployment", podSpec: Fixture.podSpec(Fixture.container()), replicas: 3)

    @Test func anActiveExceptionWaivesItsRules() {
        let decision = Fixture.evaluate(Self.unprotected, peers: [Self.exception()])
        #expect(decision.allowed)
        #expect(decision.violations.isEmpty)
        #expect(decision.exempted.first?.by.contains("GuardException clinic/legacy") == true)
    }

    @Test func anExpiredExceptionStopsApplyingByItself() throws {
        let later = try #require(Timestamp.parse("2026-12-01T00:00:01Z"))
        let decision = Fixture.evaluate(Self.unprotected, peers: [Self.exception()], now: later)
        #expect(!decision.allowed)
        #expect(decision.rules == ["pdb.required"])
        #expect(decision.warnings.contains { $0.contains("expired at 2026-12-01T00:00:00Z") })
    }

    @Test func exceptionsCoverOnlyTheirTargetsAndRules() {
        #expect(Fixture.evaluate(Self.unprotected, peers: [Self.exception(target: "other")]).rules == ["pdb.required"])
        #expect(Fixture.evaluate(Self.unprotected, peers: [Self.exception(target: "w*")]).rules.isEmpty)
        #expect(Fixture.evaluate(Self.unprotected, peers: [Self.exception(rules: ["image.no-latest"])]).rules == ["pdb.required"])
    }

    struct ExceptionCase: Sendable, CustomStringConvertible {
        let description: String
        let exception: JSONValue
        let paths: [String]
    }

    static let exceptionCases: [ExceptionCase] = [
        ExceptionCase(description: "valid", exception: exception(), paths: []),
        ExceptionCase(description: "in the past", exception: exception(expiresAt: "2026-11-01T00:00:00Z"), paths: ["spec.expiresAt"]),
        ExceptionCase(description: "too long", exception: exception(expiresAt: "2027-06-01T00:00:00Z"), paths: ["spec.expiresAt"]),
        ExceptionCase(description: "not a time", exception: exception(expiresAt: "next week"), paths: ["spec.expiresAt"]),
        ExceptionCase(description: "self-approved", exception: exception(approver: "alice"), paths: ["spec.approver"]),
        ExceptionCase(description: "unknown and non-exemptible rules", exception: exception(rules: ["nope", "secrets.foreign-secret"]), paths: ["spec.rules[0]", "spec.rules[1]"]),
        ExceptionCase(description: "empty", exception: ["apiVersion": "odooguard.io/v1alpha1", "kind": "GuardException", "metadata": ["name": "e", "namespace": "clinic"], "spec": [:]],
                      paths: ["spec.approver", "spec.expiresAt", "spec.reason", "spec.rules", "spec.targets"]),
    ]

    @Test("GuardExceptions are validated at admission", arguments: exceptionCases)
    func exceptionValidation(_ case_: ExceptionCase) {
        let decision = Fixture.evaluate(case_.exception, user: "alice")
        #expect(decision.violations.map(\.path.description).sorted() == case_.paths)
        #expect(decision.violations.allSatisfy { $0.rule == .exceptionValid })
    }

    @Test func operationsAndSubresources() {
        let object = Fixture.workload("Deployment", podSpec: Fixture.podSpec(Fixture.container(image: "x:latest")))
        #expect(Fixture.evaluate(object, operation: .delete).violations.isEmpty)
        #expect(Fixture.evaluate(object, subResource: "status").auditAnnotations["skipped"] != nil)
        #expect(!Fixture.evaluate(object, operation: .update, oldObject: object).allowed)
        let malformed = Fixture.evaluate(["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "x", "namespace": "clinic"],
                                          "spec": ["replicas": "two", "template": ["spec": ["securityContext": Fixture.restrictedPodContext,
                                                                                              "containers": [Fixture.container()]]]]])
        #expect(malformed.rules == ["object.well-formed"])
        #expect(!malformed.allowed)
        #expect(!Fixture.evaluate(.array([])).allowed)
    }

    @Test func auditModeRecordsWithoutDenyingOrMutating() throws {
        let policy = try Fixture.policy("""
          rules: {image.no-latest: audit, resources.defaults: audit}
          stages: {production: {allowedRegistries: ["*"]}}
          tiers: {shared: {defaultRequests: {cpu: 100m}}}
        """)
        let object = Fixture.workload("Deployment", podSpec: Fixture.podSpec(Fixture.container(image: "x:latest", resources: ["limits": ["cpu": "1", "memory": "1Gi"]])))
        let decision = Fixture.evaluate(object, tier: "shared", policy: policy)
        #expect(decision.allowed)
        #expect(decision.audited.map(\.rule) == [.imageNoLatest])
        #expect(decision.patch.isEmpty)
        #expect(decision.auditAnnotations["rules-audited"] == "image.no-latest")
    }

    @Test("every mutation patch applies identically with Python's jsonpatch")
    func mutationsAgreeWithAnIndependentImplementation() throws {
        var triples: [PatchTriple] = []
        for kind in Fixture.podTemplateKinds {
            for list in [PodTemplate.ContainerKind.container, .initContainer] {
                for resources in [nil, ["requests": ["cpu": "1"]], ["limits": ["memory": "1Gi"]]] as [JSONValue?] {
                    var spec = Fixture.podSpec(Fixture.container(resources: resources, env: [["name": "A", "value": "b"]]), in: list)
                    spec.set([Fixture.container(name: "debug", resources: nil)], at: "ephemeralContainers")
                    let object = Fixture.workload(kind, podSpec: spec, labels: [GuardLabels.environment: "clinic", "path/with~tilde": "x"],
                                                  annotations: [GuardLabels.inject: "db,redis,admin"])
                    let decision = Fixture.evaluate(object, tier: "shared")
                    let mutated = try #require(decision.mutatedObject)
                    triples.append(PatchTriple(document: object, patch: decision.patch, expected: mutated))
                }
            }
        }
        let report = try PythonJSONPatch.check(triples)
        #expect(report.checked == triples.count)
        #expect(triples.count == 42)
        #expect(report.failures.isEmpty, "\(report.failures.prefix(3))")
    }
}

/// `spec.dataMasking`: the defaults, a clinic's own columns, and every bad entry named by its path.
@Suite("Data masking policy")
struct DataMaskingPolicyTests {
    static func policy(_ masking: String) throws(GuardRulesError) -> GuardPolicy {
        try GuardPolicy(text: "apiVersion: odooguard.io/v1alpha1\nkind: GuardPolicy\nmetadata: {name: p}\nspec:\n  dataMasking: \(masking)\n")
    }

    @Test func theDefaultsCoverOdoosContactDataAndAClinicAddsItsOwn() throws {
        let plain = try GuardPolicy.builtIn().dataMasking
        #expect(plain.enabled && plain.columns == DataMaskingPolicy.defaultColumns)
        #expect(Set(plain.columns.map(\.column)).isSuperset(of: ["name", "email", "phone", "mobile", "street", "vat"]))
        let clinic = try Self.policy("{columns: [{table: res_partner, column: x_patient_number, kind: identifier}, {table: res_partner, column: email, kind: text}]}").dataMasking
        #expect(clinic.columns.count == DataMaskingPolicy.defaultColumns.count + 1)
        #expect(clinic.columns.last == .init("res_partner", "email", .text), "a configured column replaces the default of the same name")
        #expect(clinic.columns.contains(.init("res_partner", "x_patient_number", .identifier)))
        let only = try Self.policy("{replaceDefaults: true, columns: [{table: patient, column: mrn, kind: identifier}]}").dataMasking
        #expect(only.columns == [.init("patient", "mrn", .identifier)])
        #expect(try Self.policy("{enabled: false, replaceDefaults: true}").dataMasking.enabled == false)
    }

    @Test("bad entries are refused by path", arguments: [
        ("{columns: [{table: \"res_partner; DROP TABLE res_users\", column: name, kind: name}]}", "spec.dataMasking.columns[0].table"),
        ("{columns: [{table: res_partner, column: Name, kind: name}]}", "spec.dataMasking.columns[0].column"),
        ("{columns: [{table: res_partner, column: name, kind: scramble}]}", "spec.dataMasking.columns[0].kind"),
        ("{columns: [{table: res_partner, kind: name}]}", "spec.dataMasking.columns[0].column"),
        ("{columns: [{table: res_partner, column: name, kind: name, salt: x}]}", "spec.dataMasking.columns[0].salt"),
        ("{columns: {table: res_partner}}", "spec.dataMasking.columns"),
        ("{replaceDefaults: true}", "spec.dataMasking.columns"),
        ("{enabled: sometimes}", "spec.dataMasking.enabled"),
        ("{columns: [{table: \(String(repeating: "a", count: 64)), column: name, kind: name}]}", "spec.dataMasking.columns[0].table"),
        ("{columns: [\(Array(repeating: "{table: t, column: c, kind: name}", count: 1_001).joined(separator: ", "))]}", "spec.dataMasking.columns"),
        ("{columns: [{table: 7, column: [c], kind: {k: 1}}]}", "spec.dataMasking.columns[0].kind"),
    ])
    func badEntries(_ masking: String, _ path: String) {
        do {
            _ = try Self.policy(masking)
            Issue.record("accepted \(masking)")
        } catch {
            #expect(error.fieldErrors.map(\.path.description).contains(path), "\(masking): \(error.fieldErrors.map(\.description))")
        }
    }
}
