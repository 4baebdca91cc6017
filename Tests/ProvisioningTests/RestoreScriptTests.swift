import Foundation
import GuardRules
import KubeModel
import OdooPlan
import Testing
import TestSupport

/// An OdooRestore's Jobs exactly as the plan renders them, run with `sh` against a real PostgreSQL 15
/// and an S3 server: the fetch refuses a missing backup and a damaged one, the apply replaces the
/// database in one transaction (a failure leaves it as it was) and swaps the filestore, the mask Job
/// masks, all from an encrypted backup made by the plan's own backup scripts.
@Suite("Restore scripts", .serialized)
struct RestoreScriptTests {
    typealias Plain = BackupScriptTests

    /// The fetch and apply scripts of a refresh of `staging` from `clinic`, and the mask Job's SQL.
    static func restoreScripts(into directory: URL) throws -> (fetch: URL, apply: URL, mask: URL) {
        func environment(_ name: String, _ stage: String) throws -> OdooEnvironment {
            try OdooEnvironment.decode([
                "apiVersion": "odooguard.io/v1alpha1", "kind": "OdooEnvironment", "metadata": ["name": .string(name), "namespace": "clinic-prod"],
                "spec": ["version": "17.0", "tier": "shared", "stage": .string(stage), "database": ["name": .string(name)],
                         "ingress": ["host": .string("\(name).example.com"), "tls": ["certResolver": "le"]],
                         "backup": ["schedule": "30 1 * * *", "bucket": .string("s3://\(Plain.bucket)/tenants")]],
            ])
        }
        let restore = try OdooRestore.decode(["apiVersion": "odooguard.io/v1alpha1", "kind": "OdooRestore",
                                              "metadata": ["name": "refresh", "namespace": "clinic-prod"],
                                              "spec": ["environment": "staging", "mode": "Refresh", "source": ["environment": "clinic"]]])
        let planner = OdooPlanner(configuration: try OperatorConfiguration.builtIn())
        let target = try environment("staging", "staging"), source = try environment("clinic", "production")
        let job = try planner.restoreJob(.restore, name: "refresh-restore", restore: restore, target: target, source: source, masking: DataMaskingPolicy())
        let pod = job["spec"]?["template"]?["spec"]
        let fetch = try #require(pod?["initContainers"]?[0]?["command"]?[2]?.stringValue)
        let apply = try #require(pod?["containers"]?[0]?["command"]?[2]?.stringValue)
        // The fetch reads the source's prefix.
        #expect(pod?["initContainers"]?[0]?["env"]?.arrayValue?.contains { $0["name"] == "S3_URL" && $0["value"]?.stringValue == Plain.s3URL } == true)
        let maskJob = try planner.restoreJob(.mask, name: "refresh-mask", restore: restore, target: target, source: source, masking: DataMaskingPolicy())
        let mask = try #require(maskJob["spec"]?["template"]?["spec"]?["containers"]?[0]?["command"]?[2]?.stringValue)
        let sql = try #require(maskJob["spec"]?["template"]?["spec"]?["containers"]?[0]?["env"]?.arrayValue?.first { $0["name"] == "MASKING_SQL" }?["value"]?.stringValue)
        let files = (directory.appendingPathComponent("restore-fetch.sh"), directory.appendingPathComponent("restore-apply.sh"), directory.appendingPathComponent("mask.sh"))
        try fetch.write(to: files.0, atomically: true, encoding: .utf8)
        try apply.write(to: files.1, atomically: true, encoding: .utf8)
        try mask.write(to: files.2, atomically: true, encoding: .utf8)
        try sql.write(to: directory.appendingPathComponent("masking.sql"), atomically: true, encoding: .utf8)
        return files
    }

    @Test func anEncryptedBackupIsFetchedCheckedAndRestoredInOneTransactionThenMasked() async throws {
        try await Plain.withServers { scripts, postgres, s3 in
            let keys = try await offPool { try EncryptedBackupTests.keyPair(in: scripts) }
            let restore = try Self.restoreScripts(into: scripts)
            try await offPool {
                try postgres.psql("CREATE DATABASE clinic")
                try postgres.psql("CREATE DATABASE staging")
                try postgres.psql("""
                    CREATE TABLE ir_module_module (id serial PRIMARY KEY, name text, state text); INSERT INTO ir_module_module (name, state) VALUES ('base', 'installed');
                    CREATE TABLE res_partner (id serial PRIMARY KEY, name varchar, complete_name varchar, email varchar, phone varchar, mobile varchar,
                                              street varchar, vat varchar, parent_id integer REFERENCES res_partner(id));
                    INSERT INTO res_partner (name, complete_name, email, phone) SELECT 'Patient ' || g, 'Patient ' || g, 'patient' || g || '@clinic.example', '+41 79 555 ' || g FROM generate_series(1, 50) g;
                    UPDATE res_partner SET parent_id = 1 WHERE id > 1;
                    CREATE SCHEMA audit; CREATE TABLE audit.log (id serial PRIMARY KEY, note text);
                    """, database: "clinic")
                try postgres.psql("CREATE TABLE staging_only (id int); INSERT INTO staging_only VALUES (7)", database: "staging")
                _ = try Plain.aws(s3, ["s3api", "create-bucket", "--bucket", Plain.bucket])
            }
            let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
            let work = scripts.appendingPathComponent("work"), sourceFiles = scripts.appendingPathComponent("filestore/clinic")
            let targetFiles = scripts.appendingPathComponent("target/filestore/staging")
            for directory in [work, sourceFiles, targetFiles] { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }
            try "a patient's scan".write(to: sourceFiles.appendingPathComponent("ab12"), atomically: true, encoding: .utf8)
            try "staging's own file".write(to: targetFiles.appendingPathComponent("old1"), atomically: true, encoding: .utf8)
            let login = ["PGHOST": "127.0.0.1", "PGPORT": "\(postgres.port)", "PGUSER": "postgres", "PATH": path]
            let s3Settings = ["S3_URL": Plain.s3URL, "S3_ENDPOINT": s3.endpoint, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                              "AWS_DEFAULT_REGION": "us-east-1", "PATH": path]
            // A backup of clinic by the plan's own scripts, encrypted.
            let dumped = try await offPool {
                try Plain.run(scripts.appendingPathComponent("backup-dump.sh"),
                              login.merging(["PGDATABASE": "clinic", "WORK": work.path, "FILESTORE": sourceFiles.path, "PUBLIC_KEY": keys.publicKey.path]) { $1 })
            }
            #expect(dumped.status == 0, "\(dumped.output)")
            let termination = work.appendingPathComponent("termination")
            let uploaded = try await offPool {
                try Plain.run(scripts.appendingPathComponent("backup-upload.sh"),
                              s3Settings.merging(["WORK": work.path, "RETENTION_DAYS": "14", "TERMINATION_LOG": termination.path]) { $1 })
            }
            #expect(uploaded.status == 0, "\(uploaded.output)")
            let stamp = try #require(try JSONParser.parse(try String(contentsOf: termination, encoding: .utf8))["backup"]?.stringValue)

            // Verify: a stamp that does not exist, then the real one.
            let fetchDirectory = scripts.appendingPathComponent("fetch")
            try FileManager.default.createDirectory(at: fetchDirectory, withIntermediateDirectories: true)
            let fetchSettings = s3Settings.merging(["WORK": fetchDirectory.path, "FETCH_FILESTORE": "1"]) { $1 }
            let missing = try await offPool { try Plain.run(restore.fetch, fetchSettings.merging(["BACKUP_STAMP": "20200101T000000Z"]) { $1 }) }
            #expect(missing.status != 0 && missing.output.contains("backup 20200101T000000Z does not exist") && missing.output.contains("the newest is \(stamp)"),
                    "\(missing.output)")
            let fetched = try await offPool { try Plain.run(restore.fetch, fetchSettings.merging(["BACKUP_STAMP": stamp]) { $1 }) }
            #expect(fetched.status == 0 && fetched.output.contains("\(stamp).filestore.tar.gz.gpg: OK"), "\(fetched.output)")

            // A failing replay changes nothing: the target already has the dump's schema `audit`.
            try await offPool { try postgres.psql("CREATE SCHEMA audit", database: "staging") }
            let applySettings = login.merging(["PGDATABASE": "staging", "WORK": fetchDirectory.path, "FILESTORE": targetFiles.path,
                                               "PRIVATE_KEY": keys.privateKey.path, "TERMINATION_LOG": fetchDirectory.appendingPathComponent("report").path]) { $1 }
            let conflicting = try await offPool { try Plain.run(restore.apply, applySettings) }
            #expect(conflicting.status != 0 && conflicting.output.contains("already exists"), "\(conflicting.output)")
            let kept = try await offPool { try postgres.psql("SELECT count(*) FROM staging_only", database: "staging") }
            #expect(kept.trimmingCharacters(in: .whitespacesAndNewlines) == "1", "the target's data survives a failed restore")
            #expect(FileManager.default.fileExists(atPath: targetFiles.appendingPathComponent("old1").path), "and so does its filestore")

            // Fetched again (the failed run removed its plaintext), then restored.
            try await offPool { try postgres.psql("DROP SCHEMA audit", database: "staging") }
            let again = try await offPool { try Plain.run(restore.fetch, fetchSettings) }
            #expect(again.status == 0, "\(again.output)")
            let applied = try await offPool { try Plain.run(restore.apply, applySettings) }
            #expect(applied.status == 0 && applied.output.contains("restored \(stamp) into staging"), "\(applied.output)")
            let report = try JSONParser.parse(try String(contentsOf: fetchDirectory.appendingPathComponent("report"), encoding: .utf8))
            #expect(report["files"]?.intValue == 1, "\(report)")
            let restored = try await offPool {
                try postgres.psql("SELECT count(*) || ' ' || (SELECT to_regclass('public.staging_only') IS NULL) FROM res_partner", database: "staging")
            }
            #expect(restored.trimmingCharacters(in: .whitespacesAndNewlines) == "50 true", "\(restored)")
            let files = try FileManager.default.contentsOfDirectory(atPath: targetFiles.path)
            #expect(files == ["ab12"], "the filestore is the backup's: \(files)")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: fetchDirectory.path).filter { $0 != "report" && $0 != "stamp" && $0 != "suffix" }
            #expect(leftovers.allSatisfy { $0.hasSuffix(".sha256") }, "no plaintext, ciphertext or key ring left: \(leftovers)")

            // The mask Job's script with the policy's SQL: no patient's name or email survives.
            let sql = try String(contentsOf: scripts.appendingPathComponent("masking.sql"), encoding: .utf8)
            let masked = try await offPool { try Plain.run(restore.mask, login.merging(["PGDATABASE": "staging", "MASKING_SQL": sql]) { $1 }) }
            #expect(masked.status == 0 && masked.output.contains("masked database staging"), "\(masked.output)")
            let survivors = try await offPool {
                try postgres.psql("SELECT count(*) FROM res_partner WHERE name LIKE 'Patient %' OR email LIKE 'patient%@clinic.example' OR phone LIKE '+41 79 555 %'",
                                  database: "staging")
            }
            #expect(survivors.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
            let links = try await offPool { try postgres.psql("SELECT count(*) FROM res_partner WHERE parent_id = 1", database: "staging") }
            #expect(links.trimmingCharacters(in: .whitespacesAndNewlines) == "49", "the foreign keys hold")
        }
    }
}
