import KubeModel

/// The dedicated PostgreSQL and Redis, the backup and restore-rehearsal CronJobs, and the on-demand
/// backup Job before a production change.
extension PlanContext {
    /// Where backups of this environment go: the spec's bucket or the configuration's, plus
    /// `namespace/name`, so environments never share a prefix.
    var backupURL: String {
        let base = environment.backup?.bucket ?? configuration.backup.bucket
        let trimmed = base.hasSuffix("/") ? String(base.dropLast()) : base
        return "\(trimmed)/\(environment.namespace)/\(environment.name)"
    }

    /// The Secret with the S3 credentials, in the environment's namespace.
    var backupCredentialsSecret: String { environment.backup?.credentialsSecret ?? configuration.backup.credentialsSecret }

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

    // MARK: Backups

    func backupScriptsConfigMap() -> JSONValue {
        object(.configMaps, names.backupScripts, component: .backup, [
            "data": .object(JSONObject(uniqueKeysWithValues: BackupScripts.files.map { ($0.0, JSONValue.string($0.1)) })),
        ])
    }

    func backupCronJobs() -> [JSONValue] {
        guard let backup = environment.backup else { return [] }
        // The rehearsal runs weekly on Sunday, its minute and hour spread by the environment's name.
        let spread = Int(StableHash.fnv1a("\(environment.namespace)/\(environment.name)".utf8) % 180)
        return [
            cronJob(names.backup, component: .backup, schedule: backup.schedule, job: backupJobSpec()),
            cronJob(names.restoreCheck, component: .restoreCheck, schedule: "\(spread % 60) \(3 + spread / 60) * * 0", job: restoreCheckJobSpec()),
        ]
    }

    private func cronJob(_ name: String, component: Component, schedule: String, job: JSONValue) -> JSONValue {
        object(.cronJobs, name, component: component, ["spec": [
            "concurrencyPolicy": "Forbid",
            "failedJobsHistoryLimit": 3,
            "jobTemplate": ["metadata": ["labels": PlanContext.map(environment.labels(component: component))], "spec": job],
            "schedule": .string(schedule),
            "startingDeadlineSeconds": 3600,
            "successfulJobsHistoryLimit": 3,
            "timeZone": "Etc/UTC",
        ]])
    }

    /// The backup Job: `backup-dump.sh` in the PostgreSQL image, then `backup-upload.sh` in the S3 client's.
    func backupJobSpec() -> JSONValue {
        let dump = toolContainer(.dump, configuration.postgresImage, script: "backup-dump.sh", env: databaseLogin() + [
            ["name": "FILESTORE", "value": .string("/var/lib/odoo/filestore/\(environment.database.name)")],
        ], mounts: [["mountPath": "/var/lib/odoo", "name": "filestore", "readOnly": true]])
        let upload = toolContainer(.upload, configuration.s3ClientImage, script: "backup-upload.sh", env: s3Settings() + [
            ["name": "RETENTION_DAYS", "value": .string(String(environment.backup?.retentionDays ?? 14))],
        ], mounts: [])
        return jobSpec(component: .backup, initContainers: [dump], container: upload, extraVolumes: [
            ["name": "filestore", "persistentVolumeClaim": ["claimName": .string(names.filestore), "readOnly": true]],
        ])
    }

    /// The restore rehearsal: `restore-fetch.sh` in the S3 client image, then `restore-check.sh` in PostgreSQL's.
    func restoreCheckJobSpec() -> JSONValue {
        let fetch = toolContainer(.fetch, configuration.s3ClientImage, script: "restore-fetch.sh", env: s3Settings(), mounts: [])
        let check = toolContainer(.check, configuration.postgresImage, script: "restore-check.sh", env: databaseLogin() + [
            ["name": "SCRATCH_DATABASE", "value": .string(environment.restoreCheckDatabase)],
        ], mounts: [])
        return jobSpec(component: .restoreCheck, initContainers: [fetch], container: check, extraVolumes: [])
    }

    private func jobSpec(component: Component, initContainers: [JSONValue], container: JSONValue, extraVolumes: [JSONValue]) -> JSONValue {
        [
            "activeDeadlineSeconds": 21600,
            "backoffLimit": 2,
            "template": [
                "metadata": ["labels": PlanContext.map(environment.labels(component: component))],
                "spec": [
                    "automountServiceAccountToken": false,
                    "containers": [container],
                    "enableServiceLinks": false,
                    "initContainers": .array(initContainers),
                    "restartPolicy": "Never",
                    // The Odoo uid, so the filestore (group-readable through fsGroup) can be read.
                    "securityContext": podSecurity(uid: configuration.odooUID),
                    "volumes": .array([
                        ["configMap": ["defaultMode": 0o555, "name": .string(names.backupScripts)], "name": "scripts"],
                        ["emptyDir": ["sizeLimit": "20Gi"], "name": "work"],
                        ["emptyDir": ["sizeLimit": "256Mi"], "name": "tmp"],
                    ] + extraVolumes),
                ],
            ],
        ]
    }

    private func toolContainer(_ name: JobContainer, _ image: String, script: String, env: [JSONValue], mounts: [JSONValue]) -> JSONValue {
        [
            "command": ["/bin/sh", .string("/scripts/\(script)")],
            "env": .array(env + [["name": "WORK", "value": "/work"], ["name": "HOME", "value": "/tmp"]]),
            "image": .string(image),
            "name": .string(name.rawValue),
            "resources": ["limits": ["memory": "1Gi"], "requests": ["cpu": "100m", "memory": "128Mi"]],
            "securityContext": PlanContext.containerSecurity,
            "terminationMessagePolicy": "FallbackToLogsOnError",
            "volumeMounts": .array([
                ["mountPath": "/scripts", "name": "scripts", "readOnly": true],
                ["mountPath": "/work", "name": "work"],
                ["mountPath": "/tmp", "name": "tmp"],
            ] + mounts),
        ]
    }

    private func databaseLogin() -> [JSONValue] {
        [
            secretVariable("PGHOST", databaseSecret, "host"),
            secretVariable("PGPORT", databaseSecret, "port"),
            secretVariable("PGUSER", databaseSecret, "username"),
            secretVariable("PGPASSWORD", databaseSecret, "password"),
            ["name": "PGDATABASE", "value": .string(environment.database.name)],
        ]
    }

    private func s3Settings() -> [JSONValue] {
        var settings: [JSONValue] = [
            ["name": "S3_URL", "value": .string(backupURL)],
            ["name": "AWS_DEFAULT_REGION", "value": .string(configuration.backup.region)],
            secretVariable("AWS_ACCESS_KEY_ID", backupCredentialsSecret, "AWS_ACCESS_KEY_ID"),
            secretVariable("AWS_SECRET_ACCESS_KEY", backupCredentialsSecret, "AWS_SECRET_ACCESS_KEY"),
        ]
        if let endpoint = configuration.backup.endpoint { settings.append(["name": "S3_ENDPOINT", "value": .string(endpoint)]) }
        return settings
    }

    private func podSecurity(uid: Int) -> JSONValue {
        ["fsGroup": .int(Int64(uid)), "runAsGroup": .int(Int64(uid)), "runAsNonRoot": true, "runAsUser": .int(Int64(uid)),
         "seccompProfile": ["type": "RuntimeDefault"]]
    }
}
