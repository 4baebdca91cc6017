import KubeModel

/// The web and cron Deployments, the web Service and PDB, the configuration and the filestore.
extension PlanContext {
    static let confMount = "/run/odoo"
    static let baseConfMount = "/etc/odoo-base"

    func configMap() -> JSONValue {
        object(.configMaps, names.config, component: .config, ["data": ["odoo.conf": .string(conf.text)]])
    }

    func filestore() -> JSONValue {
        var spec: JSONObject = [
            // Web replicas and the cron pod share the attachments: ReadWriteMany.
            "accessModes": ["ReadWriteMany"],
            "resources": ["requests": ["storage": .string(environment.filestore.size.text)]],
        ]
        if let storageClass = environment.filestore.storageClassName ?? configuration.filestoreStorageClass {
            spec["storageClassName"] = .string(storageClass)
        }
        return object(.persistentVolumeClaims, names.filestore, component: .filestore, ["spec": .object(spec)])
    }

    func webService() -> JSONValue {
        object(.services, names.objects.service, component: .web, ["spec": [
            "ports": [
                ["name": "http", "port": 8069, "protocol": "TCP", "targetPort": "http"],
                ["name": "gevent", "port": 8072, "protocol": "TCP", "targetPort": "gevent"],
            ],
            "selector": PlanContext.map(environment.selector(component: .web)),
            "type": "ClusterIP",
        ]])
    }

    func webDisruptionBudget() -> JSONValue {
        object(.podDisruptionBudgets, names.deployment(.web), component: .web, ["spec": [
            // Drain-safe: one pod at a time, and pods that are not ready never block an eviction.
            "maxUnavailable": 1,
            "selector": ["matchLabels": PlanContext.map(environment.selector(component: .web))],
            "unhealthyPodEvictionPolicy": "AlwaysAllow",
        ]])
    }

    func webDeployment() -> JSONValue {
        // Alive: /web/health on 8069, which answers without the database, so a database outage never
        // restarts the pods. Ready: see ``loginProbe``.
        let odoo: JSONObject = [
            "args": [.string("--config=\(PlanContext.confMount)/odoo.conf"), "--max-cron-threads=0"],
            "env": .array(credentialEnvironment() + queueRunnerDisabled),
            "image": .string(image),
            "livenessProbe": PlanContext.healthProbe(period: 20, failures: 6),
            "name": .string(PlanContext.odooContainer),
            "ports": [["containerPort": 8069, "name": "http", "protocol": "TCP"], ["containerPort": 8072, "name": "gevent", "protocol": "TCP"]],
            "readinessProbe": loginProbe(),
            "resources": containerResources(),
            "securityContext": PlanContext.containerSecurity,
            // Database initialisation and module updates can take minutes before /web/health answers.
            "startupProbe": PlanContext.healthProbe(period: 10, failures: 60),
            "volumeMounts": volumeMounts(),
        ]
        // Spread over nodes, and over zones as strictly as the policy says for the stage.
        let spread: JSONValue = .array([("kubernetes.io/hostname", "ScheduleAnyway"), ("topology.kubernetes.io/zone", placement.zoneSpread(environment.stage))].map { key, mode in
            ["labelSelector": ["matchLabels": PlanContext.map(environment.selector(component: .web))], "maxSkew": 1,
             "topologyKey": .string(key), "whenUnsatisfiable": .string(mode)]
        })
        return deployment(component: .web, replicas: webReplicas.fixed, strategy: [
            "rollingUpdate": ["maxSurge": 1, "maxUnavailable": 0], "type": "RollingUpdate",
        ], container: odoo, extra: ["topologySpreadConstraints": spread])
    }

    /// An `httpGet` probe of `/web/health` on the `http` port, which Odoo answers without the database.
    static func healthProbe(period: Int64, failures: Int64) -> JSONValue {
        ["failureThreshold": .int(failures), "httpGet": ["path": "/web/health", "port": "http"], "periodSeconds": .int(period), "timeoutSeconds": 5]
    }

    /// Ready only when the login page renders from the database, served by the real-time (gevent)
    /// process on 8072 (the threaded server on 8069 when `workers = 0`): so a stopped database, an
    /// uninitialised one, a registry that cannot load, or a gevent process that died or keeps
    /// restarting take the pod out of the Service. An exec probe, because an `httpGet` probe counts
    /// any 3xx as success and Odoo answers `/web/login` with a 303 to the database selector when its
    /// database is down. Measured on Odoo 17: 70–80 ms and 18 MiB for one probe, no session stored.
    func loginProbe() -> JSONValue {
        let port = conf.workers > 0 ? 8072 : 8069
        let script = """
            import sys, urllib.request
            try:
                response = urllib.request.urlopen("http://127.0.0.1:\(port)/web/login", timeout=4)
                body = response.read(262144)
            except Exception as error:
                sys.exit("GET /web/login on \(port): %s" % error)
            if not response.geturl().endswith("/web/login") or b'name="csrf_token"' not in body:
                sys.exit("GET /web/login on \(port) did not render the login page (it ended at %s)" % response.geturl())
            """
        return ["exec": ["command": ["python3", "-c", .string(script)]], "failureThreshold": 3, "periodSeconds": 10, "timeoutSeconds": 5]
    }

    func cronDeployment() -> JSONValue {
        let odoo: JSONObject = [
            // Each cron thread holds a cursor on the database and a LISTEN connection on `postgres`.
            "args": [.string("--config=\(PlanContext.confMount)/odoo.conf"), "--no-http", "--workers=0",
                     .string("--max-cron-threads=\(ConnectionBudget.cronThreads)"), .string("--db_maxconn=\(ConnectionBudget.cronConnections)")],
            "env": .array(credentialEnvironment() + queueRunnerDisabled),
            "image": .string(image),
            "name": .string(PlanContext.odooContainer),
            "resources": containerResources(),
            "securityContext": PlanContext.containerSecurity,
            "volumeMounts": volumeMounts(),
        ]
        // One cron worker, never two at once (Recreate), and no PDB: a singleton must stay evictable.
        return deployment(component: .cron, replicas: workloadsRun ? 1 : 0, strategy: ["type": "Recreate"], container: odoo, extra: [:])
    }

    /// A Deployment of `component`; `replicas` `nil` leaves the field to the autoscaler (see ``WebReplicas``);
    /// `requiredModules` are checked before Odoo starts, beside `server_wide_modules`.
    func deployment(component: Component, replicas: Int?, strategy: JSONValue, container: JSONObject, extra: JSONObject,
                    requiredModules: [String] = []) -> JSONValue {
        var podSpec = odooPodSpec(container: container, image: image, requiredModules: requiredModules)
        for (key, value) in extra { podSpec[key] = value }
        podSpec.sort { $0.key < $1.key }
        var spec: JSONObject = [
            "revisionHistoryLimit": 5,
            "selector": ["matchLabels": PlanContext.map(environment.selector(component: component))],
            "strategy": strategy,
            "template": [
                "metadata": [
                    // A changed odoo.conf rolls the pods; the version tells the operator what the database runs.
                    "annotations": templateAnnotations(),
                    "labels": PlanContext.map(environment.labels(component: component)),
                ],
                "spec": .object(podSpec),
            ],
        ]
        if let replicas { spec["replicas"] = .int(Int64(replicas)) }
        spec.sort { $0.key < $1.key }
        return object(.deployments, names.deployment(component), component: component, ["spec": .object(spec)])
    }

    private func templateAnnotations() -> JSONValue {
        var annotations: [String: String] = [
            GuardLabels.configHash: StableHash.hex(StableHash.fnv1a(conf.text.utf8)),
            GuardLabels.odooVersion: version,
        ]
        if let initializedBy { annotations[GuardLabels.databaseInit] = initializedBy }
        if let addons = ChangeGate.Running.annotation(addonImages) { annotations[GuardLabels.addons] = addons }
        return PlanContext.map(annotations)
    }

    /// The pod of an Odoo process: the config init container, `container`, the volumes, the pod security.
    /// - Parameter requiredModules: modules the process loads besides `server_wide_modules`, checked before it starts.
    func odooPodSpec(container: JSONObject, image: String, requiredModules: [String] = []) -> JSONObject {
        [
            "automountServiceAccountToken": false,
            "containers": [.object(container)],
            "enableServiceLinks": false,
            "initContainers": .array(addonContainers() + [configInitContainer(image: image, requiredModules: requiredModules)]),
            "securityContext": [
                "fsGroup": .int(Int64(configuration.odooUID)), "runAsGroup": .int(Int64(configuration.odooUID)), "runAsNonRoot": true,
                "runAsUser": .int(Int64(configuration.odooUID)), "seccompProfile": ["type": "RuntimeDefault"],
            ],
            "volumes": volumes(),
        ]
    }

    /// The database login as the official Odoo image reads it (HOST, PORT, USER, PASSWORD), every
    /// value from the database Secret.
    func credentialEnvironment() -> [JSONValue] {
        [
            secretVariable("HOST", databaseSecret, "host"),
            secretVariable("PORT", databaseSecret, "port"),
            secretVariable("USER", databaseSecret, "username"),
            secretVariable("PASSWORD", databaseSecret, "password"),
            ["name": "ODOO_RC", "value": .string("\(PlanContext.confMount)/odoo.conf")],
        ] + redisSessionEnvironment()
    }

    func secretVariable(_ name: String, _ secret: String, _ key: String) -> JSONValue {
        ["name": .string(name), "valueFrom": ["secretKeyRef": ["key": .string(key), "name": .string(secret)]]]
    }

    func containerResources() -> JSONValue {
        var result: JSONObject = [:]
        if !resources.limits.isEmpty { result["limits"] = PlanContext.quantities(resources.limits) }
        if !resources.requests.isEmpty { result["requests"] = PlanContext.quantities(resources.requests) }
        return .object(result)
    }

    func volumeMounts() -> JSONValue {
        .array(addonsMount(readOnly: true) + [
            ["mountPath": .string(PlanContext.confMount), "name": "config", "readOnly": true],
            ["mountPath": "/tmp", "name": "tmp"],
            ["mountPath": "/var/lib/odoo", "name": "filestore"],
        ])
    }

    private func volumes() -> JSONValue {
        .array((addonImages.isEmpty ? [] : [["emptyDir": ["sizeLimit": "2Gi"], "name": .string(PlanContext.addonsVolume)]]) + [
            ["configMap": ["name": .string(names.config)], "name": "base-config"],
            ["emptyDir": ["medium": "Memory", "sizeLimit": "1Mi"], "name": "config"],
            ["name": "filestore", "persistentVolumeClaim": ["claimName": .string(names.filestore)]],
            ["emptyDir": ["sizeLimit": "1Gi"], "name": "tmp"],
        ])
    }

    /// The restricted Pod Security Standard for a container, with a read-only root file system.
    static let containerSecurity: JSONValue = [
        "allowPrivilegeEscalation": false,
        "capabilities": ["drop": ["ALL"]],
        "readOnlyRootFilesystem": true,
        "runAsNonRoot": true,
    ]
}
