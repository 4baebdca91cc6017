import GuardRules
import KubeModel

/// An OdooRestore's Jobs in the target environment: verify (fetch and checksum), restore (fetch,
/// decrypt, replace database and filestore), neutralise (`odoo neutralize`), mask (the policy's SQL).
/// Their scripts are in the Jobs themselves, so a target without backups of its own can be refreshed.
extension PlanContext {
    /// Where `source`'s backups are: its bucket (or the configuration's) plus `namespace/name`, so
    /// environments never share a prefix.
    func backupURL(of source: OdooEnvironment) -> String {
        let base = source.backup?.bucket ?? configuration.backup.bucket
        return "\(base.hasSuffix("/") ? String(base.dropLast()) : base)/\(source.namespace)/\(source.name)"
    }

    /// The fetch container: `stamp` (`nil`: the newest) of `source`'s backups, dump and filestore
    /// archive, checked against their checksums.
    private func fetchContainer(source: OdooEnvironment, stamp: String?) -> JSONValue {
        var env = s3Settings().filter { $0["name"]?.stringValue != "S3_URL" }
        env.append(["name": "S3_URL", "value": .string(backupURL(of: source))])
        env.append(["name": "FETCH_FILESTORE", "value": "1"])
        if let stamp { env.append(["name": "BACKUP_STAMP", "value": .string(stamp)]) }
        return inlineContainer(.fetch, configuration.s3ClientImage, script: BackupScripts.fetch, env: env, mounts: [])
    }

    /// The verify Job: the backup exists and matches its checksums; nothing is touched.
    func restoreVerifyJob(name: String, restore: String, source: OdooEnvironment, stamp: String?) -> JSONValue {
        restoreJob(name: name, restore: restore, initContainers: [], container: fetchContainer(source: source, stamp: stamp), volumes: [])
    }

    /// The restore Job: fetch, then replace the database (one transaction) and the filestore.
    func restoreApplyJob(name: String, restore: String, source: OdooEnvironment, stamp: String?) -> JSONValue {
        var settings: [JSONValue] = [["name": "FILESTORE", "value": .string("/var/lib/odoo/filestore/\(environment.database.name)")]]
        var mounts: [JSONValue] = [["mountPath": "/var/lib/odoo", "name": "filestore"]]
        var volumes: [JSONValue] = [["name": "filestore", "persistentVolumeClaim": ["claimName": .string(names.filestore)]]]
        if let encryption = configuration.backup.encryption {
            settings.append(["name": "PRIVATE_KEY", "value": "/keys/private.asc"])
            mounts.append(["mountPath": "/keys", "name": "decryption-key", "readOnly": true])
            volumes.append(["name": "decryption-key", "secret": ["defaultMode": 0o400, "optional": true, "secretName": .string(encryption.privateKeySecret),
                                                                 "items": [["key": "private.asc", "path": "private.asc"]]]])
        }
        let apply = inlineContainer(.apply, configuration.postgresImage, script: BackupScripts.restoreApply, env: databaseLogin() + settings, mounts: mounts)
        return restoreJob(name: name, restore: restore, initContainers: [fetchContainer(source: source, stamp: stamp)], container: apply, volumes: volumes)
    }

    /// The mask Job: the policy's masking SQL in one transaction.
    func restoreMaskJob(name: String, restore: String, sql: String) -> JSONValue {
        let script = "set -eu\nprintf '%s\\n' \"$MASKING_SQL\" | psql -X -q -v ON_ERROR_STOP=1 -d \"$PGDATABASE\"\necho \"masked database $PGDATABASE\"\n"
        let mask = inlineContainer(.mask, configuration.postgresImage, script: script, env: databaseLogin() + [["name": "MASKING_SQL", "value": .string(sql)]], mounts: [])
        return restoreJob(name: name, restore: restore, initContainers: [], container: mask, volumes: [])
    }

    /// The neutralise Job: Odoo's own `odoo neutralize` on the restored database (Odoo ≥ 16).
    func restoreNeutralizeJob(name: String, restore: String) -> JSONValue {
        let database = environment.database.name
        let script = """
            set -eu
            export PGHOST="$HOST" PGPORT="$PORT" PGUSER="$USER" PGPASSWORD="$PASSWORD"
            exec odoo neutralize --config=\(PlanContext.confMount)/odoo.conf --database=\(database)
            """
        return PlanContext.labelled(odooJob(name: name, component: .restore, container: .neutralize, script: script, deadline: 3600, retries: 0),
                                    restore: restore)
    }

    /// `job` with the restore's label on itself and its pods (the restore lists both by it).
    static func labelled(_ job: JSONValue, restore: String) -> JSONValue {
        var job = job
        for path in [FieldPath([.key("metadata"), .key("labels")]), FieldPath([.key("spec"), .key("template"), .key("metadata"), .key("labels")])] {
            _ = job.set(.string(restore), at: path / GuardLabels.restore)
        }
        return job
    }

    private func restoreJob(name: String, restore: String, initContainers: [JSONValue], container: JSONValue, volumes: [JSONValue]) -> JSONValue {
        // A restore step is not retried in place: its outcome decides the next step.
        PlanContext.labelled(object(.jobs, name, component: .restore, ["spec": jobSpec(component: .restore, initContainers: initContainers,
                                                                                    container: container, extraVolumes: volumes, backoffLimit: 0,
                                                                                    scripts: false)]), restore: restore)
    }

    private func inlineContainer(_ name: JobContainer, _ image: String, script: String, env: [JSONValue], mounts: [JSONValue]) -> JSONValue {
        jobContainer(name, image, command: ["/bin/sh", "-c", .string(script)], env: env, mounts: mounts)
    }
}
