import Testing
import GuardRules
import KubeModel

@Suite("Secret rules and credential injection")
struct SecretRuleTests {
    struct EnvCase: Sendable, CustomStringConvertible {
        let name: String
        let value: String
        let fires: Bool
        var description: String { "\(name)" }
    }

    static let env: [EnvCase] = [
        EnvCase(name: "PASSWORD", value: "s3cret", fires: true),
        EnvCase(name: "db_passwd", value: "x", fires: true),
        EnvCase(name: "STRIPE_API_KEY", value: "sk_live_x", fires: true),
        EnvCase(name: "GITHUB_TOKEN", value: "ghp_x", fires: true),
        EnvCase(name: "SSH_PRIVATE_KEY", value: "x", fires: true),
        EnvCase(name: "CLIENT_SECRET", value: "x", fires: true),
        EnvCase(name: "DATABASE_URL", value: "postgres://odoo:hunter2@db:5432/odoo", fires: true),
        EnvCase(name: "REDIS", value: "redis://:pw@redis:6379/0", fires: true),
        EnvCase(name: "TLS", value: "-----BEGIN EC PRIVATE KEY-----\nMHc...", fires: true),
        EnvCase(name: "PASSWORD_FILE", value: "/run/secrets/db", fires: false),
        EnvCase(name: "TOKEN_URL", value: "https://auth.example.com/token", fires: false),
        EnvCase(name: "TOKEN_TTL", value: "3600", fires: false),
        EnvCase(name: "PASSWORD_MIN_LENGTH", value: "12", fires: false),
        EnvCase(name: "DATABASE_URL", value: "postgres://odoo@db:5432/odoo", fires: false),
        EnvCase(name: "DATABASE_URL", value: "postgres://odoo:$(DB_PASSWORD)@db/odoo", fires: false),
        EnvCase(name: "PASSWORD", value: "$(DB_PASSWORD)", fires: false),
        EnvCase(name: "PASSWORD", value: "", fires: false),
        EnvCase(name: "LOG_LEVEL", value: "info", fires: false),
    ]

    static let matrix: [(EnvCase, String, PodTemplate.ContainerKind)] = env.flatMap { c in
        Fixture.podTemplateKinds.flatMap { kind in PodTemplate.ContainerKind.allCases.map { (c, kind, $0) } }
    }

    @Test("literal credentials in every kind and container kind", arguments: 0..<matrix.count)
    func literals(_ index: Int) {
        let (case_, kind, list) = Self.matrix[index]
        let container = Fixture.container(resources: list == .ephemeralContainer ? nil : Fixture.goodResources,
                                          env: [["name": .string(case_.name), "value": .string(case_.value)]])
        let decision = Fixture.evaluate(Fixture.workload(kind, podSpec: Fixture.podSpec(container, in: list)), stage: "development")
        let fired = decision.violations.filter { $0.rule == .secretsNoLiteralCredentials }
        #expect(fired.count == (case_.fires ? 1 : 0), "\(case_) \(kind) \(list)")
        for violation in fired {
            #expect(violation.mode == .enforce, "literal credentials are denied even in development")
            #expect(violation.path.description.hasSuffix("\(list.rawValue)[0].env[0].value"))
            #expect(!violation.message.contains(case_.value), "the value must never be echoed")
        }
    }

    @Test func passwordFlagsOnTheCommandLine() {
        let container = Fixture.container(extra: ["args": ["--db_password=hunter2", "-w", "hunter3", "--admin_passwd", "$(ADMIN)", "--workers=4"]])
        let decision = Fixture.evaluate(Fixture.workload("Deployment", podSpec: Fixture.podSpec(container)))
        let paths = decision.violations.filter { $0.rule == .secretsNoLiteralCredentials }.map(\.path.description)
        #expect(paths.sorted() == ["spec.template.spec.containers[0].args[0]", "spec.template.spec.containers[0].args[2]"])
        #expect(!decision.violations.contains { $0.message.contains("hunter") })
    }

    static let clinicEnvironment: JSONValue = ["apiVersion": "odooguard.io/v1alpha1", "kind": "OdooEnvironment", "metadata": ["name": "clinic", "namespace": "clinic"], "spec": [:]]
    static let labelledSecret: JSONValue = ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "billing-s3", "namespace": "clinic", "labels": [GuardLabels.environment: "billing"]]]

    struct ForeignCase: Sendable, CustomStringConvertible {
        let description: String
        let environment: String?
        let podSpec: JSONValue
        let path: String?
    }

    static let foreign: [ForeignCase] = [
        ForeignCase(description: "env secretKeyRef of another environment", environment: "billing",
                    podSpec: ["securityContext": Fixture.restrictedPodContext, "containers": [Fixture.container(env: [["name": "P", "valueFrom": ["secretKeyRef": ["name": "clinic-db", "key": "password"]]]])]],
                    path: "spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.name"),
        ForeignCase(description: "own secret", environment: "clinic",
                    podSpec: ["securityContext": Fixture.restrictedPodContext, "containers": [Fixture.container(env: [["name": "P", "valueFrom": ["secretKeyRef": ["name": "clinic-db", "key": "password"]]]])]],
                    path: nil),
        ForeignCase(description: "volume of a labelled secret", environment: "clinic",
                    podSpec: ["securityContext": Fixture.restrictedPodContext, "containers": [Fixture.container()], "volumes": [["name": "s3", "secret": ["secretName": "billing-s3"]]]],
                    path: "spec.template.spec.volumes[0].secret.secretName"),
        ForeignCase(description: "projected volume", environment: "billing",
                    podSpec: ["securityContext": Fixture.restrictedPodContext, "containers": [Fixture.container()], "volumes": [["name": "p", "projected": ["sources": [["secret": ["name": "clinic-admin"]]]]]]],
                    path: "spec.template.spec.volumes[0].projected.sources[0].secret.name"),
        ForeignCase(description: "envFrom in an init container, workload without environment", environment: nil,
                    podSpec: ["securityContext": Fixture.restrictedPodContext, "containers": [Fixture.container()], "initContainers": [Fixture.container(extra: ["envFrom": [["secretRef": ["name": "clinic-redis"]]]])]],
                    path: "spec.template.spec.initContainers[0].envFrom[0].secretRef.name"),
        ForeignCase(description: "unowned secret", environment: "billing",
                    podSpec: ["securityContext": Fixture.restrictedPodContext, "containers": [Fixture.container()], "imagePullSecrets": [["name": "registry-creds"]]], path: nil),
    ]

    @Test("foreign secrets", arguments: foreign)
    func foreignSecrets(_ case_: ForeignCase) {
        let labels = case_.environment.map { [GuardLabels.environment: $0] } ?? [:]
        let object = Fixture.workload("Deployment", podSpec: case_.podSpec, labels: labels)
        let decision = Fixture.evaluate(object, peers: [Self.clinicEnvironment, Self.labelledSecret])
        let fired = decision.violations.filter { $0.rule == .secretsForeignSecret }
        #expect(fired.map(\.path.description) == (case_.path.map { [$0] } ?? []))
    }

    @Test func foreignSecretsCannotBeWaived() {
        let object = Fixture.workload("Deployment", podSpec: Self.foreign[0].podSpec, labels: [GuardLabels.environment: "billing"])
        let exception: JSONValue = ["apiVersion": "odooguard.io/v1alpha1", "kind": "GuardException",
                                    "metadata": ["name": "x", "namespace": "clinic"],
                                    "spec": ["rules": ["secrets.foreign-secret"], "targets": [["kind": "Deployment", "name": "web"]],
                                             "approver": "bob", "reason": "please", "expiresAt": "2026-12-01T00:00:00Z"]]
        let decision = Fixture.evaluate(object, peers: [Self.clinicEnvironment, exception])
        #expect(decision.rules == ["secrets.foreign-secret"])
        #expect(!decision.allowed)
    }

    @Test("injection adds secretKeyRef entries and never values", arguments: ["Deployment", "StatefulSet", "CronJob", "Pod"])
    func injection(_ kind: String) throws {
        let existing: [JSONValue] = [["name": "HOST", "value": "pgbouncer"]]
        var spec = Fixture.podSpec(Fixture.container(env: existing))
        spec.set([Fixture.container(name: "init", env: nil)], at: "initContainers")
        let object = Fixture.workload(kind, podSpec: spec, labels: [GuardLabels.environment: "clinic"],
                                      annotations: [GuardLabels.inject: "db, admin"])
        let decision = Fixture.evaluate(object)
        #expect(decision.violations.isEmpty, "\(decision.violations)")
        let mutated = try #require(decision.mutatedObject)
        #expect(try decision.patch.apply(to: object) == mutated)
        let path = try #require(PodTemplate.specPath(forKind: kind))
        let env = try #require(mutated[path: path / "containers" / 0 / "env"]?.arrayValue)
        #expect(env.compactMap { $0["name"]?.stringValue } == ["HOST", "PORT", "USER", "PASSWORD", "ODOO_ADMIN_PASSWD"])
        #expect(env[0] == existing[0], "an existing variable is never overwritten")
        #expect(env.dropFirst().allSatisfy { $0["value"] == nil && $0["valueFrom"]?["secretKeyRef"] != nil })
        #expect(env[3]["valueFrom"]?["secretKeyRef"] == ["name": "clinic-db", "key": "password"])
        #expect(env[4]["valueFrom"]?["secretKeyRef"] == ["name": "clinic-admin", "key": "password"])
        #expect(mutated[path: path / "initContainers" / 0 / "env"]?.arrayValue?.count == 5)
    }

    @Test func injectionNeedsAnEnvironmentAndKnownSets() {
        let noEnvironment = Fixture.workload("Deployment", podSpec: Fixture.podSpec(Fixture.container()), annotations: [GuardLabels.inject: "db"])
        #expect(Fixture.evaluate(noEnvironment).rules == ["secrets.injection"])
        let unknown = Fixture.workload("Deployment", podSpec: Fixture.podSpec(Fixture.container()),
                                       labels: [GuardLabels.environment: "clinic", GuardLabels.inject: "db.vault"])
        let decision = Fixture.evaluate(unknown)
        #expect(decision.rules == ["secrets.injection"])
        #expect(decision.violations.first?.message.contains("vault") == true)
        #expect(decision.mutatedObject != nil, "the known set is still injected")
        var inTemplate = Fixture.workload("Deployment", podSpec: Fixture.podSpec(Fixture.container()))
        inTemplate.set(.object([GuardLabels.inject: "db"]), at: "spec.template.metadata.annotations")
        let templateDecision = Fixture.evaluate(inTemplate)
        #expect(templateDecision.rules == ["secrets.injection"])
        #expect(templateDecision.violations.first?.path.description == "spec.template.metadata.annotations[odooguard.io/inject]")
    }
}
