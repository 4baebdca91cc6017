import KubeModel

/// The dedicated PostgreSQL and Redis (the backups are `PlanContext+Backups`).
extension PlanContext {
    // MARK: Dedicated servers

    /// The dedicated server, its `max_connections` the environment's worst case plus the superuser
    /// reserve (at least PostgreSQL's default of 100).
    func dedicatedPostgres(connections: Int) -> [JSONValue] {
        let selector = PlanContext.map(environment.selector(component: .database))
        let container: JSONObject = [
            "args": ["-c", .string("max_connections=\(max(100, connections + 10))")],
            "env": [
                secretVariable("POSTGRES_USER", databaseSecret, "username"),
                secretVariable("POSTGRES_PASSWORD", databaseSecret, "password"),
                ["name": "POSTGRES_DB", "value": .string(environment.database.name)],
                ["name": "PGDATA", "value": "/var/lib/postgresql/data/pgdata"],
            ],
            "image": .string(configuration.postgresImage),
            "name": "postgres",
            "ports": [["containerPort": 5432, "name": "postgres", "protocol": "TCP"]],
            "readinessProbe": ["exec": ["command": ["/bin/sh", "-c", "pg_isready -h 127.0.0.1 -U \"$POSTGRES_USER\" -d \"$POSTGRES_DB\""]],
                               "periodSeconds": 10, "timeoutSeconds": 5],
            "resources": ["limits": ["memory": "2Gi"], "requests": ["cpu": "250m", "memory": "512Mi"]],
            "securityContext": PlanContext.containerSecurity,
            "volumeMounts": [
                ["mountPath": "/var/lib/postgresql/data", "name": "data"],
                ["mountPath": "/var/run/postgresql", "name": "run"],
                ["mountPath": "/tmp", "name": "tmp"],
            ],
        ]
        let statefulSet = object(.statefulSets, names.postgres, component: .database, ["spec": [
            "podManagementPolicy": "OrderedReady",
            "replicas": 1,
            "selector": ["matchLabels": selector],
            "serviceName": .string(names.postgres),
            "template": [
                "metadata": ["labels": PlanContext.map(environment.labels(component: .database))],
                "spec": [
                    "automountServiceAccountToken": false,
                    "containers": [.object(container)],
                    "enableServiceLinks": false,
                    // The official image's postgres user.
                    "securityContext": podSecurity(uid: 999),
                    "volumes": [
                        ["emptyDir": ["medium": "Memory", "sizeLimit": "16Mi"], "name": "run"],
                        ["emptyDir": ["sizeLimit": "1Gi"], "name": "tmp"],
                    ],
                ],
            ],
            "volumeClaimTemplates": [[
                "metadata": ["name": "data"],
                "spec": ["accessModes": ["ReadWriteOnce"], "resources": ["requests": ["storage": .string(environment.database.dedicatedStorage)]]],
            ]],
        ]])
        let service = object(.services, names.postgres, component: .database, ["spec": [
            "ports": [["name": "postgres", "port": 5432, "protocol": "TCP", "targetPort": "postgres"]],
            "selector": selector, "type": "ClusterIP",
        ]])
        return [statefulSet, service]
    }

    func dedicatedRedis() -> [JSONValue] {
        let selector = PlanContext.map(environment.selector(component: .redis))
        let container: JSONObject = [
            // Sessions only: no persistence, the password from the environment's Redis Secret.
            "args": ["--requirepass", "$(REDIS_PASSWORD)", "--save", "", "--appendonly", "no", "--maxmemory-policy", "volatile-lru"],
            "env": [secretVariable("REDIS_PASSWORD", redisSecret, "password")],
            "image": .string(configuration.redisImage),
            "name": "redis",
            "ports": [["containerPort": 6379, "name": "redis", "protocol": "TCP"]],
            "readinessProbe": ["periodSeconds": 10, "tcpSocket": ["port": "redis"]],
            "resources": ["limits": ["memory": "256Mi"], "requests": ["cpu": "50m", "memory": "64Mi"]],
            "securityContext": PlanContext.containerSecurity,
            "volumeMounts": [["mountPath": "/data", "name": "data"]],
        ]
        let deployment = object(.deployments, names.redis, component: .redis, ["spec": [
            "replicas": 1,
            "selector": ["matchLabels": selector],
            "strategy": ["type": "Recreate"],
            "template": [
                "metadata": ["labels": PlanContext.map(environment.labels(component: .redis))],
                "spec": [
                    "automountServiceAccountToken": false,
                    "containers": [.object(container)],
                    "enableServiceLinks": false,
                    "securityContext": podSecurity(uid: 999),
                    "volumes": [["emptyDir": ["sizeLimit": "64Mi"], "name": "data"]],
                ],
            ],
        ]])
        let service = object(.services, names.redis, component: .redis, ["spec": [
            "ports": [["name": "redis", "port": 6379, "protocol": "TCP", "targetPort": "redis"]],
            "selector": selector, "type": "ClusterIP",
        ]])
        return [deployment, service]
    }

    /// The session-store variables `session_redis` reads, from the Redis Secret.
    func redisSessionEnvironment() -> [JSONValue] {
        guard environment.redis.enabled else { return [] }
        return [
            ["name": "ODOO_SESSION_REDIS", "value": "1"],
            secretVariable("ODOO_SESSION_REDIS_HOST", redisSecret, "host"),
            secretVariable("ODOO_SESSION_REDIS_PORT", redisSecret, "port"),
            secretVariable("ODOO_SESSION_REDIS_USER", redisSecret, "username"),
            secretVariable("ODOO_SESSION_REDIS_PASSWORD", redisSecret, "password"),
            ["name": "ODOO_SESSION_REDIS_PREFIX", "value": .string(redisPrefix)],
            ["name": "ODOO_SESSION_REDIS_URL",
             "value": "redis://$(ODOO_SESSION_REDIS_USER):$(ODOO_SESSION_REDIS_PASSWORD)@$(ODOO_SESSION_REDIS_HOST):$(ODOO_SESSION_REDIS_PORT)/0"],
        ]
    }

    /// The key prefix of the environment's sessions, which its shared-Redis ACL user is limited to.
    var redisPrefix: String { "\(environment.namespace).\(environment.name)" }

    func podSecurity(uid: Int) -> JSONValue {
        ["fsGroup": .int(Int64(uid)), "runAsGroup": .int(Int64(uid)), "runAsNonRoot": true, "runAsUser": .int(Int64(uid)),
         "seccompProfile": ["type": "RuntimeDefault"]]
    }
}
