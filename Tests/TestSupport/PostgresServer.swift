import Foundation

/// A real PostgreSQL 15 server for one test: `initdb` in a temporary directory, `pg_ctl start` on a
/// free 127.0.0.1 port, trust authentication, stopped (and the directory removed) by ``stop()``.
/// Runs the server as the `postgres` user when the tests run as root (initdb refuses root).
public final class PostgresServer: Sendable {
    /// The PostgreSQL binaries.
    public static let binaries = "/usr/lib/postgresql/15/bin"
    /// The data directory's parent.
    public let directory: URL
    /// The TCP port.
    public let port: Int
    private let asPostgresUser: Bool

    /// `postgres://postgres@127.0.0.1:PORT/postgres?sslmode=disable`.
    public var dsn: String { "postgres://postgres@127.0.0.1:\(port)/postgres?sslmode=disable" }

    /// Initialises a cluster and starts it.
    /// - Parameter port: a fixed port (to restart a server where a client expects it); a free one by default.
    public init(port: Int? = nil) throws {
        self.port = try port ?? FreePort.next()
        directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("odoo-guard-pg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        asPostgresUser = getuid() == 0
        if asPostgresUser {
            try Subprocess.checked("/bin/chown", ["-R", "postgres:postgres", directory.path])
        }
        try runAsOwner("\(Self.binaries)/initdb", ["-D", directory.appendingPathComponent("data").path, "-A", "trust", "-U", "postgres",
                                                   "--no-sync", "-E", "UTF8"])
        try start()
    }

    /// Starts the (stopped) server again on the same port.
    public func start() throws {
        try runAsOwner("\(Self.binaries)/pg_ctl", [
            "-D", directory.appendingPathComponent("data").path, "-l", directory.appendingPathComponent("log.txt").path, "-w", "-t", "30",
            "-o", "-p \(port) -k \(directory.path) -c listen_addresses=127.0.0.1 -c fsync=off", "start",
        ])
    }

    /// Stops the server (fast shutdown), keeping its data.
    public func halt() throws {
        try runAsOwner("\(Self.binaries)/pg_ctl", ["-D", directory.appendingPathComponent("data").path, "-m", "fast", "-w", "stop"])
    }

    /// Stops the server and removes its directory.
    public func stop() {
        try? halt()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs SQL with psql and returns its unaligned, tuples-only output.
    @discardableResult
    public func psql(_ sql: String, database: String = "postgres") throws -> String {
        try Subprocess.checked("/usr/bin/psql", ["-X", "-q", "-A", "-t", "-h", "127.0.0.1", "-p", "\(port)", "-U", "postgres", "-d", database,
                                      "-v", "ON_ERROR_STOP=1", "-c", sql])
    }

    private func runAsOwner(_ tool: String, _ arguments: [String]) throws {
        if asPostgresUser {
            try Subprocess.checked("/usr/sbin/runuser", ["-u", "postgres", "--", tool] + arguments)
        } else {
            try Subprocess.checked(tool, arguments)
        }
    }
}

/// Free TCP ports on 127.0.0.1, found by binding port 0.
public enum FreePort {
    /// A port nothing listens on right now.
    public static func next() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Subprocess.Failed(description: "socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw Subprocess.Failed(description: "bind() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

extension PostgresServer {
    /// Switches TCP logins to password authentication (scram-sha-256) and reloads; the Unix socket
    /// stays trusted for ``psql(_:)``.
    public func requirePasswords() throws {
        let hba = "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n"
        let path = directory.appendingPathComponent("data/pg_hba.conf").path
        try hba.write(toFile: path, atomically: true, encoding: .utf8)
        if getuid() == 0 { try Subprocess.checked("/bin/chown", ["postgres:postgres", path]) }
        try psqlSocket("SELECT pg_reload_conf()")
    }

    /// Runs SQL over TCP as `user` with `password`; returns psql's exit status and output.
    public func psqlAs(_ user: String, _ password: String, database: String, _ sql: String) throws -> (status: Int32, output: String) {
        try Subprocess.run("/usr/bin/env", ["PGPASSWORD=\(password)", "/usr/bin/psql", "-X", "-q", "-A", "-t", "-h", "127.0.0.1", "-p", "\(port)",
                                            "-U", user, "-d", database, "-v", "ON_ERROR_STOP=1", "-c", sql])
    }

    /// Runs SQL as postgres over the Unix socket.
    @discardableResult
    public func psqlSocket(_ sql: String) throws -> String {
        try Subprocess.checked("/usr/bin/psql", ["-X", "-q", "-A", "-t", "-h", directory.path, "-p", "\(port)", "-U", "postgres", "-d", "postgres",
                                                 "-v", "ON_ERROR_STOP=1", "-c", sql])
    }
}
