import Foundation
import KubeModel
import OdooPlan
import Testing
import TestSupport

/// The backup and restore-rehearsal scripts exactly as the plan renders them into the environment's
/// ConfigMap, run with `sh` against a real PostgreSQL 15 and an S3 server (moto) on loopback, with the
/// PostgreSQL client tools and the AWS CLI the Job images carry.
@Suite("Backup and restore scripts", .serialized)
struct BackupScriptTests {
    static let bucket = "odoo-backups"
    static let s3URL = "s3://\(bucket)/tenants/clinic-prod/clinic"

    /// The scripts from the plan's ConfigMap, written to a directory.
    static func renderedScripts() throws -> URL {
        let environment: JSONValue = [
            "apiVersion": "odooguard.io/v1alpha1", "kind": "OdooEnvironment", "metadata": ["name": "clinic", "namespace": "clinic-prod"],
            "spec": ["version": "17.0", "tier": "shared", "stage": "production", "database": ["name": "clinic"],
                     "ingress": ["host": "clinic.example.com", "tls": ["certResolver": "le"]],
                     "backup": ["schedule": "30 1 * * *", "retentionDays": 14, "bucket": .string("s3://\(bucket)/tenants")]],
        ]
        let desired = try OdooPlanner(configuration: try OperatorConfiguration.builtIn()).plan(try OdooEnvironment.decode(environment))
        let configMap = try #require(desired.objects.first { $0["metadata"]?["name"]?.stringValue == "clinic-backup-scripts" })
        let cronJob = try #require(desired.objects.first { $0["kind"] == "CronJob" && $0["metadata"]?["name"]?.stringValue == "clinic-backup" })
        // The Job reads the same bucket URL the test uses.
        let upload = cronJob["spec"]?["jobTemplate"]?["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first
        #expect(upload?["env"]?.arrayValue?.contains { $0["name"] == "S3_URL" && $0["value"]?.stringValue == s3URL } == true)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("odoo-guard-scripts-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, text) in configMap["data"]?.objectValue ?? [:] {
            try (text.stringValue ?? "").write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return directory
    }

    /// Runs `body` with the plan's scripts written to a directory, a real PostgreSQL and an S3
    /// server, all stopped and removed afterwards, even on failure.
    static func withServers(_ body: @Sendable (URL, PostgresServer, S3Server) async throws -> Void) async throws {
        let scripts = try renderedScripts()
        let postgres = try await offPool { try PostgresServer() }
        let s3 = try await offPool { try S3Server() }
        defer {
            postgres.stop()
            s3.stop()
            try? FileManager.default.removeItem(at: scripts)
        }
        try await body(scripts, postgres, s3)
    }

    /// Runs a script with `sh` and the given environment; returns status and output.
    static func run(_ script: URL, _ environment: [String: String]) throws -> (status: Int32, output: String) {
        try Subprocess.run("/usr/bin/env", environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" } + ["/bin/sh", script.path])
    }

    static func aws(_ s3: S3Server, _ arguments: [String]) throws -> String {
        try Subprocess.checked("/usr/bin/env", ["AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_DEFAULT_REGION=us-east-1",
                                                ExecutablePath.onPath("aws"), "--endpoint-url", s3.endpoint] + arguments)
    }

    static func keys(_ s3: S3Server) throws -> [String] {
        try aws(s3, ["s3api", "list-objects-v2", "--bucket", bucket, "--query", "Contents[].Key", "--output", "text"])
            .split(whereSeparator: { $0 == "\t" || $0 == "\n" }).map(String.init).filter { $0 != "None" }.sorted()
    }

    @Test("backup uploads dump, filestore and checksums, prunes past the retention, and the rehearsal restores it")
    func backupAndRehearsal() async throws {
        try await Self.withServers { scripts, postgres, s3 in
            let recent = Self.stamp(Date().addingTimeInterval(-3 * 86400))
            // An Odoo-like database and a filestore.
            try await offPool {
                try postgres.psql("CREATE DATABASE clinic")
                try Subprocess.checked("/usr/bin/psql", ["-X", "-q", "-h", "127.0.0.1", "-p", "\(postgres.port)", "-U", "postgres", "-d", "clinic", "-v", "ON_ERROR_STOP=1", "-c",
                    "CREATE TABLE ir_module_module (id serial PRIMARY KEY, name text, state text); INSERT INTO ir_module_module (name, state) VALUES ('base', 'installed'), ('web', 'installed'), ('sale', 'uninstalled'); CREATE TABLE res_partner (id serial PRIMARY KEY, name text); INSERT INTO res_partner (name) SELECT 'patient ' || g FROM generate_series(1, 500) g"])
                _ = try Self.aws(s3, ["s3api", "create-bucket", "--bucket", Self.bucket])
                // Backups from long ago (pruned), one inside the retention (kept), something else (kept).
                let old = FileManager.default.temporaryDirectory.appendingPathComponent("odoo-guard-old-\(UUID().uuidString.prefix(8))")
                try "old".write(to: old, atomically: true, encoding: .utf8)
                defer { try? FileManager.default.removeItem(at: old) }
                for key in ["20200101T000000Z.dump", "20200101T000000Z.filestore.tar.gz", "20200101T000000Z.sha256", "\(recent).sha256", "README"] {
                    _ = try Self.aws(s3, ["s3", "cp", "--only-show-errors", old.path, "\(Self.s3URL)/\(key)"])
                }
            }
            let work = scripts.appendingPathComponent("work"), filestore = scripts.appendingPathComponent("filestore/clinic")
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: filestore.appendingPathComponent("a1"), withIntermediateDirectories: true)
            try "attachment".write(to: filestore.appendingPathComponent("a1/a1b2c3"), atomically: true, encoding: .utf8)
            let login = ["PGHOST": "127.0.0.1", "PGPORT": "\(postgres.port)", "PGUSER": "postgres", "PGDATABASE": "clinic", "WORK": work.path]
            let s3Settings = ["S3_URL": Self.s3URL, "S3_ENDPOINT": s3.endpoint, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                              "AWS_DEFAULT_REGION": "us-east-1", "WORK": work.path, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]

            let dump = try await offPool { try Self.run(scripts.appendingPathComponent("backup-dump.sh"), login.merging(["FILESTORE": filestore.path]) { $1 }) }
            #expect(dump.status == 0, "\(dump.output)")
            let termination = work.appendingPathComponent("termination")
            let upload = try await offPool {
                try Self.run(scripts.appendingPathComponent("backup-upload.sh"), s3Settings.merging(["RETENTION_DAYS": "14", "TERMINATION_LOG": termination.path]) { $1 })
            }
            #expect(upload.status == 0, "\(upload.output)")
            let report = try JSONParser.parse(try String(contentsOf: termination, encoding: .utf8))
            let stamp = try #require(report["backup"]?.stringValue)
            #expect((report["size"]?.intValue ?? 0) > 1000)
            #expect(report["pruned"]?.intValue == 3)
            let keys = try await offPool { try Self.keys(s3) }
            let prefix = "tenants/clinic-prod/clinic/"
            #expect(Set(keys) == Set(["\(stamp).dump", "\(stamp).filestore.tar.gz", "\(stamp).sha256", "\(recent).sha256", "README"].map { prefix + $0 }),
                    "\(keys)")
            // The checksum in the bucket is the dump's.
            let sums = try await offPool { try Self.aws(s3, ["s3", "cp", "\(Self.s3URL)/\(stamp).sha256", "-"]) }
            #expect(sums.contains("\(report["sha256"]?.stringValue ?? "?")  \(stamp).dump"))
            #expect(sums.contains("\(stamp).filestore.tar.gz"))

            // The rehearsal, in a fresh work directory as a new pod would have it.
            let rehearsal = scripts.appendingPathComponent("rehearsal")
            try FileManager.default.createDirectory(at: rehearsal, withIntermediateDirectories: true)
            let fetch = try await offPool { try Self.run(scripts.appendingPathComponent("restore-fetch.sh"), s3Settings.merging(["WORK": rehearsal.path]) { $1 }) }
            #expect(fetch.status == 0, "\(fetch.output)")
            #expect(fetch.output.contains("\(stamp).dump: OK"))
            let checkLog = rehearsal.appendingPathComponent("termination")
            let check = try await offPool {
                try Self.run(scripts.appendingPathComponent("restore-check.sh"),
                             login.merging(["WORK": rehearsal.path, "SCRATCH_DATABASE": "clinic_restore", "TERMINATION_LOG": checkLog.path]) { $1 })
            }
            #expect(check.status == 0, "\(check.output)")
            let checked = try JSONParser.parse(try String(contentsOf: checkLog, encoding: .utf8))
            #expect(checked["backup"]?.stringValue == stamp)
            #expect(checked["tables"]?.intValue == 2)
            #expect(checked["modules"]?.intValue == 2)
            // No copy of the data stays in the scratch database.
            let left = try await offPool {
                try Subprocess.checked("/usr/bin/psql", ["-X", "-A", "-t", "-h", "127.0.0.1", "-p", "\(postgres.port)", "-U", "postgres", "-d", "clinic_restore", "-c",
                                                         "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"])
            }
            #expect(left.trimmingCharacters(in: .whitespacesAndNewlines) == "0")

            // A dump altered in the bucket fails its checksum: the rehearsal stops before restoring.
            try await offPool {
                let bad = rehearsal.appendingPathComponent("bad")
                try "tampered".write(to: bad, atomically: true, encoding: .utf8)
                _ = try Self.aws(s3, ["s3", "cp", "--only-show-errors", bad.path, "\(Self.s3URL)/\(stamp).dump"])
            }
            let again = scripts.appendingPathComponent("again")
            try FileManager.default.createDirectory(at: again, withIntermediateDirectories: true)
            let tampered = try await offPool { try Self.run(scripts.appendingPathComponent("restore-fetch.sh"), s3Settings.merging(["WORK": again.path]) { $1 }) }
            #expect(tampered.status != 0)
            #expect(tampered.output.contains("FAILED"), "\(tampered.output)")
        }
    }

    /// With `COPY_S3_URL` every backup also lands in a second bucket (its own region), where the
    /// retention applies too; the report names the copy.
    @Test func aSecondBucketGetsEveryBackupAndItsRetention() async throws {
        try await Self.withServers { scripts, postgres, s3 in
            let copyURL = "s3://odoo-backups-dr/tenants/clinic-prod/clinic"
            try await offPool {
                try postgres.psql("CREATE DATABASE clinic")
                _ = try Self.aws(s3, ["s3api", "create-bucket", "--bucket", Self.bucket])
                _ = try Self.aws(s3, ["s3api", "create-bucket", "--bucket", "odoo-backups-dr"])
                let old = scripts.appendingPathComponent("old")
                try "old".write(to: old, atomically: true, encoding: .utf8)
                _ = try Self.aws(s3, ["s3", "cp", "--only-show-errors", old.path, "\(copyURL)/20200101T000000Z.dump"])
            }
            let work = scripts.appendingPathComponent("work")
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
            let dump = try await offPool {
                try Self.run(scripts.appendingPathComponent("backup-dump.sh"),
                             ["PGHOST": "127.0.0.1", "PGPORT": "\(postgres.port)", "PGUSER": "postgres", "PGDATABASE": "clinic", "WORK": work.path, "PATH": path])
            }
            #expect(dump.status == 0, "\(dump.output)")
            let termination = work.appendingPathComponent("termination")
            let upload = try await offPool {
                try Self.run(scripts.appendingPathComponent("backup-upload.sh"), [
                    "S3_URL": Self.s3URL, "S3_ENDPOINT": s3.endpoint, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1",
                    "COPY_S3_URL": copyURL, "COPY_S3_ENDPOINT": s3.endpoint, "COPY_AWS_DEFAULT_REGION": "eu-central-2",
                    "WORK": work.path, "PATH": path, "RETENTION_DAYS": "14", "TERMINATION_LOG": termination.path,
                ])
            }
            #expect(upload.status == 0 && upload.output.contains("copied"), "\(upload.output)")
            let report = try JSONParser.parse(try String(contentsOf: termination, encoding: .utf8))
            let stamp = try #require(report["backup"]?.stringValue)
            #expect(report["copy"]?.stringValue == copyURL)
            let copied = try await offPool {
                try Self.aws(s3, ["s3api", "list-objects-v2", "--bucket", "odoo-backups-dr", "--query", "Contents[].Key", "--output", "text"])
                    .split(whereSeparator: { $0 == "\t" || $0 == "\n" }).map(String.init).sorted()
            }
            #expect(copied == ["\(stamp).dump", "\(stamp).filestore.tar.gz", "\(stamp).sha256"].map { "tenants/clinic-prod/clinic/" + $0 },
                    "the copy holds the backup and its checksums, and the old one is pruned there too: \(copied)")
            #expect(try await offPool { try Self.keys(s3) }.count == 3, "the primary bucket has it too")
        }
    }

    @Test func thePlanGivesTheUploadTheCopysBucketRegionAndCredentials() throws {
        var document = try ManifestReader.parseSingle(yaml: OperatorConfiguration.builtInText)
        document.set(["bucket": "s3://odoo-backups-dr", "region": "eu-central-2", "credentialsSecret": "backup-dr-credentials"], at: "backup.copy")
        let configuration = try OperatorConfiguration.decode(document)
        let environment: JSONValue = [
            "apiVersion": "odooguard.io/v1alpha1", "kind": "OdooEnvironment", "metadata": ["name": "clinic", "namespace": "clinic-prod"],
            "spec": ["version": "17.0", "tier": "shared", "stage": "production", "database": ["name": "clinic"],
                     "ingress": ["host": "clinic.example.com", "tls": ["certResolver": "le"]], "backup": ["schedule": "30 1 * * *"]],
        ]
        let desired = try OdooPlanner(configuration: configuration).plan(try OdooEnvironment.decode(environment))
        let cronJob = try #require(desired.objects.first { $0["kind"] == "CronJob" && $0["metadata"]?["name"] == "clinic-backup" })
        let upload = cronJob["spec"]?["jobTemplate"]?["spec"]?["template"]?["spec"]?["containers"]?[0]?["env"]?.arrayValue ?? []
        #expect(upload.contains { $0["name"] == "COPY_S3_URL" && $0["value"] == "s3://odoo-backups-dr/clinic-prod/clinic" })
        #expect(upload.contains { $0["name"] == "COPY_AWS_DEFAULT_REGION" && $0["value"] == "eu-central-2" })
        #expect(upload.contains { $0["name"] == "COPY_AWS_ACCESS_KEY_ID" && $0["valueFrom"]?["secretKeyRef"]?["name"] == "backup-dr-credentials" })
        // The primary bucket again is no copy.
        document.set(["bucket": "s3://odoo-backups"], at: "backup.copy")
        #expect(throws: OdooPlanError.self) { try OperatorConfiguration.decode(document) }
    }

    /// A backup stamp as the scripts write it.
    static func stamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }
}
