import Logging
import PostgresAccess
import PostgresNIO

/// Creates, checks and drops one environment's login role and database on a shared PostgreSQL
/// server, over an administrator connection.
///
/// Idempotent: ``ensure(_:)`` on a provisioned tenant changes nothing and reports no change. Every
/// role and database it creates carries the comment `odoo-guard <owner>`; one with another comment
/// (another environment's, or one odoo-guard did not create) is never altered, handed over or dropped.
public struct PostgresProvisioner: Sendable {
    /// What one environment gets.
    public struct Tenant: Sendable, Equatable {
        /// The login role.
        public var role: String
        /// The databases the role owns: the environment's, then its restore-rehearsal scratch database.
        public var databases: [String]
        /// The role's password.
        public var password: String
        /// `CONNECTION LIMIT` of the role.
        public var connectionLimit: Int
        /// Who it belongs to (`namespace/name`), written into the comments.
        public var owner: String
        /// Extensions created in the first database (as the administrator: `unaccent`'s function must
        /// be made immutable by its owner, as Odoo does for databases it creates).
        public var extensions: [String] = []

        /// A tenant.
        public init(role: String, databases: [String], password: String, connectionLimit: Int, owner: String) {
            self.role = role
            self.databases = databases
            self.password = password
            self.connectionLimit = connectionLimit
            self.owner = owner
        }

        var comment: String { "odoo-guard \(owner)" }
    }

    /// The administrator's DSN.
    public let admin: PostgresDSN
    let logger: Logger

    /// A provisioner logging in as `admin`.
    public init(admin: PostgresDSN, logger: Logger) {
        self.admin = admin
        self.logger = logger
    }

    /// Creates the role and databases when missing and corrects what drifted: the role's attributes
    /// (`LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE`, the connection limit), the password when the
    /// tenant cannot log in with it, the owner, and `CONNECT` revoked from `PUBLIC`.
    /// - Returns: what was changed, in words (empty when nothing was).
    /// - Throws: ``ProvisioningError``: `invalidName`, `ownershipConflict`, `unreachable`, `refused`.
    public func ensure(_ tenant: Tenant) async throws(ProvisioningError) -> [String] {
        let role = try SQLText.identifier(tenant.role)
        let databases = try tenant.databases.map { (name) throws(ProvisioningError) -> (String, String) in (name, try SQLText.identifier(name)) }
        guard !tenant.password.isEmpty else { throw ProvisioningError.invalidInput("the password for role \(tenant.role) is empty") }
        // A SCRAM verifier, never the password itself, reaches the server (and any statement log).
        let password = try SQLText.literal(SCRAMVerifier.verifier(password: tenant.password))
        let comment = try SQLText.literal(tenant.comment)
        let limit = max(1, tenant.connectionLimit)
        var changes: [String] = []
        try await withAdmin { connection in
            changes += try await ensureRole(tenant, connection: connection, quoted: role, password: password, comment: comment, limit: limit)
            for (name, quoted) in databases {
                changes += try await ensureDatabase(name, quoted: quoted, of: tenant, connection: connection, role: role, comment: comment)
            }
        }
        if let first = tenant.databases.first, !tenant.extensions.isEmpty {
            changes += try await ensureExtensions(tenant.extensions, in: first)
        }
        // The Secret may have been recreated with a new password: a role that cannot log in with it gets it.
        if let first = tenant.databases.first, case .failure(let error) = await login(tenant, database: first), error == .unreachable,
           error.message.contains("28P01") || error.message.contains("password") {
            try await withAdmin { connection in try await run(connection, "ALTER ROLE \(role) WITH PASSWORD \(password)") }
            changes.append("set the password of role \(tenant.role) from its Secret")
        }
        if !changes.isEmpty { logger.info("provisioned PostgreSQL tenant", metadata: ["role": "\(tenant.role)", "changes": "\(changes.joined(separator: "; "))"]) }
        return changes
    }

    /// Creates the tenant's role, or corrects its attributes; a role of someone else is a conflict.
    private func ensureRole(_ tenant: Tenant, connection: PostgresConnection, quoted role: String, password: String, comment: String,
                            limit: Int) async throws -> [String] {
        let roles = try await rows(connection, "SELECT rolsuper, rolcreatedb, rolcreaterole, rolcanlogin, rolconnlimit, coalesce(shobj_description(oid, 'pg_authid'), '') FROM pg_roles WHERE rolname = \(tenant.role)",
                                   as: (Bool, Bool, Bool, Bool, Int, String).self)
        guard let existing = roles.first else {
            try await run(connection, "CREATE ROLE \(role) WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION CONNECTION LIMIT \(limit) PASSWORD \(password)")
            try await run(connection, "COMMENT ON ROLE \(role) IS \(comment)")
            return ["created role \(tenant.role)"]
        }
        guard existing.5 == tenant.comment else { throw conflict("role \(tenant.role)", existing.5) }
        guard existing.0 || existing.1 || existing.2 || !existing.3 || existing.4 != limit else { return [] }
        try await run(connection, "ALTER ROLE \(role) WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE CONNECTION LIMIT \(limit)")
        return ["corrected the attributes of role \(tenant.role)"]
    }

    /// Creates one of the tenant's databases, or gives it back to the role and closes it to `PUBLIC`;
    /// a database of someone else is a conflict.
    private func ensureDatabase(_ name: String, quoted: String, of tenant: Tenant, connection: PostgresConnection, role: String,
                                comment: String) async throws -> [String] {
        let found = try await rows(connection, "SELECT pg_get_userbyid(datdba)::text, coalesce(shobj_description(oid, 'pg_database'), ''), coalesce(datacl::text, '') FROM pg_database WHERE datname = \(name)",
                                   as: (String, String, String).self)
        guard let existing = found.first else {
            try await run(connection, "CREATE DATABASE \(quoted) WITH OWNER \(role) TEMPLATE template0 ENCODING 'UTF8'")
            try await run(connection, "COMMENT ON DATABASE \(quoted) IS \(comment)")
            try await run(connection, "REVOKE ALL ON DATABASE \(quoted) FROM PUBLIC")
            return ["created database \(name)"]
        }
        guard existing.1 == tenant.comment else { throw conflict("database \(name)", existing.1) }
        var changes: [String] = []
        if existing.0 != tenant.role {
            try await run(connection, "ALTER DATABASE \(quoted) OWNER TO \(role)")
            changes.append("gave database \(name) back to role \(tenant.role)")
        }
        // PUBLIC's entries in the ACL read `=c/owner`; none means only the owner (and superusers) connect.
        if existing.2.isEmpty || existing.2.contains("{=") || existing.2.contains(",=") {
            try await run(connection, "REVOKE ALL ON DATABASE \(quoted) FROM PUBLIC")
            changes.append("revoked PUBLIC's access to database \(name)")
        }
        return changes
    }

    /// Logs in as the tenant to its first database and checks that the role owns it.
    /// - Returns: a sentence for the status.
    /// - Throws: ``ProvisioningError`` `unreachable` with the server's message, or `ownershipConflict`.
    public func verify(_ tenant: Tenant) async throws(ProvisioningError) -> String {
        guard let database = tenant.databases.first else { throw ProvisioningError.invalidInput("no database to check for role \(tenant.role)") }
        return try await login(tenant, database: database).get()
    }

    /// Ends the tenant's sessions and drops its databases and role, only when they carry its comment.
    /// - Returns: what was dropped.
    /// - Throws: ``ProvisioningError`` `unreachable` or `refused`.
    public func drop(_ tenant: Tenant) async throws(ProvisioningError) -> [String] {
        let role = try SQLText.identifier(tenant.role)
        var dropped: [String] = []
        try await withAdmin { connection in
            for name in tenant.databases {
                let quoted = try SQLText.identifier(name)
                let comment = try await rows(connection, "SELECT coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database WHERE datname = \(name)", as: String.self)
                guard comment.first == tenant.comment else { continue }
                try await run(connection, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = \(try SQLText.literal(name)) AND pid <> pg_backend_pid()")
                try await run(connection, "DROP DATABASE IF EXISTS \(quoted) WITH (FORCE)")
                dropped.append("database \(name)")
            }
            let comment = try await rows(connection, "SELECT coalesce(shobj_description(oid, 'pg_authid'), '') FROM pg_roles WHERE rolname = \(tenant.role)", as: String.self)
            if comment.first == tenant.comment {
                try await run(connection, "DROP ROLE IF EXISTS \(role)")
                dropped.append("role \(tenant.role)")
            }
        }
        if !dropped.isEmpty { logger.info("dropped PostgreSQL tenant", metadata: ["role": "\(tenant.role)", "dropped": "\(dropped.joined(separator: ", "))"]) }
        return dropped
    }

    /// Creates the missing `extensions` in `database`, connected to it as the administrator.
    private func ensureExtensions(_ extensions: [String], in database: String) async throws(ProvisioningError) -> [String] {
        var dsn = admin
        dsn.database = database
        let names = try extensions.map { (name) throws(ProvisioningError) -> (String, String) in (name, try SQLText.identifier(name)) }
        return try await withConnection(dsn) { connection in
            let present: [String] = try await rows(connection, "SELECT extname::text FROM pg_extension", as: String.self)
            var created: [String] = []
            for (name, quoted) in names where !present.contains(name) {
                try await run(connection, "CREATE EXTENSION IF NOT EXISTS \(quoted)")
                if name == "unaccent" { try await run(connection, "ALTER FUNCTION unaccent(text) IMMUTABLE") }
                created.append("created extension \(name) in database \(database)")
            }
            return created
        }
    }

    // MARK: Connections

    private func login(_ tenant: Tenant, database: String) async -> Result<String, ProvisioningError> {
        var dsn = admin
        dsn.user = tenant.role
        dsn.password = tenant.password
        dsn.database = database
        do {
            let owner = try await withConnection(dsn) { connection in
                try await rows(connection, "SELECT pg_get_userbyid(datdba)::text FROM pg_database WHERE datname = current_database()", as: String.self).first
            }
            guard owner == tenant.role else {
                return .failure(ProvisioningError.ownershipConflict("role \(tenant.role) logs in to database \(database), but it is owned by \(owner ?? "nobody")"))
            }
            return .success("role \(tenant.role) logs in to database \(database) on \(admin.host):\(admin.port) and owns it")
        } catch {
            return .failure(error)
        }
    }

    private func withAdmin<T>(_ body: (PostgresConnection) async throws -> T) async throws(ProvisioningError) -> T {
        try await withConnection(admin, body)
    }

    private func withConnection<T>(_ dsn: PostgresDSN, _ body: (PostgresConnection) async throws -> T) async throws(ProvisioningError) -> T {
        let configuration: PostgresConnection.Configuration
        do { configuration = try dsn.configuration() } catch { throw ProvisioningError.invalidInput(error.message) }
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        } catch {
            throw ProvisioningError.unreachable("cannot log in to PostgreSQL \(dsn): \(PostgresErrorText.describe(error))", cause: error)
        }
        do {
            let result = try await body(connection)
            try? await connection.close()
            return result
        } catch let error as ProvisioningError {
            try? await connection.close()
            throw error
        } catch {
            try? await connection.close()
            throw ProvisioningError.refused("PostgreSQL \(dsn.host):\(dsn.port) refused: \(PostgresErrorText.describe(error))", cause: error)
        }
    }

    private func run(_ connection: PostgresConnection, _ sql: String) async throws {
        try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
    }

    private func rows<each T: PostgresDecodable>(_ connection: PostgresConnection, _ query: PostgresQuery, as types: (repeat each T).Type) async throws -> [(repeat each T)] {
        var result: [(repeat each T)] = []
        for try await row in try await connection.query(query, logger: logger).decode((repeat each T).self) { result.append(row) }
        return result
    }

    private func conflict(_ what: String, _ comment: String) -> ProvisioningError {
        ProvisioningError.ownershipConflict(comment.hasPrefix("odoo-guard ")
            ? "\(what) already belongs to environment \(comment.dropFirst("odoo-guard ".count)); choose another spec.database.name"
            : "\(what) already exists on the server and was not created by odoo-guard; choose another spec.database.name or ask the database administrators")
    }
}
