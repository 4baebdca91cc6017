import Logging

/// Creates, checks and deletes one environment's ACL user on a shared Redis (6.2 or later) over the
/// Redis protocol: the user reads and writes keys under its own prefix only, and has no admin,
/// dangerous, scripting or pub/sub commands.
///
/// Idempotent: the user is set with `reset` and its complete rule list every time, and ``ensure(_:)``
/// reports a change only when `ACL GETUSER` reads differently afterwards.
public struct RedisACLProvisioner: Sendable {
    /// Where the shared Redis is and whom the operator logs in as.
    public struct Server: Sendable, Equatable {
        /// Host.
        public var host: String
        /// Port.
        public var port: Int
        /// The administrator ACL user.
        public var adminUser: String
        /// Its password (`nil`: no AUTH).
        public var adminPassword: String?
        /// Whether the connection is encrypted (the admin and tenant passwords cross it).
        public var tls: RedisTLS

        /// A server.
        public init(host: String, port: Int, adminUser: String = "default", adminPassword: String?, tls: RedisTLS = .disabled) {
            self.host = host
            self.port = port
            self.adminUser = adminUser
            self.adminPassword = adminPassword
            self.tls = tls
        }
    }

    /// One environment's user.
    public struct User: Sendable, Equatable {
        /// The ACL user name (`namespace.environment`).
        public var name: String
        /// Its password.
        public var password: String
        /// The key prefix it is limited to (keys `prefix:*`).
        public var prefix: String

        /// A user.
        public init(name: String, password: String, prefix: String) {
            self.name = name
            self.password = password
            self.prefix = prefix
        }
    }

    /// The server.
    public let server: Server
    let logger: Logger

    /// A provisioner for `server`.
    public init(server: Server, logger: Logger) {
        self.server = server
        self.logger = logger
    }

    /// The ACL rules of a user, in order: everything reset, then what it may do.
    public static func rules(for user: User) -> [String] {
        ["reset", "on", ">" + user.password, "~\(user.prefix):*", "resetchannels",
         "+@read", "+@write", "+@keyspace", "+@connection", "+@transaction",
         "-@admin", "-@dangerous", "-@scripting", "-@pubsub", "-@blocking"]
    }

    /// Sets the user's rules.
    /// - Returns: what changed (empty when the user was already exactly so).
    /// - Throws: ``ProvisioningError`` `invalidName`, `unreachable` or `refused`.
    public func ensure(_ user: User) async throws(ProvisioningError) -> [String] {
        try Self.validate(user.name, "Redis user")
        try Self.validate(user.prefix, "Redis key prefix")
        guard !user.password.isEmpty, !user.password.contains(where: { $0 == " " || $0.isNewline }) else {
            throw ProvisioningError.invalidInput("the password of Redis user \(user.name) is empty or has spaces")
        }
        return try await withConnection { connection in
            let before = try await command(connection, ["ACL", "GETUSER", user.name])
            _ = try await command(connection, ["ACL", "SETUSER", user.name] + Self.rules(for: user))
            let after = try await command(connection, ["ACL", "GETUSER", user.name])
            guard before != after else { return [] }
            let change = before == .array(nil) || before == .bulk(nil) ? "created Redis user \(user.name)" : "corrected Redis user \(user.name)"
            logger.info("provisioned Redis user", metadata: ["user": "\(user.name)", "change": "\(change)"])
            return [change]
        }
    }

    /// Logs in as the user and checks that it is allowed its own prefix.
    /// - Returns: a sentence for the status.
    /// - Throws: ``ProvisioningError`` `unreachable` or `refused`.
    public func verify(_ user: User) async throws(ProvisioningError) -> String {
        try await withConnection(login: (user.name, user.password)) { connection in
            _ = try await command(connection, ["EXISTS", "\(user.prefix):odoo-guard-check"])
            let over = connection.encrypted ? " over TLS" : " in plain text"
            return "Redis user \(user.name) logs in to \(server.host):\(server.port)\(over) with keys \(user.prefix):*"
        }
    }

    /// Deletes the user and its keys' access (the keys expire as sessions do).
    /// - Returns: whether a user was deleted.
    /// - Throws: ``ProvisioningError`` `invalidName`, `unreachable` or `refused`.
    public func drop(_ name: String) async throws(ProvisioningError) -> Bool {
        try Self.validate(name, "Redis user")
        return try await withConnection { connection in
            try await command(connection, ["ACL", "DELUSER", name]) == .integer(1)
        }
    }

    static func validate(_ text: String, _ what: String) throws(ProvisioningError) {
        let allowed = text.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 46 || $0 == 45 || $0 == 95 }
        guard (1...200).contains(text.utf8.count), allowed else {
            throw ProvisioningError.invalidName("\"\(text.prefix(80))\" cannot be a \(what): use a-z, 0-9, '.', '-' and '_'")
        }
    }

    private func withConnection<T: Sendable>(login: (String, String)? = nil, _ body: (RESPConnection) async throws -> T) async throws(ProvisioningError) -> T {
        let connection: RESPConnection
        do { connection = try await RESPConnection.connect(host: server.host, port: server.port, tls: server.tls) } catch {
            let over = server.tls.mode == .require ? " over TLS (required)" : ""
            throw ProvisioningError.unreachable("cannot connect to Redis \(server.host):\(server.port)\(over): \(error)", cause: error)
        }
        do {
            let credentials = login ?? server.adminPassword.map { (server.adminUser, $0) }
            if let (name, password) = credentials {
                if case .error(let message) = try await connection.command(["AUTH", name, password]) {
                    await connection.close()
                    throw ProvisioningError.unreachable("Redis \(server.host):\(server.port) refused the login of \(name): \(message)")
                }
            }
            let result = try await body(connection)
            await connection.close()
            return result
        } catch let error as ProvisioningError {
            await connection.close()
            throw error
        } catch {
            await connection.close()
            throw ProvisioningError.unreachable("Redis \(server.host):\(server.port): \(error)", cause: error)
        }
    }

    private func command(_ connection: RESPConnection, _ arguments: [String]) async throws -> RESPValue {
        let reply = try await connection.command(arguments)
        if case .error(let message) = reply {
            throw ProvisioningError.refused("Redis \(server.host):\(server.port) refused \(arguments.prefix(2).joined(separator: " ")): \(message)")
        }
        return reply
    }
}
