import KubeModel

/// The dedicated tier on CloudNativePG: a replicated `Cluster` (three instances in production, one
/// elsewhere, spread over nodes and zones), the tenant's role and database as CloudNativePG declares
/// them, WAL archiving and base backups through the Barman Cloud plugin's `ObjectStore`, a
/// `ScheduledBackup`, a PgBouncer `Pooler` Odoo connects through, a `PodMonitor`, and the
/// NetworkPolicies of the instances and the pooler.
///
/// The pooler runs in **session** mode. Odoo 17 keeps `LISTEN` connections open for the whole life of
/// a process: the bus's dispatcher in every web pod's gevent process (`listen imbus`, on database
/// `postgres`) and each cron thread (`LISTEN cron_trigger`). PgBouncer's transaction mode hands the
/// server connection to another client after each transaction, so those `LISTEN`s would be lost
/// (live chat and notifications stop without an error); and a process has one `db_host`, so the
/// listeners cannot be sent around the pooler. The HTTP workers would be safe in transaction mode
/// (psycopg2 opens each transaction with `BEGIN ISOLATION LEVEL REPEATABLE READ`, nothing
/// session-scoped is kept), but they share the process model with the listeners.
extension PlanContext {
    /// All CloudNativePG objects of the environment. `budget` is Odoo's worst case, which the
    /// pooler's client side and the role's connection limit must take.
    func cloudNativePGObjects(_ settings: OperatorConfiguration.CloudNativePG, budget: ConnectionBudget) -> [JSONValue] {
        var objects = [cluster(settings, budget: budget), pooler(settings, budget: budget), podMonitor()]
        if environment.backup != nil { objects += [objectStore(), scheduledBackup(settings)] }
        return objects
    }

    /// Instances of the Cluster: three in production (a synchronous-capable primary and two
    /// replicas, one failure tolerated with a replica left), one elsewhere.
    var clusterInstances: Int64 { environment.stage == .production ? 3 : 1 }
    /// PgBouncer pods: two in production (a pooler pod's loss leaves one), one elsewhere.
    var poolerInstances: Int64 { environment.stage == .production ? 2 : 1 }

    /// The server's `max_connections`: every client the pooler may pass on (session mode: one server
    /// connection per client), the pooler's own auth connection per pod, and the superuser reserve.
    func clusterMaxConnections(_ budget: ConnectionBudget) -> Int {
        max(100, budget.total + Int(poolerInstances) + 10)
    }

    private func cluster(_ settings: OperatorConfiguration.CloudNativePG, budget: ConnectionBudget) -> JSONValue {
        var storage: JSONObject = ["size": .string(environment.database.dedicatedStorage)]
        if let storageClass = settings.storageClass { storage["storageClass"] = .string(storageClass) }
        let production = environment.stage == .production
        var spec: JSONObject = [
            "affinity": [
                "enablePodAntiAffinity": true,
                // Production never puts two instances on one node; elsewhere it prefers not to.
                "podAntiAffinityType": .string(production ? "required" : "preferred"),
                "topologyKey": "kubernetes.io/hostname",
            ],
            "bootstrap": bootstrap(settings),
            "description": .string("Odoo \(environment.namespace)/\(environment.name), \(environment.stage.rawValue)"),
            "enablePDB": true,
            "imageName": .string(settings.imageName),
            "inheritedMetadata": ["labels": PlanContext.map(clusterPodLabels)],
            "instances": .int(clusterInstances),
            "managed": ["roles": [[
                "connectionLimit": .int(Int64(budget.total)),
                "ensure": "present",
                "login": true,
                "name": .string(environment.database.name),
                "passwordSecret": ["name": .string(databaseSecret)],
            ]]],
            "postgresql": ["parameters": ["max_connections": .string(String(clusterMaxConnections(budget)))]],
            "primaryUpdateStrategy": "unsupervised",
            // Requests and limits of their own, as every container in a governed namespace needs.
            "resources": ["limits": ["memory": "2Gi"], "requests": ["cpu": "250m", "memory": "512Mi"]],
            "storage": .object(storage),
        ]
        if production {
            spec["topologySpreadConstraints"] = [[
                "labelSelector": ["matchLabels": PlanContext.map([CloudNativePGLabels.cluster: environment.clusterName])],
                "maxSkew": 1,
                "topologyKey": "topology.kubernetes.io/zone",
                "whenUnsatisfiable": "ScheduleAnyway",
            ]]
        }
        if let recovered = environment.recoveredCluster {
            // The archive it was recovered from: the origin's serverName under the same ObjectStore.
            spec["externalClusters"] = [[
                "name": .string(PlanContext.recoverySource),
                "plugin": ["name": .string(settings.pluginName),
                           "parameters": ["barmanObjectName": .string(names.archive), "serverName": .string(recovered.origin)]],
            ]]
        }
        if environment.backup != nil {
            spec["plugins"] = [[
                "isWALArchiver": true,
                "name": .string(settings.pluginName),
                "parameters": ["barmanObjectName": .string(names.archive)],
            ]]
        }
        return object(.cnpgClusters, environment.clusterName, component: .database, ["spec": .object(spec)])
    }

    /// The name of the archive a recovered Cluster is bootstrapped from (its `externalClusters` entry).
    static let recoverySource = "origin"

    /// A new database (`initdb`: the tenant's database and owner, the login from the database
    /// Secret), or a recovery to the point in time the environment's restore asked for; the bootstrap
    /// a Cluster was created with stays in every later plan.
    private func bootstrap(_ settings: OperatorConfiguration.CloudNativePG) -> JSONValue {
        let owner: JSONObject = ["database": .string(environment.database.name), "owner": .string(environment.database.name),
                                 "secret": ["name": .string(databaseSecret)]]
        guard let recovered = environment.recoveredCluster else { return ["initdb": .object(owner)] }
        var recovery = owner
        recovery["recoveryTarget"] = ["targetTime": .string(Timestamp.format(recovered.targetTime))]
        recovery["source"] = .string(PlanContext.recoverySource)
        return ["recovery": .object(recovery)]
    }

    /// The labels CloudNativePG puts on the instance pods: the environment's, but not Odoo's pod
    /// selector labels, so the Odoo pods' NetworkPolicies do not govern the instances.
    private var clusterPodLabels: [String: String] {
        [GuardLabels.environment: environment.name, GuardLabels.partOf: GuardLabels.managerName, GuardLabels.managedBy: GuardLabels.managerName]
    }

    private func pooler(_ settings: OperatorConfiguration.CloudNativePG, budget: ConnectionBudget) -> JSONValue {
        var pgbouncer: JSONObject = [
            "parameters": [
                // Session mode (see above): each client keeps its server connection, so the
                // pool must hold every client Odoo may open; a pod lost moves all to the other.
                "default_pool_size": .string(String(budget.total)),
                "max_client_conn": .string(String(budget.total + 10)),
                "server_idle_timeout": "600",
            ],
            "poolMode": "session",
        ]
        if let image = settings.pgbouncerImage { pgbouncer["image"] = .string(image) }
        return object(.cnpgPoolers, names.pooler, component: .database, ["spec": [
            "cluster": ["name": .string(environment.clusterName)],
            "instances": .int(poolerInstances),
            "pgbouncer": .object(pgbouncer),
            "template": ["spec": ["containers": [[
                "name": "pgbouncer",
                "resources": ["limits": ["memory": "128Mi"], "requests": ["cpu": "50m", "memory": "64Mi"]],
            ]]]],
            "type": "rw",
        ]])
    }

    /// Where the Cluster archives WAL and its base backups: the environment's backup prefix plus
    /// `cnpg/`, with the environment's credentials and the tier's retention.
    private func objectStore() -> JSONValue {
        var configuration: JSONObject = [
            "data": ["compression": "gzip", "encryption": "AES256"],
            "destinationPath": .string(backupURL + "/cnpg"),
            "s3Credentials": [
                "accessKeyId": ["key": "AWS_ACCESS_KEY_ID", "name": .string(backupCredentialsSecret)],
                "secretAccessKey": ["key": "AWS_SECRET_ACCESS_KEY", "name": .string(backupCredentialsSecret)],
            ],
            "wal": ["compression": "gzip", "encryption": "AES256", "maxParallel": 2],
        ]
        if let endpoint = self.configuration.backup.endpoint { configuration["endpointURL"] = .string(endpoint) }
        return object(.barmanObjectStores, names.archive, component: .backup, ["spec": [
            "configuration": .object(configuration),
            "retentionPolicy": .string("\(backupRetentionDays)d"),
        ]])
    }

    /// A base backup on the environment's schedule (CloudNativePG's cron has a seconds field).
    private func scheduledBackup(_ settings: OperatorConfiguration.CloudNativePG) -> JSONValue {
        object(.cnpgScheduledBackups, names.scheduledBackup, component: .backup, ["spec": [
            "backupOwnerReference": "self",
            "cluster": ["name": .string(environment.clusterName)],
            "immediate": true,
            "method": "plugin",
            "pluginConfiguration": ["name": .string(settings.pluginName)],
            "schedule": .string("0 " + (environment.backup?.schedule ?? "0 2 * * *")),
        ]])
    }

    /// Prometheus scrapes the instances' exporter (CloudNativePG's `metrics` port, 9187).
    private func podMonitor() -> JSONValue {
        object(.podMonitors, names.cluster, component: .database, ["spec": [
            "podMetricsEndpoints": [["port": "metrics"]],
            "selector": ["matchLabels": PlanContext.map([CloudNativePGLabels.cluster: environment.clusterName, CloudNativePGLabels.podRole: "instance"])],
        ]])
    }

    /// The instances take PostgreSQL from the pooler and each other (replication), the status port
    /// from CloudNativePG's operator and each other, and metrics from anywhere; the pooler takes
    /// PostgreSQL from the environment's pods only.
    func cloudNativePGNetworkPolicies(_ settings: OperatorConfiguration.CloudNativePG, odooPods: JSONValue) -> [JSONValue] {
        let instances: JSONValue = ["matchLabels": PlanContext.map([CloudNativePGLabels.cluster: environment.clusterName])]
        let poolerPods: JSONValue = ["matchLabels": PlanContext.map([CloudNativePGLabels.poolerName: names.pooler])]
        let operatorPods: JSONValue = ["namespaceSelector": ["matchLabels": ["kubernetes.io/metadata.name": .string(settings.operatorNamespace)]]]
        func port(_ number: Int64) -> JSONValue { ["port": .int(number), "protocol": "TCP"] }
        let cluster = object(.networkPolicies, names.cluster, component: .governance, ["spec": [
            "ingress": [
                ["from": [["podSelector": poolerPods], ["podSelector": instances], operatorPods], "ports": [port(5432)]],
                ["from": [["podSelector": instances], operatorPods], "ports": [port(8000)]],
                ["ports": [port(9187)]],
            ],
            "podSelector": instances,
            "policyTypes": ["Ingress"],
        ]])
        let pooler = object(.networkPolicies, names.pooler, component: .governance, ["spec": [
            "ingress": [
                ["from": [["podSelector": odooPods]], "ports": [port(5432)]],
                ["from": [operatorPods], "ports": [port(8000)]],
                ["ports": [port(9127)]],
            ],
            "podSelector": poolerPods,
            "policyTypes": ["Ingress"],
        ]])
        return [cluster, pooler]
    }

    /// Days the environment's backups are kept: its own, or its tier's default.
    var backupRetentionDays: Int { environment.backup?.retentionDays ?? tier.backupRetention.defaultDays }
}

/// The labels CloudNativePG sets on the pods it creates.
public enum CloudNativePGLabels {
    /// An instance pod's Cluster.
    public static let cluster = "cnpg.io/cluster"
    /// `instance` on an instance pod, `pooler` on a PgBouncer pod.
    public static let podRole = "cnpg.io/podRole"
    /// A PgBouncer pod's Pooler.
    public static let poolerName = "cnpg.io/poolerName"
}
