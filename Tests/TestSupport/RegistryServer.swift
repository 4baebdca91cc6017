import Foundation

/// Debian's `docker-registry` (CNCF distribution 2.8) on 127.0.0.1, in a temporary directory, for
/// the provenance tests: plain HTTP, TLS with a test certificate, htpasswd basic auth, or bearer
/// tokens from a test token service. Blocking: create and stop it through ``offPool(_:)``.
public final class RegistryServer: Sendable {
    /// How clients authenticate.
    public enum Auth: Sendable {
        /// Anonymous pull and push.
        case none
        /// htpasswd (bcrypt) basic auth for this user.
        case basic(user: String, password: String)
        /// Bearer tokens: the registry sends clients to `realm` and trusts tokens signed by the
        /// certificate in `rootCertificatePEM` for `service` from `issuer`.
        case token(realm: String, service: String, issuer: String, rootCertificatePEM: String)
    }

    /// The registry binary.
    public static let binary = "/usr/bin/docker-registry"
    /// The temporary directory (storage, config, log).
    public let directory: URL
    /// The port.
    public let port: Int
    private let pid: pid_t

    /// `127.0.0.1:port`, as image references name it.
    public var host: String { "127.0.0.1:\(port)" }
    /// The log (access log lines and the registry's own).
    public var logPath: String { directory.appendingPathComponent("registry.log").path }

    /// Starts a registry; `tls` is a (certificate PEM, key PEM) pair to serve HTTPS with.
    public init(auth: Auth = .none, tls: (certificate: String, key: String)? = nil, port: Int? = nil) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("odoo-guard-registry-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.port = try port ?? FreePort.next()
        var config = """
        version: 0.1
        log:
          level: info
          accesslog:
            disabled: false
        storage:
          filesystem:
            rootdirectory: \(directory.path)/data
          delete:
            enabled: true
        http:
          addr: 127.0.0.1:\(self.port)
          secret: odoo-guard-tests

        """
        if let tls {
            try tls.certificate.write(to: directory.appendingPathComponent("tls.crt"), atomically: true, encoding: .utf8)
            try tls.key.write(to: directory.appendingPathComponent("tls.key"), atomically: true, encoding: .utf8)
            config += "  tls:\n    certificate: \(directory.path)/tls.crt\n    key: \(directory.path)/tls.key\n"
        }
        switch auth {
        case .none: break
        case .basic(let user, let password):
            let line = try Subprocess.checked("/usr/bin/htpasswd", ["-Bbn", user, password]).trimmingCharacters(in: .whitespacesAndNewlines)
            try (line + "\n").write(to: directory.appendingPathComponent("htpasswd"), atomically: true, encoding: .utf8)
            config += "auth:\n  htpasswd:\n    realm: odoo-guard-tests\n    path: \(directory.path)/htpasswd\n"
        case .token(let realm, let service, let issuer, let root):
            try root.write(to: directory.appendingPathComponent("token-root.crt"), atomically: true, encoding: .utf8)
            config += "auth:\n  token:\n    realm: \(realm)\n    service: \(service)\n    issuer: \(issuer)\n    rootcertbundle: \(directory.path)/token-root.crt\n"
        }
        let configPath = directory.appendingPathComponent("config.yml").path
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        pid = try Subprocess.spawn(Self.binary, ["serve", configPath], log: directory.appendingPathComponent("registry.log").path)
        do { try Subprocess.waitForPort(self.port) } catch {
            Subprocess.terminate(pid)
            throw Subprocess.Failed(description: "docker-registry did not start: \((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "")")
        }
    }

    /// Access-log request lines so far (`GET /v2/odoo/odoo/manifests/17.0 HTTP/1.1" 200`).
    public func requests() -> [String] {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard !line.contains("level="), let start = line.firstIndex(of: "\"") else { return nil }
            return String(line[line.index(after: start)...])
        }
    }

    /// How many logged requests start with `prefix` (`GET /v2/odoo/odoo/manifests/`).
    public func count(_ prefix: String) -> Int { requests().filter { $0.hasPrefix(prefix) }.count }

    /// Stops the registry (the directory stays until ``remove()``).
    public func stop() { Subprocess.terminate(pid) }

    /// Stops the registry and deletes its directory.
    public func remove() {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
