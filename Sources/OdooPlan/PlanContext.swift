import GuardRules
import KubeModel
import TraefikGen

/// One planning run's inputs and the metadata every object shares. The builders live in
/// `PlanContext+Workloads.swift` and `PlanContext+Governance.swift`.
struct PlanContext {
    let environment: OdooEnvironment
    let configuration: OperatorConfiguration
    let tier: OperatorConfiguration.TierLimits
    let names: ChildNames
    let image: String
    /// The Odoo version the workloads run (the spec's, or the running one while a change is held).
    let version: String
    let resources: (requests: [String: Quantity], limits: [String: Quantity])
    let conf: OdooConfFile
    /// Whether the web and cron Deployments run pods (not before the database is initialised).
    var workloadsRun = true
    /// The init Job that made the database, written into the pod templates: pods that started
    /// before it succeeded are replaced once it has.
    var initializedBy: String?
    /// The addon images the pods run (pinned when known), in `addons_path` order, with their module directory.
    var addonImages: [OdooEnvironment.Addon] = []
    /// The Pod Security levels the namespace's labels carry.
    var podSecurity = PodSecuritySettings()
    /// Whether it sleeps, wakes or is awake, for an environment with a sleep schedule.
    var sleep: SleepStatus?
    /// Node pools by tier and stage (the GuardPolicy's `spec.placement`).
    var placement = PlacementPolicy()
    /// Web's replicas: fixed by the operator, or decided by the autoscaler within a range.
    var webReplicas = WebReplicas.fixed(0)
    /// The autoscaler's minimum now, under `spec.scaling`.
    var scalingMinimum: Scaling.Minimum?

    /// CloudNativePG, when the database is a CloudNativePG `Cluster` (see ``OdooPlanner/usesCloudNativePG(_:observation:)``).
    var cloudNativePG: OperatorConfiguration.CloudNativePG?

    /// Falling asleep while web serves users: web keeps serving, and the routes stay on it, until the
    /// sleeping page has a pod available (so nobody meets Traefik's own error in between).
    var fallingAsleep = false

    /// Whether the sleeping page exists (asleep, or waking until a web pod is available).
    var showsSleepingPage: Bool { sleep.map { $0.state != .awake } ?? false }
    /// Whether the routes go to the sleeping page.
    var routesToSleepingPage: Bool { showsSleepingPage && !fallingAsleep }

    init(environment: OdooEnvironment, configuration: OperatorConfiguration, tier: OperatorConfiguration.TierLimits, names: ChildNames,
         image: String, version: String, resources: (requests: [String: Quantity], limits: [String: Quantity]), conf: OdooConfFile) {
        self.environment = environment
        self.configuration = configuration
        self.tier = tier
        self.names = names
        self.image = image
        self.version = version
        self.resources = resources
        self.conf = conf
    }

    /// The controller ownerReference to the environment, when it has a uid.
    var ownerReferences: [JSONValue] {
        guard let uid = environment.uid else { return [] }
        return [["apiVersion": "odooguard.io/v1alpha1", "blockOwnerDeletion": true, "controller": true, "kind": "OdooEnvironment",
                 "name": .string(environment.name), "uid": .string(uid)]]
    }

    /// `metadata` of a namespaced child.
    func metadata(_ name: String, component: Component, annotations: [String: String] = [:]) -> JSONValue {
        var metadata: JSONObject = [:]
        if !annotations.isEmpty { metadata["annotations"] = PlanContext.map(annotations) }
        metadata["labels"] = PlanContext.map(environment.labels(component: component))
        metadata["name"] = .string(name)
        metadata["namespace"] = .string(environment.namespace)
        if !ownerReferences.isEmpty { metadata["ownerReferences"] = .array(ownerReferences) }
        return .object(metadata)
    }

    /// The Odoo container of the web and cron pods (the change gate reads the running image from it).
    static let odooContainer = "odoo"

    /// A namespaced object of `resource` (its apiVersion and kind from the kind catalogue).
    func object(_ resource: ResourceType, _ name: String, component: Component, _ body: JSONObject) -> JSONValue {
        var object: JSONObject = ["apiVersion": .string(resource.apiVersion), "kind": .string(resource.kind), "metadata": metadata(name, component: component)]
        for (key, value) in body { object[key] = value }
        return .object(object)
    }

    /// A string map as JSON, keys in byte order.
    static func map(_ values: [String: String]) -> JSONValue {
        .object(JSONObject(uniqueKeysWithValues: values.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) }))
    }

    /// Quantities as JSON, keys in byte order, in their own text.
    static func quantities(_ values: [String: Quantity]) -> JSONValue {
        .object(JSONObject(uniqueKeysWithValues: values.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value.text)) }))
    }

    /// The Secret names the workloads read credentials from.
    var adminSecret: String { names.adminSecret }
    var databaseSecret: String { environment.databaseSecretName }
    var redisSecret: String { names.redisSecret }

    /// The Secrets generated once: the Odoo master password, the database login (unless an external
    /// Secret names the server) and the Redis login (when sessions go to Redis).
    func secrets() throws(OdooPlanError) -> [GeneratedSecret] {
        func secret(_ name: String, fixed: [String: String], generated: [String: Int]) -> GeneratedSecret {
            GeneratedSecret(name: name, namespace: environment.namespace, labels: environment.labels(component: .credentials),
                            ownerReferences: ownerReferences, fixed: fixed, generated: generated)
        }
        var result = [secret(adminSecret, fixed: [:], generated: ["password": 32])]
        if environment.database.externalSecret == nil {
            let (host, port): (String, Int)
            switch environment.tier {
            case .dedicated:
                (host, port) = ("\(cloudNativePG == nil ? names.postgres : names.pooler).\(environment.namespace).svc", 5432)
            case .shared:
                guard let server = configuration.databaseServer(named: environment.database.sharedServer) else {
                    throw OdooPlanError.exceedsTier("no shared PostgreSQL server for \(environment.namespace)/\(environment.name)")
                }
                (host, port) = (server.host, server.port)
            }
            var login = secret(databaseSecret, fixed: ["database": environment.database.name, "host": host, "port": String(port),
                                                       "username": environment.database.name], generated: ["password": 32])
            // CloudNativePG reads the role's login from a basic-auth Secret.
            if cloudNativePG != nil { login.type = "kubernetes.io/basic-auth" }
            result.append(login)
        }
        if environment.redis.enabled {
            let dedicated = environment.redis.mode == .dedicated || configuration.redis == nil
            let host = dedicated ? "\(names.objects.base)-redis.\(environment.namespace).svc" : configuration.redis?.host ?? ""
            let port = dedicated ? 6379 : configuration.redis?.port ?? 6379
            result.append(secret(redisSecret, fixed: ["host": host, "port": String(port), "username": dedicated ? "default" : redisPrefix],
                                 generated: ["password": 32]))
        }
        return result
    }

    /// The Traefik objects of the environment, from the generator, with the environment's labels.
    func traefikObjects() -> [JSONValue] {
        var routing = environment.routing
        if routesToSleepingPage {
            // The file provider has no Service: its upstream is the Service's DNS name when it names one.
            if routing.upstreamHost.hasPrefix(routing.serviceName + ".") {
                routing.upstreamHost = names.sleeping + routing.upstreamHost.dropFirst(routing.serviceName.count)
            }
            routing.serviceName = names.sleeping
        }
        routing.webEntryPoint = configuration.webEntryPoint
        routing.secureEntryPoint = configuration.secureEntryPoint
        let extra = [GuardLabels.partOf: GuardLabels.managerName, GuardLabels.environment: environment.name]
        return TraefikGenerator(target: configuration.traefikTarget).objects(for: routing).map { object in
            var object = object
            _ = object.modify(at: "metadata.labels") { labels in
                guard case .object(var map) = labels else { return }
                for (key, value) in extra { map[key] = .string(value) }
                map.sort { $0.key < $1.key }
                labels = .object(map)
            }
            return object
        }
    }
}
