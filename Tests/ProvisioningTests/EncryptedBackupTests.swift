import Foundation
import KubeModel
import OdooPlan
import Testing
import TestSupport

/// Backups fit for patient data: the plan's own scripts, given a public key, encrypt the dump and the
/// filestore archive before they leave the pod; the bucket holds only ciphertext and its checksums;
/// the rehearsal restores only with the private key — against a real PostgreSQL 15, an S3 server
/// (moto) and GnuPG, as the PostgreSQL image carries it.
@Suite("Encrypted backups", .serialized)
struct EncryptedBackupTests {
    typealias Plain = BackupScriptTests

    /// A fresh OpenPGP key pair (no passphrase, as a platform's backup key for automation): the
    /// armored public and private keys, written to `directory`.
    static func keyPair(in directory: URL) throws -> (publicKey: URL, privateKey: URL) {
        let home = directory.appendingPathComponent("gnupg-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        func gpg(_ arguments: [String]) throws -> String {
            try Subprocess.checked("/usr/bin/env", ["GNUPGHOME=\(home.path)", "/usr/bin/gpg", "--batch", "--quiet", "--no-tty"] + arguments)
        }
        _ = try gpg(["--passphrase", "", "--quick-gen-key", "odoo-guard backups <backups@example.invalid>", "default", "default", "never"])
        let publicKey = directory.appendingPathComponent("public.asc"), privateKey = directory.appendingPathComponent("private.asc")
        try gpg(["--armor", "--export"]).write(to: publicKey, atomically: true, encoding: .utf8)
        try gpg(["--armor", "--export-secret-keys"]).write(to: privateKey, atomically: true, encoding: .utf8)
        _ = try? Subprocess.run("/usr/bin/env", ["GNUPGHOME=\(home.path)", "/usr/bin/gpgconf", "--kill", "gpg-agent"])
        try FileManager.default.removeItem(at: home)
        return (publicKey, privateKey)
    }

    @Test func theBucketHoldsCiphertextAndOnlyTheRehearsalWithThePrivateKeyRestores() async throws {
        try await Plain.withServers { scripts, postgres, s3 in
            let keys = try await offPool { try Self.keyPair(in: scripts) }
            #expect(try String(contentsOf: keys.publicKey, encoding: .utf8).hasPrefix("-----BEGIN PGP PUBLIC KEY BLOCK-----"))
            try await offPool {
                try postgres.psql("CREATE DATABASE clinic")
                try postgres.psql("CREATE TABLE ir_module_module (id serial PRIMARY KEY, name text, state text); INSERT INTO ir_module_module (name, state) VALUES ('base', 'installed'); CREATE TABLE res_partner (id serial PRIMARY KEY, name text); INSERT INTO res_partner (name) SELECT 'patient ' || g FROM generate_series(1, 200) g",
                                  database: "clinic")
                _ = try Plain.aws(s3, ["s3api", "create-bucket", "--bucket", Plain.bucket])
            }
            let work = scripts.appendingPathComponent("work"), filestore = scripts.appendingPathComponent("filestore/clinic")
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: filestore, withIntermediateDirectories: true)
            try "scan of a patient's insurance card".write(to: filestore.appendingPathComponent("c0ffee"), atomically: true, encoding: .utf8)
            let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
            let login = ["PGHOST": "127.0.0.1", "PGPORT": "\(postgres.port)", "PGUSER": "postgres", "PGDATABASE": "clinic", "WORK": work.path, "PATH": path]
            let s3Settings = ["S3_URL": Plain.s3URL, "S3_ENDPOINT": s3.endpoint, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                              "AWS_DEFAULT_REGION": "us-east-1", "WORK": work.path, "PATH": path]

            let dump = try await offPool {
                try Plain.run(scripts.appendingPathComponent("backup-dump.sh"), login.merging(["FILESTORE": filestore.path, "PUBLIC_KEY": keys.publicKey.path]) { $1 })
            }
            #expect(dump.status == 0 && dump.output.contains("(encrypted)"), "\(dump.output)")
            let left = try FileManager.default.contentsOfDirectory(atPath: work.path).sorted()
            #expect(left.filter { $0.hasSuffix(".dump") || $0.hasSuffix(".tar.gz") || $0.hasPrefix(".gnupg") }.isEmpty, "no plaintext or key ring stays: \(left)")
            let termination = work.appendingPathComponent("termination")
            let upload = try await offPool {
                try Plain.run(scripts.appendingPathComponent("backup-upload.sh"), s3Settings.merging(["RETENTION_DAYS": "14", "TERMINATION_LOG": termination.path]) { $1 })
            }
            #expect(upload.status == 0, "\(upload.output)")
            let report = try JSONParser.parse(try String(contentsOf: termination, encoding: .utf8))
            let stamp = try #require(report["backup"]?.stringValue)
            #expect(report["encrypted"] == true)
            let stored = try await offPool { try Plain.keys(s3) }
            let prefix = "tenants/clinic-prod/clinic/"
            #expect(stored == ["\(stamp).dump.gpg", "\(stamp).filestore.tar.gz.gpg", "\(stamp).sha256"].map { prefix + $0 }, "\(stored)")
            // What left the pod is ciphertext: neither pg_dump's header nor a patient's name, and no archive.
            let downloaded = scripts.appendingPathComponent("downloaded")
            _ = try await offPool { try Plain.aws(s3, ["s3", "cp", "--only-show-errors", "\(Plain.s3URL)/\(stamp).dump.gpg", downloaded.path]) }
            let bytes = try Data(contentsOf: downloaded)
            #expect(bytes.count > 100 && bytes.range(of: Data("PGDMP".utf8)) == nil && bytes.range(of: Data("patient 1".utf8)) == nil)
            let sums = try await offPool { try Plain.aws(s3, ["s3", "cp", "\(Plain.s3URL)/\(stamp).sha256", "-"]) }
            #expect(sums.contains("\(report["sha256"]?.stringValue ?? "?")  \(stamp).dump.gpg") && sums.contains("\(stamp).filestore.tar.gz.gpg"), "\(sums)")

            // The rehearsal: fetched and checked against its checksum; without the private key it stops, saying so.
            let rehearsal = scripts.appendingPathComponent("rehearsal")
            try FileManager.default.createDirectory(at: rehearsal, withIntermediateDirectories: true)
            let fetch = try await offPool { try Plain.run(scripts.appendingPathComponent("restore-fetch.sh"), s3Settings.merging(["WORK": rehearsal.path]) { $1 }) }
            #expect(fetch.status == 0 && fetch.output.contains("\(stamp).dump.gpg: OK"), "\(fetch.output)")
            let checkLog = rehearsal.appendingPathComponent("termination")
            let checkSettings = login.merging(["WORK": rehearsal.path, "SCRATCH_DATABASE": "clinic_restore", "TERMINATION_LOG": checkLog.path]) { $1 }
            let keyless = try await offPool { try Plain.run(scripts.appendingPathComponent("restore-check.sh"), checkSettings) }
            #expect(keyless.status != 0 && keyless.output.contains("is encrypted and this rehearsal has no private key"), "\(keyless.output)")
            let check = try await offPool {
                try Plain.run(scripts.appendingPathComponent("restore-check.sh"), checkSettings.merging(["PRIVATE_KEY": keys.privateKey.path]) { $1 })
            }
            #expect(check.status == 0, "\(check.output)")
            let checked = try JSONParser.parse(try String(contentsOf: checkLog, encoding: .utf8))
            #expect(checked["decrypted"] == true && checked["tables"]?.intValue == 2 && checked["modules"]?.intValue == 1, "\(checked)")
            let remaining = try FileManager.default.contentsOfDirectory(atPath: rehearsal.path)
            #expect(!remaining.contains { $0.hasSuffix(".gpg") || $0.hasPrefix(".gnupg") || $0.hasSuffix(".dump") },
                    "the ciphertext, the decrypted dump and the key ring are gone: \(remaining)")
        }
    }

    @Test func thePlanWiresThePublicKeyToTheDumpAndThePrivateKeyToTheRehearsalOnly() throws {
        var configuration = try OperatorConfiguration.builtIn()
        configuration.backup.encryption = .init(publicKey: "-----BEGIN PGP PUBLIC KEY BLOCK-----\nx\n-----END PGP PUBLIC KEY BLOCK-----\n", privateKeySecret: "backup-decryption-key")
        let environment: JSONValue = [
            "apiVersion": "odooguard.io/v1alpha1", "kind": "OdooEnvironment", "metadata": ["name": "clinic", "namespace": "clinic-prod"],
            "spec": ["version": "17.0", "tier": "shared", "stage": "production", "database": ["name": "clinic"],
                     "ingress": ["host": "clinic.example.com", "tls": ["certResolver": "le"]], "backup": ["schedule": "30 1 * * *"]],
        ]
        let desired = try OdooPlanner(configuration: configuration).plan(try OdooEnvironment.decode(environment))
        func named(_ name: String, kind: String = "ConfigMap") -> JSONValue? {
            desired.objects.first { $0["kind"]?.stringValue == kind && $0["metadata"]?["name"]?.stringValue == name }
        }
        #expect(named("clinic-backup-scripts")?["data"]?[BackupScripts.publicKeyFile]?.stringValue?.hasPrefix("-----BEGIN PGP PUBLIC KEY BLOCK-----") == true)
        func pod(_ cronJob: String) -> JSONValue? { named(cronJob, kind: "CronJob")?["spec"]?["jobTemplate"]?["spec"]?["template"]?["spec"] }
        let backup = try #require(pod("clinic-backup"))
        let dumpEnvironment = backup["initContainers"]?[0]?["env"]?.arrayValue ?? []
        #expect(dumpEnvironment.contains { $0["name"] == "PUBLIC_KEY" && $0["value"] == "/scripts/backup-public-key.asc" })
        #expect(!"\(backup)".contains("decryption-key"), "the backup Job never mounts the private key")
        let rehearsal = try #require(pod("clinic-restore-check"))
        #expect(rehearsal["volumes"]?.arrayValue?.contains { $0["secret"]?["secretName"] == "backup-decryption-key" && $0["secret"]?["optional"] == true } == true)
        #expect(rehearsal["initContainers"]?[0]?["volumeMounts"]?.arrayValue?.contains { $0["name"] == "decryption-key" } == false,
                "the fetch container, which talks to S3, has no key")
        #expect(rehearsal["containers"]?[0]?["volumeMounts"]?.arrayValue?.contains { $0["name"] == "decryption-key" } == true)
    }

    /// The embedded configuration with `backup.encryption` set to `encryption` (YAML).
    static func configuration(encryption: String) throws -> OperatorConfiguration {
        var document = try ManifestReader.parseSingle(yaml: OperatorConfiguration.builtInText)
        document.set(try ManifestReader.parseSingle(yaml: "value: \(encryption)")["value"] ?? .null, at: "backup.encryption")
        return try OperatorConfiguration.decode(document)
    }

    @Test("the configuration's encryption is checked by field", arguments: [
        ("{publicKey: \"-----BEGIN PGP PRIVATE KEY BLOCK-----\\nx\\n-----END PGP PRIVATE KEY BLOCK-----\"}", "is a private key"),
        ("{publicKey: \"ssh-ed25519 AAAAC3Nza\"}", "must be an armored OpenPGP public key"),
        ("{privateKeySecret: backup-key}", "backup.encryption.publicKey"),
        ("{publicKey: \"-----BEGIN PGP PUBLIC KEY BLOCK-----\\nx\\n-----END PGP PUBLIC KEY BLOCK-----\", privateKeySecret: \"Not_A_Name\"}", "backup.encryption.privateKeySecret"),
        ("{publicKey: \"-----BEGIN PGP PUBLIC KEY BLOCK-----\\nx\\n-----END PGP PUBLIC KEY BLOCK-----\", surprise: 1}", "backup.encryption.surprise"),
    ])
    func badEncryption(_ encryption: String, _ words: String) {
        do {
            _ = try Self.configuration(encryption: encryption)
            Issue.record("accepted \(encryption)")
        } catch let error as OdooPlanError {
            #expect(error.fieldErrors.count == 1 && error.fieldErrors.map(\.description).joined().contains(words), "\(error.fieldErrors.map(\.description))")
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func aPublicKeyDecodesWithTheDefaultSecretName() throws {
        let configuration = try Self.configuration(encryption: "{publicKey: \"-----BEGIN PGP PUBLIC KEY BLOCK-----\\nmDMEZ0\\n-----END PGP PUBLIC KEY BLOCK-----\\n\"}")
        #expect(configuration.backup.encryption?.privateKeySecret == "backup-decryption-key")
        #expect(configuration.backup.encryption?.publicKey.hasPrefix("-----BEGIN PGP PUBLIC KEY BLOCK-----") == true)
        #expect(try OperatorConfiguration.builtIn().backup.encryption == nil, "off unless configured")
    }
}
