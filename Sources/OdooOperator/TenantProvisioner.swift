import Foundation
import KubeClient
import KubeModel
import Logging
import OdooPlan
import PostgresAccess
import Provisioning

/// Provisions what an environment needs outside Kubernetes: its role and databases on a shared
/// PostgreSQL server and its ACL user on the shared Redis.
///
/// Contract: ``ensure(_:)`` is idempotent and never throws — every failure is a `DatabaseCheck` with
/// `ready == false` and the server's own message, for the status and a backoff; ``release(_:)``
/// drops only what this environment owns.
public protocol TenantProvisioning: Sendable {
    /// Makes the environment's database (and Redis user) as planned and checks the tenant's login.
    /// - Parameter connectionLimit: the role's `CONNECTION LIMIT` (the environment's worst case),
    ///   `nil` for the tier's cap.
    /// - Returns: `nil` when there is nothing to provision here (dedicated tier, external Secret, no
    ///   admin credentials configured).
    func ensure(_ environment: OdooEnvironment, connectionLimit: Int?) async -> DatabaseCheck?
    /// Drops the environment's role, databases and Redis user (`deletionPolicy: Delete`).
    /// - Returns: what was dropped, in words.
    /// - Throws: ``OperatorError`` `provisioning` when a server refused or could not be reached.
    func release(_ environment: OdooEnvironment) async throws(OperatorError) -> [String]
}

/// ``TenantProvisioning`` with the administrator and tenant credentials read from Secrets through
/// the API. A successful check is remembered for ``recheckInterval`` while neither the tenant's
/// Secret nor the environment changed, so a resync of a large fleet does not open a connection per
/// environment.
public final class ClusterTenantProvisioner: TenantProvisioning {
    let api: any KubernetesAPI
    let configuration: OperatorConfiguration
    let logger: Logger
    let memo = ProvisioningMemo()
    /// How long a successful check stands.
    public let recheckInterval: TimeInterval

    /// A provisioner reading Secrets through `api`.
    public init(api: any KubernetesAPI, configuration: OperatorConfiguration, recheckInterval: TimeInterval = 600, logger: Logger) {
        self.api = api
        self.configuration = configuration
        self.recheckInterval = recheckInterval
        self.logger = logger
    }

    /// Provisions and checks the environment's database and Redis user (see ``TenantProvisioning``).
    public func ensure(_ environment: OdooEnvironment, connectionLimit: Int?) async -> DatabaseCheck? {
        guard let plan = target(environment) else { return nil }
        let tenantSecret: JSONValue?
        do {
            tenantSecret = try await api.getIfExists(.secrets, namespace: environment.namespace, name: environment.childNames.databaseSecret)
        } catch {
            return DatabaseCheck(ready: false, reason: "SecretUnreadable", message: "cannot read Secret \(environment.childNames.databaseSecret): \(error.message)")
        }
        guard let tenantSecret, let password = Self.value(tenantSecret, "password") else {
            return DatabaseCheck(ready: false, reason: "CredentialsMissing", message: "the database credentials Secret \(environment.childNames.databaseSecret) is being created")
        }
        let stamp = "\(environment.generation ?? 0)/\(tenantSecret["metadata"]?["resourceVersion"]?.stringValue ?? "")/\(connectionLimit ?? 0)"
        let key = "\(environment.namespace)/\(environment.name)"
        if let remembered = await memo.check(key, stamp: stamp, newerThan: Date().addingTimeInterval(-recheckInterval)) { return remembered }
        let result = await provision(environment, plan: plan, password: password, connectionLimit: connectionLimit)
        if result.ready { await memo.remember(key, stamp: stamp, check: result) } else { await memo.forget(key) }
        return result
    }

    /// Drops what the environment owns on the shared servers (see ``TenantProvisioning``).
    public func release(_ environment: OdooEnvironment) async throws(OperatorError) -> [String] {
        await memo.forget("\(environment.namespace)/\(environment.name)")
        guard let plan = target(environment) else { return [] }
        var released: [String] = []
        do {
            let provisioner = PostgresProvisioner(admin: try await adminDSN(plan.server), logger: logger)
            released += try await provisioner.drop(tenant(environment, password: "unused"))
            if let redis = try await redisProvisioner(environment) {
                if try await redis.drop(redisUser(environment)) { released.append("Redis user \(redisUser(environment))") }
            }
        } catch let error as OperatorError {
            throw error
        } catch let error as ProvisioningError {
            throw OperatorError.provisioning(error.message, cause: error)
        } catch {
            throw OperatorError.provisioning("\(error)", cause: error)
        }
        return released
    }

    // MARK: Steps

    struct Target {
        var server: OperatorConfiguration.DatabaseServer
        var adminSecret: OperatorConfiguration.SecretKeyReference
    }

    /// The shared server and its admin Secret, when this environment is provisioned here.
    func target(_ environment: OdooEnvironment) -> Target? {
        guard environment.tier == .shared, environment.database.externalSecret == nil,
              let server = configuration.databaseServer(named: environment.database.sharedServer), let secret = server.adminSecret else { return nil }
        return Target(server: server, adminSecret: secret)
    }

    func provision(_ environment: OdooEnvironment, plan: Target, password: String, connectionLimit: Int?) async -> DatabaseCheck {
        do {
            let provisioner = PostgresProvisioner(admin: try await adminDSN(plan.server), logger: logger)
            let tenant = tenant(environment, password: password, connectionLimit: connectionLimit)
            let changes = try await provisioner.ensure(tenant)
            var message = try await provisioner.verify(tenant)
            if let redis = try await redisProvisioner(environment) {
                guard let redisSecret = try await api.getIfExists(.secrets, namespace: environment.namespace, name: environment.childNames.redisSecret),
                      let redisPassword = Self.value(redisSecret, "password") else {
                    return DatabaseCheck(ready: false, reason: "CredentialsMissing", message: "the Redis credentials Secret \(environment.childNames.redisSecret) is being created")
                }
                let user = RedisACLProvisioner.User(name: redisUser(environment), password: redisPassword, prefix: redisUser(environment))
                _ = try await redis.ensure(user)
                message += "; " + (try await redis.verify(user))
            }
            if !changes.isEmpty { message += " (\(changes.joined(separator: ", ")))" }
            return DatabaseCheck(ready: true, reason: "Provisioned", message: message)
        } catch let error as ProvisioningError {
            let reasons: [(ProvisioningError, String)] = [(.invalidName, "InvalidDatabaseName"), (.unreachable, "DatabaseUnreachable"), (.refused, "DatabaseRefused"),
                                                          (.ownershipConflict, "DatabaseOwnershipConflict"), (.invalidInput, "InvalidCredentials")]
            return DatabaseCheck(ready: false, reason: reasons.first { $0.0 == error }?.1 ?? "DatabaseUnreachable", message: error.message)
        } catch let error as OperatorError {
            return DatabaseCheck(ready: false, reason: "AdminCredentialsUnavailable", message: error.message)
        } catch let error as KubeClientError {
            return DatabaseCheck(ready: false, reason: "SecretUnreadable", message: error.message)
        } catch {
            return DatabaseCheck(ready: false, reason: "DatabaseUnreachable", message: "\(error)")
        }
    }

    func tenant(_ environment: OdooEnvironment, password: String, connectionLimit: Int? = nil) -> PostgresProvisioner.Tenant {
        let cap = configuration.tiers[environment.tier]?.connectionLimit ?? 20
        var tenant = PostgresProvisioner.Tenant(role: environment.database.name, databases: [environment.database.name, environment.restoreCheckDatabase], password: password,
                                                connectionLimit: min(cap, connectionLimit ?? cap), owner: "\(environment.namespace)/\(environment.name)")
        // The extensions Odoo creates in databases it makes itself; the init Job cannot alter unaccent's function.
        tenant.extensions = ["pg_trgm"] + (environment.config["unaccent"].flatMap(OdooOption.bool) == true ? ["unaccent"] : [])
        return tenant
    }

    func redisUser(_ environment: OdooEnvironment) -> String { "\(environment.namespace).\(environment.name)" }

    func redisProvisioner(_ environment: OdooEnvironment) async throws -> RedisACLProvisioner? {
        guard environment.redis.enabled, environment.redis.mode == .shared, let redis = configuration.redis, let secret = redis.adminSecret else { return nil }
        let password = try await secretValue(secret)
        var ca: String?
        if let reference = redis.caSecret { ca = try await secretValue(reference) }
        let tls = RedisTLS(mode: Self.redisTLSMode(redis.tls, stage: environment.stage), trustRootsPEM: ca)
        return RedisACLProvisioner(server: .init(host: redis.host, port: redis.port, adminUser: redis.adminUser, adminPassword: password, tls: tls),
                                   logger: logger)
    }

    /// The TLS mode of the admin connection for an environment: the configuration's, except that a
    /// production environment's passwords cross only an encrypted connection.
    static func redisTLSMode(_ configured: OperatorConfiguration.RedisTLSMode, stage: OdooEnvironment.Stage) -> RedisTLS.Mode {
        if stage == .production { return .require }
        switch configured {
        case .disable: return .disable
        case .prefer: return .prefer
        case .require: return .require
        }
    }

    func adminDSN(_ server: OperatorConfiguration.DatabaseServer) async throws -> PostgresDSN {
        guard let reference = server.adminSecret else { throw OperatorError.provisioning("shared server \(server.name) has no adminSecret") }
        let text = try await secretValue(reference)
        do { return try PostgresDSN(text.trimmingCharacters(in: .whitespacesAndNewlines)) } catch {
            throw OperatorError.provisioning("Secret \(reference.namespace)/\(reference.name) key \(reference.key): \(error.message)", cause: error)
        }
    }

    func secretValue(_ reference: OperatorConfiguration.SecretKeyReference) async throws -> String {
        let secret: JSONValue?
        do { secret = try await api.getIfExists(.secrets, namespace: reference.namespace, name: reference.name) } catch {
            throw OperatorError.provisioning("cannot read Secret \(reference.namespace)/\(reference.name): \(error.message)", cause: error)
        }
        guard let secret, let value = Self.value(secret, reference.key) else {
            throw OperatorError.provisioning("Secret \(reference.namespace)/\(reference.name) with key \(reference.key) does not exist; the platform admin creates it")
        }
        return value
    }

    /// A Secret's entry, from `data` (base64) or `stringData`.
    static func value(_ secret: JSONValue, _ key: String) -> String? {
        SecretView(KubeObject(secret))?.decodedEntries[key]
    }
}

/// Successful checks by environment, with what they were made for.
actor ProvisioningMemo {
    private var entries: [String: (stamp: String, at: Date, check: DatabaseCheck)] = [:]

    func check(_ key: String, stamp: String, newerThan limit: Date) -> DatabaseCheck? {
        guard let entry = entries[key], entry.stamp == stamp, entry.at > limit else { return nil }
        return entry.check
    }

    func remember(_ key: String, stamp: String, check: DatabaseCheck) { entries[key] = (stamp, Date(), check) }

    func forget(_ key: String) { entries[key] = nil }
}
