import KubeModel

/// The backup and restore-rehearsal CronJobs, the ConfigMap of their scripts (and the public key
/// backups are encrypted for), and the on-demand backup Job before a production change.
extension PlanContext {
    /// Where backups of this environment go: the spec's bucket or the configuration's, plus
    /// `namespace/name`, so environments never share a prefix.
    var backupURL: String { backupURL(of: environment) }

    /// The Secret with the S3 credentials, in the environment's namespace.
    var backupCredentialsSecret: String { environment.backup?.credentialsSecret ?? configuration.backup.credentialsSecret }

        /// The scripts, and the public key backups are encrypted for when the configuration has one.
    func backupScriptsConfigMap() -> JSONValue {
        var data = JSONObject(uniqueKeysWithValues: BackupScripts.files.map { ($0.0, JSONValue.string($0.1)) })
        if let encryption = configuration.backup.encryption { data[BackupScripts.publicKeyFile] = .string(encryption.publicKey) }
        return object(.configMaps, names.backupScripts, component: .backup, ["data": .object(data)])
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
        var dumpSettings: [JSONValue] = [["name": "FILESTORE", "value": .string("/var/lib/odoo/filestore/\(environment.database.name)")]]
        if configuration.backup.encryption != nil {
            dumpSettings.append(["name": "PUBLIC_KEY", "value": .string("/scripts/\(BackupScripts.publicKeyFile)")])
        }
        let dump = toolContainer(.dump, configuration.postgresImage, script: "backup-dump.sh", env: databaseLogin() + dumpSettings,
                                 mounts: [["mountPath": "/var/lib/odoo", "name": "filestore", "readOnly": true]])
        let upload = toolContainer(.upload, configuration.s3ClientImage, script: "backup-upload.sh", env: s3Settings() + copySettings() + [
            ["name": "RETENTION_DAYS", "value": .string(String(backupRetentionDays))],
        ], mounts: [])
        return jobSpec(component: .backup, initContainers: [dump], container: upload, extraVolumes: [
            ["name": "filestore", "persistentVolumeClaim": ["claimName": .string(names.filestore), "readOnly": true]],
        ])
    }

    /// The restore rehearsal: `restore-fetch.sh` in the S3 client image, then `restore-check.sh` in PostgreSQL's.
    func restoreCheckJobSpec() -> JSONValue {
        let fetch = toolContainer(.fetch, configuration.s3ClientImage, script: "restore-fetch.sh", env: s3Settings(), mounts: [])
        var settings: [JSONValue] = [["name": "SCRATCH_DATABASE", "value": .string(environment.restoreCheckDatabase)]]
        var mounts: [JSONValue] = []
        var volumes: [JSONValue] = []
        // The private key reaches this container only; optional, so a missing Secret fails the
        // rehearsal with the script's sentence rather than leaving the pod pending.
        if let encryption = configuration.backup.encryption {
            settings.append(["name": "PRIVATE_KEY", "value": "/keys/private.asc"])
            mounts.append(["mountPath": "/keys", "name": "decryption-key", "readOnly": true])
            volumes.append(["name": "decryption-key", "secret": ["defaultMode": 0o400, "optional": true, "secretName": .string(encryption.privateKeySecret),
                                                                 "items": [["key": "private.asc", "path": "private.asc"]]]])
        }
        let check = toolContainer(.check, configuration.postgresImage, script: "restore-check.sh", env: databaseLogin() + settings, mounts: mounts)
        return jobSpec(component: .restoreCheck, initContainers: [fetch], container: check, extraVolumes: volumes)
    }

    /// A Job spec of tool containers: the work and tmp volumes, the scripts ConfigMap when `scripts`,
    /// the Odoo uid (the filestore is Odoo's).
    func jobSpec(component: Component, initContainers: [JSONValue], container: JSONValue, extraVolumes: [JSONValue],
                 backoffLimit: Int64 = 2, scripts: Bool = true) -> JSONValue {
        let scriptVolume: [JSONValue] = scripts ? [["configMap": ["defaultMode": 0o555, "name": .string(names.backupScripts)], "name": "scripts"]] : []
        return [
            "activeDeadlineSeconds": 21600,
            "backoffLimit": .int(backoffLimit),
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
                    "volumes": .array(scriptVolume + [
                        ["emptyDir": ["sizeLimit": "20Gi"], "name": "work"],
                        ["emptyDir": ["sizeLimit": "256Mi"], "name": "tmp"],
                    ] + extraVolumes),
                ],
            ],
        ]
    }

    private func toolContainer(_ name: JobContainer, _ image: String, script: String, env: [JSONValue], mounts: [JSONValue]) -> JSONValue {
        jobContainer(name, image, command: ["/bin/sh", .string("/scripts/\(script)")], env: env, mounts: mounts,
                     leading: [["mountPath": "/scripts", "name": "scripts", "readOnly": true]])
    }

    /// A tool container running `command`: `leading` mounts, the work and tmp volumes, then `mounts`.
    func jobContainer(_ name: JobContainer, _ image: String, command: JSONValue, env: [JSONValue], mounts: [JSONValue],
                      leading: [JSONValue] = []) -> JSONValue {
        [
            "command": command,
            "env": .array(env + [["name": "WORK", "value": "/work"], ["name": "HOME", "value": "/tmp"]]),
            "image": .string(image),
            "name": .string(name.rawValue),
            "resources": ["limits": ["memory": "1Gi"], "requests": ["cpu": "100m", "memory": "128Mi"]],
            "securityContext": PlanContext.containerSecurity,
            "terminationMessagePolicy": "FallbackToLogsOnError",
            "volumeMounts": .array(leading + [
                ["mountPath": "/work", "name": "work"],
                ["mountPath": "/tmp", "name": "tmp"],
            ] + mounts),
        ]
    }

    func databaseLogin() -> [JSONValue] {
        [
            secretVariable("PGHOST", databaseSecret, "host"),
            secretVariable("PGPORT", databaseSecret, "port"),
            secretVariable("PGUSER", databaseSecret, "username"),
            secretVariable("PGPASSWORD", databaseSecret, "password"),
            ["name": "PGDATABASE", "value": .string(environment.database.name)],
        ]
    }

    func s3Settings() -> [JSONValue] {
        var settings: [JSONValue] = [
            ["name": "S3_URL", "value": .string(backupURL)],
            ["name": "AWS_DEFAULT_REGION", "value": .string(configuration.backup.region)],
            secretVariable("AWS_ACCESS_KEY_ID", backupCredentialsSecret, "AWS_ACCESS_KEY_ID"),
            secretVariable("AWS_SECRET_ACCESS_KEY", backupCredentialsSecret, "AWS_SECRET_ACCESS_KEY"),
        ]
        if let endpoint = configuration.backup.endpoint { settings.append(["name": "S3_ENDPOINT", "value": .string(endpoint)]) }
        return settings
    }

    /// The second bucket's settings for the upload container (none without `backup.copy`).
    func copySettings() -> [JSONValue] {
        guard let copy = configuration.backup.copy else { return [] }
        let base = copy.bucket.hasSuffix("/") ? String(copy.bucket.dropLast()) : copy.bucket
        var settings: [JSONValue] = [["name": "COPY_S3_URL", "value": .string("\(base)/\(environment.namespace)/\(environment.name)")]]
        if let region = copy.region { settings.append(["name": "COPY_AWS_DEFAULT_REGION", "value": .string(region)]) }
        if let endpoint = copy.endpoint { settings.append(["name": "COPY_S3_ENDPOINT", "value": .string(endpoint)]) }
        if let secret = copy.credentialsSecret {
            settings.append(secretVariable("COPY_AWS_ACCESS_KEY_ID", secret, "AWS_ACCESS_KEY_ID"))
            settings.append(secretVariable("COPY_AWS_SECRET_ACCESS_KEY", secret, "AWS_SECRET_ACCESS_KEY"))
        }
        return settings
    }
}
