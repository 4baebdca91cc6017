import Logging
import PostgresAccess
import Provisioning
import TestSupport
import Testing

/// Provisioning against a real PostgreSQL 15 started for the suite. The test server uses password
/// authentication for TCP logins, so a tenant proves what it can do by logging in with its password.
@Suite("PostgreSQL tenants", .serialized)
struct PostgresProvisionerTests {
    static let logger = Logger(label: "test.provisioning")

    /// A server whose TCP logins need a password (scram), the superuser's set.
    static func server() async throws -> PostgresServer {
        let server = try await offPool { try PostgresServer() }
        try await offPool {
            try server.psql("ALTER ROLE postgres PASSWORD 'admin'")
            try server.psql("ALTER SYSTEM SET password_encryption = 'scram-sha-256'")
        }
        try await offPool { try server.requirePasswords() }
        return server
    }

    static func provisioner(_ server: PostgresServer) throws -> PostgresProvisioner {
        PostgresProvisioner(admin: try PostgresDSN("postgres://postgres:admin@127.0.0.1:\(server.port)/postgres?sslmode=disable"), logger: logger)
    }

    static func tenant(_ name: String, password: String = "Secret1234567890", owner: String? = nil) -> PostgresProvisioner.Tenant {
        .init(role: name, databases: [name, name + "_restore"], password: password, connectionLimit: 7, owner: owner ?? "clinic/\(name)")
    }

    @Test("a tenant uses its own database and nothing else; provisioning again changes nothing")
    func isolation() async throws {
        let server = try await Self.server()
        defer { server.stop() }
        let provisioner = try Self.provisioner(server)
        let first = try await provisioner.ensure(Self.tenant("clinic_a"))
        #expect(first.contains("created role clinic_a"))
        #expect(first.contains("created database clinic_a"))
        #expect(first.contains("created database clinic_a_restore"))
        _ = try await provisioner.ensure(Self.tenant("clinic_b", password: "OtherSecret987654"))
        #expect(try await provisioner.ensure(Self.tenant("clinic_a")).isEmpty)

        // Role attributes, limit and the ACL as the catalog has them.
        let attributes = try await offPool { try server.psqlSocket("SELECT rolsuper, rolcreatedb, rolcreaterole, rolcanlogin, rolconnlimit FROM pg_roles WHERE rolname = 'clinic_a'") }
        #expect(attributes.trimmingCharacters(in: .whitespacesAndNewlines) == "f|f|f|t|7")
        let acl = try await offPool { try server.psqlSocket("SELECT datacl::text FROM pg_database WHERE datname = 'clinic_a'") }
        #expect(!acl.contains("{=") && !acl.contains(",="), "PUBLIC keeps no privilege on the database: \(acl)")

        // As the tenant: its own database works end to end.
        let own = try await offPool { try server.psqlAs("clinic_a", "Secret1234567890", database: "clinic_a",
                                                         "CREATE TABLE t (x int); INSERT INTO t VALUES (1); SELECT count(*) FROM t") }
        #expect(own.status == 0 && own.output.contains("1"), "\(own.output)")
        // Another tenant's database: no CONNECT.
        let other = try await offPool { try server.psqlAs("clinic_a", "Secret1234567890", database: "clinic_b", "SELECT 1") }
        #expect(other.status != 0 && other.output.contains("permission denied for database"), "\(other.output)")
        // No roles, no databases.
        let createRole = try await offPool { try server.psqlAs("clinic_a", "Secret1234567890", database: "clinic_a", "CREATE ROLE intruder") }
        #expect(createRole.status != 0 && createRole.output.contains("permission denied"), "\(createRole.output)")
        let createDatabase = try await offPool { try server.psqlAs("clinic_a", "Secret1234567890", database: "clinic_a", "CREATE DATABASE intruder") }
        #expect(createDatabase.status != 0 && createDatabase.output.contains("permission denied"), "\(createDatabase.output)")
        // A wrong password does not log in.
        let wrong = try await offPool { try server.psqlAs("clinic_a", "nope", database: "clinic_a", "SELECT 1") }
        #expect(wrong.status != 0 && wrong.output.contains("password authentication failed"), "\(wrong.output)")

        #expect(try await provisioner.verify(Self.tenant("clinic_a")).contains("owns it"))
    }

    @Test("drift is corrected: attributes, PUBLIC's CONNECT, and a password from a recreated Secret")
    func drift() async throws {
        let server = try await Self.server()
        defer { server.stop() }
        let provisioner = try Self.provisioner(server)
        _ = try await provisioner.ensure(Self.tenant("pharmacy"))
        try await offPool { try server.psqlSocket("ALTER ROLE pharmacy CREATEDB CONNECTION LIMIT 99; GRANT CONNECT ON DATABASE pharmacy TO PUBLIC") }
        let changes = try await provisioner.ensure(Self.tenant("pharmacy", password: "RotatedSecret4242"))
        #expect(changes.contains("corrected the attributes of role pharmacy"))
        #expect(changes.contains("revoked PUBLIC's access to database pharmacy"))
        #expect(changes.contains("set the password of role pharmacy from its Secret"))
        let login = try await offPool { try server.psqlAs("pharmacy", "RotatedSecret4242", database: "pharmacy", "SELECT current_user") }
        #expect(login.status == 0, "\(login.output)")
        #expect(try await provisioner.ensure(Self.tenant("pharmacy", password: "RotatedSecret4242")).isEmpty)
    }

    @Test("hostile names never reach the server", arguments: [#"a"; DROP ROLE x; --"#, "Clinic", "1clinic", "a b", "x' OR '1'='1", String(repeating: "a", count: 64), ""])
    func hostileNames(_ name: String) async throws {
        // No server: the name is refused before any connection is made.
        let provisioner = PostgresProvisioner(admin: try PostgresDSN("postgres://postgres@127.0.0.1:1/postgres?sslmode=disable"), logger: Self.logger)
        let error = await #expect(throws: ProvisioningError.self) { try await provisioner.ensure(Self.tenant(name)) }
        #expect(error == .invalidName)
        #expect(throws: ProvisioningError.self) { try SQLText.identifier(name) }
    }

    @Test("a role or database of another environment is never taken over or dropped")
    func ownership() async throws {
        let server = try await Self.server()
        defer { server.stop() }
        let provisioner = try Self.provisioner(server)
        _ = try await provisioner.ensure(Self.tenant("shared_name", owner: "tenant-a/erp"))
        let error = await #expect(throws: ProvisioningError.self) { try await provisioner.ensure(Self.tenant("shared_name", owner: "tenant-b/erp")) }
        #expect(error == .ownershipConflict)
        #expect(error?.message.contains("tenant-a/erp") == true)
        #expect(try await provisioner.drop(Self.tenant("shared_name", owner: "tenant-b/erp")).isEmpty)
        try await offPool { try server.psqlSocket("CREATE ROLE legacy LOGIN") }
        let legacy = await #expect(throws: ProvisioningError.self) { try await provisioner.ensure(Self.tenant("legacy")) }
        #expect(legacy?.message.contains("not created by odoo-guard") == true)
        // The owner drops its own.
        let dropped = try await provisioner.drop(Self.tenant("shared_name", owner: "tenant-a/erp"))
        #expect(dropped == ["database shared_name", "database shared_name_restore", "role shared_name"])
        let left = try await offPool { try server.psqlSocket("SELECT count(*) FROM pg_roles WHERE rolname = 'shared_name'") }
        #expect(left.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }

    @Test("the SCRAM verifier matches Python's hashlib PBKDF2 and HMAC")
    func scramVerifier() {
        // Computed with hashlib.pbkdf2_hmac('sha256', password, salt, 4096) and hmac (an independent implementation).
        #expect(SCRAMVerifier.verifier(password: "Secret1234567890", salt: Array(0..<16))
                == "SCRAM-SHA-256$4096:AAECAwQFBgcICQoLDA0ODw==$DgMerrul4vfyEBwJLnl7dbnUsT+ATUMKSY1jB7g8LuI=:r5eVghq4I8bvvnb24C2nvkKYzNnw7JXiow2Ea+lLxnM=")
        #expect(SCRAMVerifier.verifier(password: "x") != SCRAMVerifier.verifier(password: "x"), "a fresh salt each time")
    }

    @Test("the password never reaches the server in clear text")
    func noClearTextPassword() async throws {
        let server = try await Self.server()
        defer { server.stop() }
        try await offPool { try server.psqlSocket("ALTER SYSTEM SET log_statement = 'all'"); try server.psqlSocket("SELECT pg_reload_conf()") }
        _ = try await Self.provisioner(server).ensure(Self.tenant("audited", password: "VeryDistinctSecret42"))
        let log = try String(contentsOf: server.directory.appendingPathComponent("log.txt"), encoding: .utf8)
        #expect(log.contains("CREATE ROLE \"audited\""), "statements are logged")
        #expect(!log.contains("VeryDistinctSecret42"))
        let login = try await offPool { try server.psqlAs("audited", "VeryDistinctSecret42", database: "audited", "SELECT 1") }
        #expect(login.status == 0, "\(login.output)")
    }

    @Test("a server that is down is reported with the client's error, not a crash")
    func unreachable() async throws {
        let port = try FreePort.next()
        let provisioner = PostgresProvisioner(admin: try PostgresDSN("postgres://postgres@127.0.0.1:\(port)/postgres?sslmode=disable"), logger: Self.logger)
        let error = await #expect(throws: ProvisioningError.self) { try await provisioner.ensure(Self.tenant("clinic")) }
        #expect(error == .unreachable)
        #expect(error?.message.contains("127.0.0.1:\(port)") == true)
    }
}
