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

    /// No plural is ever guessed for a planned object: every kind the planner makes is in the kind
    /// catalogue (the decision refuses one that is not as `UncataloguedKind`).
    @Test func everyPlannedKindIsCatalogued() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Fixtures.environments.path).filter { $0.hasSuffix(".yaml") }
        for file in files {
            let desired = try Self.planner.plan(try OdooEnvironment.decode(try Fixtures.document(file)))
            for object in desired.printable {
                let view = KubeObject(object)
                #expect(ResourceType.known(view.gvk) != nil, "\(file): \(view.apiVersion) \(view.kind) \(view.name)")
            }
        }
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
        #expect(KubeObject(namespace).labels == ["odooguard.io/stage": "development", "odooguard.io/tier": "shared",
                                                 "pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/enforce-version": "v1.32",
                                                 "pod-security.kubernetes.io/warn": "restricted", "pod-security.kubernetes.io/warn-version": "v1.32",
                                                 "pod-security.kubernetes.io/audit": "restricted", "pod-security.kubernetes.io/audit-version": "v1.32"])
    }

    @Test func thePlanIsDeterministic() throws {
        let first = try Self.plan(Fixtures.environment())
        let second = try Self.plan(Fixtures.environment())
        #expect(YAMLEmitter.stream(first.printable) == YAMLEmitter.stream(second.printable))
    }

    @Test("a PDB for web only when it has more than one replica; never for cron", arguments: [0, 1, 2, 5])
    func disruptionBudget(_ replicas: Int) throws {
        // The dedicated tier: five replicas need more connections than the shared tier allows.
        let desired = try Self.plan(Fixtures.environment {
            $0.set(.int(Int64(replicas)), at: "spec.replicas")
            $0.set("dedicated", at: "spec.tier")
        })
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
        // Alive and started: /web/health on 8069 (no database needed). Ready: the login page, rendered from
        // the database by the gevent process, so a dead real-time process or database takes the pod out.
        for probe in ["startupProbe", "livenessProbe"] {
            #expect(container[probe]?["httpGet"] == ["path": "/web/health", "port": "http"], "\(probe)")
        }
        let ready = container["readinessProbe"]?["exec"]?["command"]?[2]?.stringValue ?? ""
        #expect(ready.contains("http://127.0.0.1:8072/web/login") && ready.contains("csrf_token"), "\(ready)")
        let threaded = try Self.plan(Fixtures.environment { $0.set(.int(0), at: "spec.workers") })
        let single = try #require(Self.object(threaded, "Deployment", "-web")?["spec"]?["template"]?["spec"]?["containers"]?[0])
        #expect(single["readinessProbe"]?["exec"]?["command"]?[2]?.stringValue?.contains("127.0.0.1:8069/web/login") == true, "workers = 0 has no gevent process")
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

    /// Odoo keeps `limit_time_cpu` at 60 s when only the wall-clock limit is raised; the plan keeps
    /// Odoo's 1:2 ratio unless both are set. Every process's pool is bounded.
    @Test("time limits and pools", arguments: [
        (["limit_time_real": "1200"], "limit_time_cpu = 600"), (["limit_time_cpu": "300"], "limit_time_real = 600"),
        (["limit_time_cpu": "100", "limit_time_real": "1000"], "limit_time_cpu = 100"), ([:], "db_maxconn = 2"),
        (["db_maxconn": "3"], "db_maxconn = 3"),
    ] as [([String: String], String)])
    func timeLimits(_ config: [String: String], _ line: String) throws {
        let environment = try OdooEnvironment.decode(Fixtures.environment { object in
            object.set(.object(JSONObject(uniqueKeysWithValues: config.map { ($0.key, JSONValue.string($0.value)) })), at: "spec.config")
        })
        let conf = OdooConfFile(environment: environment, cpu: nil, memoryLimit: try Quantity(parsing: "2Gi"))
        #expect(conf.text.split(separator: "\n").contains(Substring(line)), "\(conf.text)")
        #expect(conf.text.contains("db_maxconn_gevent = 4"))
        #expect(config["limit_time_real"] != nil || config["limit_time_cpu"] != nil || !conf.text.contains("limit_time_"), "Odoo's defaults stay when neither is set")
    }

    /// The worst case counts every process's pool: replicas plus the surge pod, the cron pod, the Jobs.
    @Test func theConnectionBudgetFitsTheTierOrSaysHowTo() throws {
        let environment = try OdooEnvironment.decode(Fixtures.environment { $0.set(.int(2), at: "spec.workers") })
        let conf = OdooConfFile(environment: environment, cpu: nil, memoryLimit: try Quantity(parsing: "2Gi"))
        let budget = ConnectionBudget(environment: environment, conf: conf)
        // One replica and a surge pod × ((2 workers + main) × 2 + gevent 4) + cron 2 × 2 + 1 + an upgrade Job's 2.
        #expect(budget.total == 2 * 10 + 5 + 2)
        #expect(try Self.plan(Fixtures.environment { $0.set(.int(2), at: "spec.workers") }).connectionBudget?.total == 27)
        let tooMany = Fixtures.environment { object in
            object.set(.int(3), at: "spec.replicas")
            object.set(.int(4), at: "spec.workers")
        }
        let error = try #require(throws: OdooPlanError.self) { try Self.plan(tooMany) }
        let message = error.fieldErrors.first { $0.path.description == "spec.workers" }?.message ?? ""
        #expect(message.contains("need up to 63 PostgreSQL connections") && message.contains("allows 50") && message.contains("dedicated tier"), "\(message)")
        let dedicated = try Self.plan(Fixtures.environment { object in
            object.set(.int(8), at: "spec.replicas")
            object.set(.int(4), at: "spec.workers")
            object.set("dedicated", at: "spec.tier")
        })
        let postgres = try #require(Self.object(dedicated, "StatefulSet", "-postgres"))
        #expect(postgres["spec"]?["template"]?["spec"]?["containers"]?[0]?["args"] == ["-c", "max_connections=143"], "9 pods × 14 + cron 5 + jobs 2 = 133, plus 10 for the superuser")
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
