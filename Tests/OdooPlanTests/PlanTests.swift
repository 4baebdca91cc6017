import Foundation
import KubeModel
import OdooPlan
import Testing

@Suite("OdooEnvironment plan")
struct PlanTests {
    static let planner = OdooPlanner(configuration: Fixtures.configuration)

    static func plan(_ object: JSONValue) throws -> DesiredState {
        try planner.plan(try OdooEnvironment.decode(object))
    }

    static func object(_ desired: DesiredState, _ kind: String, _ suffix: String = "") -> JSONValue? {
        desired.objects.first { $0["kind"]?.stringValue == kind && ($0["metadata"]?["name"]?.stringValue ?? "").hasSuffix(suffix) }
    }

    @Test func theExamplesDecodeAndPlan() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Fixtures.environments.path).filter { $0.hasSuffix(".yaml") }
        #expect(files.count >= 2)
        var stages: Set<String> = []
        for file in files {
            let environment = try OdooEnvironment.decode(try Fixtures.document(file))
            stages.insert("\(environment.tier.rawValue)/\(environment.stage.rawValue)")
            let desired = try Self.planner.plan(environment)
            #expect(desired.objects.count >= 15, "\(file)")
        }
        #expect(stages.isSuperset(of: ["shared/development", "dedicated/production"]))
    }

    @Test func everyChildIsOwnedAndLabelled() throws {
        let desired = try Self.plan(Fixtures.environment())
        for object in desired.objects where object["kind"] != "Namespace" {
            let view = KubeObject(object)
            #expect(view.labels["app.kubernetes.io/instance"] == "demo", "\(view.reference)")
            #expect(view.labels["app.kubernetes.io/managed-by"] == "odoo-guard", "\(view.reference)")
            #expect(view.ownerReferences.map(\.uid) == ["0b0e7f6c-1111-4c2b-9a53-000000000001"], "\(view.reference)")
            #expect(view.namespace == "demo")
        }
        let namespace = try #require(desired.objects.first)
        #expect(KubeObject(namespace).labels == ["odooguard.io/stage": "development", "odooguard.io/tier": "shared"])
    }

    @Test func thePlanIsDeterministic() throws {
        let first = try Self.plan(Fixtures.environment())
        let second = try Self.plan(Fixtures.environment())
        #expect(YAMLEmitter.stream(first.printable) == YAMLEmitter.stream(second.printable))
    }

    @Test("a PDB for web only when it has more than one replica; never for cron", arguments: [0, 1, 2, 5])
    func disruptionBudget(_ replicas: Int) throws {
        let desired = try Self.plan(Fixtures.environment { $0.set(.int(Int64(replicas)), at: "spec.replicas") })
        let budgets = desired.objects.filter { $0["kind"] == "PodDisruptionBudget" }
        #expect(budgets.count == (replicas > 1 ? 1 : 0))
        if let budget = budgets.first {
            #expect(budget["spec"]?["maxUnavailable"] == 1)
            #expect(budget["spec"]?["unhealthyPodEvictionPolicy"] == "AlwaysAllow")
            #expect(budget["spec"]?["selector"]?["matchLabels"]?["app.kubernetes.io/component"] == "web")
        }
        let cron = try #require(Self.object(desired, "Deployment", "-cron"))
        #expect(cron["spec"]?["replicas"] == 1)
        #expect(cron["spec"]?["strategy"]?["type"] == "Recreate")
    }

    @Test func webAndCronRunAsOdooExpects() throws {
        let desired = try Self.plan(Fixtures.environment())
        let web = try #require(Self.object(desired, "Deployment", "-web")?["spec"]?["template"]?["spec"])
        let container = try #require(web["containers"]?[0])
        #expect(container["args"]?.arrayValue?.contains("--max-cron-threads=0") == true)
        #expect(container["ports"]?.arrayValue?.compactMap { $0["containerPort"]?.intValue } == [8069, 8072])
        for probe in ["startupProbe", "readinessProbe", "livenessProbe"] {
            #expect(container[probe]?["httpGet"]?["path"] == "/web/health", "\(probe)")
        }
        #expect(container["securityContext"]?["allowPrivilegeEscalation"] == false)
        #expect(container["securityContext"]?["readOnlyRootFilesystem"] == true)
        #expect(web["securityContext"]?["runAsNonRoot"] == true)
        #expect(web["topologySpreadConstraints"]?.arrayValue?.count == 2)
        let cron = try #require(Self.object(desired, "Deployment", "-cron")?["spec"]?["template"]?["spec"]?["containers"]?[0])
        #expect(cron["args"]?.arrayValue?.contains("--no-http") == true)
        #expect(cron["ports"] == nil && cron["readinessProbe"] == nil)
    }

    @Test func noSecretValueLeavesTheSecrets() throws {
        let desired = try Self.plan(Fixtures.environment { $0.set(true, at: "spec.redis.enabled") })
        #expect(desired.secrets.map(\.name).sorted() == ["demo-admin", "demo-db", "demo-redis"])
        var generator = SystemRandomNumberGenerator()
        let values = desired.secrets.flatMap { secret in
            (secret.materialize(using: &generator)["stringData"]?.objectValue ?? [:]).filter { secret.generated[$0.key] != nil }.compactMap { $0.value.stringValue }
        }
        #expect(values.count == 3 && values.allSatisfy { $0.count == 32 })
        #expect(Set(values).count == 3)
        let rendered = String(decoding: YAMLEmitter.stream(desired.printable), as: UTF8.self)
        for value in values { #expect(!rendered.contains(value)) }
        // Every env entry that is not a path comes from a secretKeyRef.
        for object in desired.objects where object["kind"] == "Deployment" {
            let pod = object["spec"]?["template"]?["spec"]
            for container in (pod?["containers"]?.arrayValue ?? []) + (pod?["initContainers"]?.arrayValue ?? []) {
                // Paths, the session switch and prefix, and the URL assembled from secretKeyRef variables.
                for variable in container["env"]?.arrayValue ?? [] where variable["value"] != nil {
                    #expect(["ODOO_RC", "ODOO_SESSION_REDIS", "ODOO_SESSION_REDIS_PREFIX", "ODOO_SESSION_REDIS_URL", "POSTGRES_DB", "PGDATA"]
                        .contains(variable["name"]?.stringValue ?? ""), "\(variable)")
                }
            }
        }
        let conf = try #require(Self.object(desired, "ConfigMap")?["data"]?["odoo.conf"]?.stringValue)
        #expect(!conf.contains("admin_passwd") && !conf.contains("db_password"))
    }

    @Test func odooConfCarriesTheSafeValues() throws {
        let desired = try Self.plan(Fixtures.environment { $0.set("clinic_demo", at: "spec.database.name") })
        let conf = try #require(Self.object(desired, "ConfigMap")?["data"]?["odoo.conf"]?.stringValue)
        for line in ["proxy_mode = True", "list_db = False", "dbfilter = ^clinic_demo$", "db_name = clinic_demo", "gevent_port = 8072"] {
            #expect(conf.contains("\n\(line)\n"), "\(line)")
        }
        let legacy = try Self.plan(Fixtures.environment { $0.set("15.0", at: "spec.version") })
        #expect(Self.object(legacy, "ConfigMap")?["data"]?["odoo.conf"]?.stringValue?.contains("longpolling_port = 8072") == true)
        let routes = String(decoding: YAMLEmitter.stream(legacy.objects.filter { $0["kind"] == "IngressRoute" }), as: UTF8.self)
        #expect(routes.contains("/longpolling") && !routes.contains("/websocket"))
    }

    /// Odoo's sizing: 2 × CPUs + 1 workers, fewer when memory is short; limits shared among them.
    @Test("worker sizing", arguments: [
        ("1", "2Gi", nil, 3), ("2", "4Gi", nil, 5), ("4", "2Gi", nil, 5), ("500m", "1Gi", nil, 2), ("8", "32Gi", nil, 17), ("2", "4Gi", 2, 2),
    ] as [(String, String, Int?, Int)])
    func sizing(_ cpu: String, _ memory: String, _ workers: Int?, _ expected: Int) throws {
        let environment = try OdooEnvironment.decode(Fixtures.environment { object in
            object.set(["limits": ["cpu": .string(cpu), "memory": .string(memory)]], at: "spec.resources")
            if let workers { object.set(.int(Int64(workers)), at: "spec.workers") }
        })
        let conf = OdooConfFile(environment: environment, cpu: try Quantity(parsing: cpu), memoryLimit: try Quantity(parsing: memory))
        #expect(conf.workers == expected)
        let memoryBytes = try Quantity(parsing: memory).nanoValue / 1_000_000_000
        #expect(Int128(conf.limitMemoryHard) * Int128(conf.workers + 1) <= memoryBytes, "the workers fit the container's limit")
        #expect(conf.limitMemorySoft < conf.limitMemoryHard && conf.limitMemoryHard <= 2560 << 20)
    }

    @Test func aTierThatCannotHoldTheEnvironmentIsNamed() throws {
        let tooBig = Fixtures.environment { object in
            object.set(["limits": ["cpu": "6", "memory": "12Gi"]], at: "spec.resources")
            object.set(50, at: "spec.replicas")
            object.set("nowhere", at: "spec.database.sharedServer")
        }
        let error = try #require(throws: OdooPlanError.self) { try Self.plan(tooBig) }
        #expect(error == .exceedsTier)
        let paths = Set(error.fieldErrors.map(\.path.description))
        #expect(paths.isSuperset(of: ["spec.resources.limits.cpu", "spec.resources.limits.memory", "spec.replicas", "spec.database.sharedServer"]))
    }

    @Test func networkPoliciesDenyByDefault() throws {
        let desired = try Self.plan(Fixtures.environment())
        let policies = desired.objects.filter { $0["kind"] == "NetworkPolicy" }
        #expect(policies.count == 2)
        let deny = try #require(policies.first { ($0["metadata"]?["name"]?.stringValue ?? "").hasSuffix("-default-deny") })
        #expect(deny["spec"]?["ingress"] == nil && deny["spec"]?["egress"] == nil)
        let allow = try #require(policies.first { ($0["metadata"]?["name"]?.stringValue ?? "").hasSuffix("-allow") })
        #expect(allow["spec"]?["ingress"]?[0]?["from"]?[0]?["namespaceSelector"]?["matchLabels"]?["kubernetes.io/metadata.name"] == "traefik")
        let egressPorts = Set((allow["spec"]?["egress"]?.arrayValue ?? []).flatMap { $0["ports"]?.arrayValue ?? [] }.compactMap { $0["port"]?.intValue })
        #expect(egressPorts == [53, 5432, 25, 465, 587])
    }
}
