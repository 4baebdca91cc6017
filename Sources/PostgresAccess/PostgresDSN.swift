import Foundation
import NIOSSL
import PostgresNIO

/// A PostgreSQL connection string: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=MODE]`
/// (`postgresql://` too). Percent-escapes in the user and password are decoded. `sslmode` is
/// `disable`, `prefer` (the default: TLS when the server offers it) or `require`; `require` and
/// `prefer` verify nothing beyond what libpq's modes of the same name verify.
public struct PostgresDSN: Sendable, CustomStringConvertible {
    /// TLS use.
    public enum TLSMode: String, Sendable {
        /// Plain TCP.
        case disable
        /// TLS when the server offers it.
        case prefer
        /// TLS or no connection.
        case require
    }

    /// Host name or address.
    public var host: String
    /// TCP port.
    public var port: Int
    /// Login role.
    public var user: String
    /// Password, when any.
    public var password: String?
    /// Database name.
    public var database: String
    /// TLS mode.
    public var tlsMode: TLSMode

    /// Parses a DSN.
    /// - Throws: ``PostgresAccessError/invalidDSN`` naming the part that is wrong (never the password).
    public init(_ text: String) throws(PostgresAccessError) {
        guard let components = URLComponents(string: text),
              let scheme = components.scheme, scheme == "postgres" || scheme == "postgresql" else {
            throw PostgresAccessError.invalidDSN("the DSN must look like postgres://USER:PASSWORD@HOST:PORT/DATABASE, got \(Self.redact(text))")
        }
        guard let host = components.host, !host.isEmpty else {
            throw PostgresAccessError.invalidDSN("the DSN \(Self.redact(text)) has no host")
        }
        guard let user = components.user, !user.isEmpty else {
            throw PostgresAccessError.invalidDSN("the DSN \(Self.redact(text)) has no user")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else {
            throw PostgresAccessError.invalidDSN("the DSN \(Self.redact(text)) must name one database in its path")
        }
        var mode = TLSMode.prefer
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let value = item.value.flatMap(TLSMode.init(rawValue:)) else {
                    throw PostgresAccessError.invalidDSN("sslmode must be disable, prefer or require, got \"\(item.value ?? "")\"")
                }
                mode = value
            default:
                throw PostgresAccessError.invalidDSN("the DSN parameter \"\(item.name)\" is not supported (only sslmode)")
            }
        }
        self.host = host
        port = components.port ?? 5432
        self.user = user.removingPercentEncoding ?? user
        password = components.password.map { $0.removingPercentEncoding ?? $0 }
        self.database = database
        tlsMode = mode
    }

    /// The connection configuration for postgres-nio.
    /// - Throws: ``PostgresAccessError/tlsSetup`` when the TLS context cannot be built.
    public func configuration(connectTimeout: Duration = .seconds(5)) throws(PostgresAccessError) -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        switch tlsMode {
        case .disable:
            tls = .disable
        case .prefer, .require:
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .none
            let context: NIOSSLContext
            do { context = try NIOSSLContext(configuration: configuration) } catch {
                throw PostgresAccessError.tlsSetup(description, cause: error)
            }
            tls = tlsMode == .require ? .require(context) : .prefer(context)
        }
        var result = PostgresConnection.Configuration(host: host, port: port, username: user, password: password,
                                                      database: database, tls: tls)
        let (seconds, attoseconds) = connectTimeout.components
        result.options.connectTimeout = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        return result
    }

    /// The DSN without its password.
    public var description: String { "postgres://\(user)@\(host):\(port)/\(database)?sslmode=\(tlsMode.rawValue)" }

    static func redact(_ text: String) -> String {
        guard var components = URLComponents(string: text) else { return "(unparseable DSN)" }
        if components.password != nil { components.password = "REDACTED" }
        return components.string ?? "(unparseable DSN)"
    }
}
