import Foundation

/// Debian's `redis-server` on a free 127.0.0.1 port, no persistence, the `default` user's password
/// set, in a temporary directory. Blocking: create and stop it through ``offPool(_:)``.
public final class RedisServer: Sendable {
    /// The port.
    public let port: Int
    /// The `default` user's password.
    public let password: String
    private let pid: pid_t
    private let directory: URL

    /// The CA (a self-signed certificate for 127.0.0.1) of a TLS server, `nil` for plain text.
    public let caPEM: String?

    /// Starts a server; with `tls`, it serves TLS only on its port (Redis' `tls-port`, plain port off),
    /// with a fresh self-signed P-256 certificate for IP 127.0.0.1 made by openssl.
    public init(password: String = "admin-secret", tls: Bool = false) throws {
        port = try FreePort.next()
        self.password = password
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("odoo-guard-redis-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var listen = ["--port", "\(port)"]
        if tls {
            let certificate = directory.appendingPathComponent("tls.crt").path
            let key = directory.appendingPathComponent("tls.key").path
            _ = try Subprocess.run("/usr/bin/openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                                                        "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                                                        "-keyout", key, "-out", certificate])
            caPEM = try String(contentsOfFile: certificate, encoding: .utf8)
            listen = ["--port", "0", "--tls-port", "\(port)", "--tls-cert-file", certificate, "--tls-key-file", key,
                      "--tls-ca-cert-file", certificate, "--tls-auth-clients", "no"]
        } else {
            caPEM = nil
        }
        pid = try Subprocess.spawn("/usr/bin/redis-server", listen + [
            "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory.path,
            "--requirepass", password, "--daemonize", "no",
        ], log: directory.appendingPathComponent("redis.log").path)
        try Subprocess.waitForPort(port)
    }

    /// Runs `redis-cli` as `user` and returns its output (errors included, as redis-cli prints them).
    public func cli(user: String, password: String, _ arguments: [String]) throws -> String {
        try Subprocess.run("/usr/bin/redis-cli", connection + ["--user", user, "--pass", password, "--no-auth-warning"] + arguments)
            .output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// redis-cli's address (and TLS) options.
    var connection: [String] {
        ["-h", "127.0.0.1", "-p", "\(port)"] + (caPEM == nil ? [] : ["--tls", "--cacert", directory.appendingPathComponent("tls.crt").path])
    }

    /// Stops the server and removes its directory.
    public func stop() {
        _ = try? Subprocess.run("/usr/bin/redis-cli", connection + ["--pass", password, "--no-auth-warning", "SHUTDOWN", "NOSAVE"])
        Subprocess.terminate(pid)
        try? FileManager.default.removeItem(at: directory)
    }
}

/// An S3-compatible server on a free 127.0.0.1 port: `moto_server` from PyPI's moto, in memory.
/// Blocking: create and stop it through ``offPool(_:)``.
public final class S3Server: Sendable {
    /// The port.
    public let port: Int
    private let pid: pid_t
    private let log: String

    /// `http://127.0.0.1:PORT`.
    public var endpoint: String { "http://127.0.0.1:\(port)" }

    /// Starts a server.
    public init() throws {
        port = try FreePort.next()
        log = "/tmp/odoo-guard-moto-\(UUID().uuidString.prefix(8)).log"
        let tool = ExecutablePath.onPath("moto_server")
        guard tool.hasPrefix("/") else { throw Subprocess.Failed(description: "moto_server is not installed (scripts/test installs moto[server])") }
        pid = try Subprocess.spawn(tool, ["-H", "127.0.0.1", "-p", "\(port)"], log: log)
        try Subprocess.waitForPort(port, timeout: 30)
    }

    /// Stops the server.
    public func stop() {
        Subprocess.terminate(pid)
        unlink(log)
    }
}
