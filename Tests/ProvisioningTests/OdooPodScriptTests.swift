import Foundation
import KubeModel
import OdooPlan
import Testing
import TestSupport

/// The scripts the plan puts into Odoo's pods, exactly as rendered, run with `sh` and the machine's
/// Python 3 (with psycopg2, as the Odoo image has it): the database init Job against a real
/// PostgreSQL 15 (a stand-in `odoo` on `PATH` records its arguments and makes the tables `odoo
/// --init` would), the config container's server-wide module check, and the readiness probe
/// against an HTTP server on loopback. Container paths are moved into a temporary directory.
@Suite("Odoo pod scripts", .serialized)
struct OdooPodScriptTests {
    static let addon = "registry.example.com/odoo/session-redis:17.0-3@sha256:" + String(repeating: "3c", count: 32)

    /// A shared-tier environment with Redis sessions (so `session_redis` is a server-wide module) and an addon image.
    static func desired() throws -> DesiredState {
        let environment: JSONValue = [
            "apiVersion": "odooguard.io/v1alpha1", "kind": "OdooEnvironment", "metadata": ["name": "clinic", "namespace": "clinic-prod"],
            "spec": ["version": "17.0", "tier": "shared", "stage": "development", "database": ["name": "clinic"], "redis": ["enabled": true],
                     "addons": [["image": .string(addon)]], "ingress": ["host": "clinic.example.com", "tls": ["certResolver": "le"]]],
        ]
        return try OdooPlanner(configuration: try OperatorConfiguration.builtIn()).plan(try OdooEnvironment.decode(environment))
    }

    static func web(_ desired: DesiredState) throws -> JSONValue {
        try #require(desired.objects.first { $0["kind"] == "Deployment" && $0["metadata"]?["name"] == "clinic-web" }?["spec"]?["template"]?["spec"])
    }

    static func temporaryDirectory() throws -> URL {
        let directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("odoo-guard-pod-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    static func write(_ text: String, _ url: URL, mode: Int = 0o644) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
    }

    static func sh(_ script: String, _ environment: [String: String]) throws -> (status: Int32, output: String) {
        try Subprocess.run("/usr/bin/env", ["-i"] + environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" } + ["/bin/sh", "-c", script])
    }

    @Test func theInitJobInitialisesOnceAndCreatesTheExtensions() async throws {
        let job = try #require(try Self.desired().initJob)
        let script = try #require(job["spec"]?["template"]?["spec"]?["containers"]?[0]?["command"]?[2]?.stringValue)
        let postgres = try await offPool { try PostgresServer() }
        let directory = try Self.temporaryDirectory()
        defer {
            postgres.stop()
            try? FileManager.default.removeItem(at: directory)
        }
        try await offPool {
            try postgres.psql("CREATE ROLE clinic LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE")
            try postgres.psql("CREATE DATABASE clinic OWNER clinic TEMPLATE template0")
        }
        // What `odoo --init` leaves behind, made by a stand-in that records how it was called.
        let calls = directory.appendingPathComponent("calls")
        try Self.write("""
            #!/bin/sh
            echo "$@" >> \(calls.path)
            exec psql -X -q -v ON_ERROR_STOP=1 -c "CREATE TABLE ir_module_module (name text, state text); INSERT INTO ir_module_module VALUES ('base', 'installed')"
            """, directory.appendingPathComponent("bin/odoo"), mode: 0o755)
        // The python3 the test machine's pip installed psycopg2 for (scripts/test), first after the stand-in.
        let python = URL(fileURLWithPath: ExecutablePath.onPath("python3")).deletingLastPathComponent().path
        let environment = ["PATH": "\(directory.path)/bin:\(python):/usr/bin:/bin", "HOST": "127.0.0.1", "PORT": "\(postgres.port)", "USER": "clinic",
                           "PASSWORD": "unused"]

        let first = try await offPool { try Self.sh(script, environment) }
        #expect(first.status == 0, "\(first.output)")
        let recorded = try String(contentsOf: calls, encoding: .utf8).split(separator: "\n")
        #expect(recorded == ["--config=/run/odoo/odoo.conf --no-http --workers=0 --max-cron-threads=0 --database=clinic --init=base --without-demo=all --stop-after-init"])
        let extensions = try await offPool { try postgres.psql("SELECT extname FROM pg_extension ORDER BY 1", database: "clinic") }
        #expect(extensions.split(separator: "\n").contains("pg_trgm"), "the tenant role creates the trusted extension: \(extensions)")

        // Run again (a retried Job, a lost status): the database is left alone and the Job succeeds.
        let second = try await offPool { try Self.sh(script, environment) }
        #expect(second.status == 0, "\(second.output)")
        #expect(second.output.contains("already initialised"))
        #expect(try String(contentsOf: calls, encoding: .utf8).split(separator: "\n").count == 1, "odoo --init ran once")
    }

    @Test func theConfigContainerStopsOnAMissingServerWideModule() async throws {
        let desired = try Self.desired()
        let config = try #require(try Self.web(desired)["initContainers"]?.arrayValue?.first { $0["name"] == "config" })
        let conf = try #require(desired.objects.first { $0["metadata"]?["name"] == "clinic-config" }?["data"]?["odoo.conf"]?.stringValue)
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let move = { (text: String) in
            text.replacingOccurrences(of: "/etc/odoo-base", with: directory.path + "/base")
                .replacingOccurrences(of: "/run/odoo", with: directory.path + "/run")
                .replacingOccurrences(of: OdooConfFile.addonsMount, with: directory.path + "/addons")
        }
        try Self.write(move(conf), directory.appendingPathComponent("base/odoo.conf"))
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("run"), withIntermediateDirectories: true)
        // An `odoo` package with its own base and web, as the image has it.
        for module in ["base", "web"] { try Self.write("{}", directory.appendingPathComponent("python/odoo/addons/\(module)/__manifest__.py")) }
        try Self.write("", directory.appendingPathComponent("python/odoo/__init__.py"))
        let script = move(try #require(config["command"]?[2]?.stringValue))
        let environment = ["PATH": "/usr/bin:/bin", "PYTHONPATH": directory.path + "/python", "ODOO_ADMIN_PASSWD": "s3cret"]

        let missing = try await offPool { try Self.sh(script, environment) }
        #expect(missing.status == Int32(PodFailure.missingModuleExit), "\(missing.output)")
        #expect(missing.output.contains("server_wide_modules names session_redis"), "\(missing.output)")

        // The addon image copied it in: Odoo may start, with the master password in the private copy.
        try Self.write("{}", directory.appendingPathComponent("addons/0/session_redis/__manifest__.py"))
        let present = try await offPool { try Self.sh(script, environment) }
        #expect(present.status == 0, "\(present.output)")
        let written = directory.appendingPathComponent("run/odoo.conf")
        let text = try String(contentsOf: written, encoding: .utf8)
        #expect(text.hasSuffix("admin_passwd = s3cret\n"))
        #expect((try FileManager.default.attributesOfItem(atPath: written.path)[.posixPermissions] as? Int) == 0o600)
    }

    @Test func theReadinessProbeWantsTheLoginPageItself() async throws {
        let probe = try #require(try Self.web(try Self.desired())["containers"]?[0]?["readinessProbe"]?["exec"]?["command"]?[2]?.stringValue)
        let directory = try Self.temporaryDirectory()
        let port = try FreePort.next()
        let script = probe.replacingOccurrences(of: "127.0.0.1:8072", with: "127.0.0.1:\(port)")
        let log = directory.appendingPathComponent("server.log").path
        let server = try Subprocess.spawn("/usr/bin/python3", ["-m", "http.server", "\(port)", "--bind", "127.0.0.1", "--directory", directory.path], log: log)
        defer {
            Subprocess.terminate(server)
            try? FileManager.default.removeItem(at: directory)
        }
        let page = directory.appendingPathComponent("web/login")
        try Self.write(#"<form><input type="hidden" name="csrf_token" value="x"/><input name="login"/></form>"#, page)
        let python: @Sendable () throws -> (status: Int32, output: String) = { try Subprocess.run("/usr/bin/python3", ["-c", script]) }
        try await offPool { try Subprocess.waitForPort(port) }
        let ready = try await offPool(python)
        #expect(ready.status == 0, "the login page renders: \(ready.output)")
        // Odoo without its database answers with another page (after a 303): not ready.
        try Self.write("<html>Select a database</html>", page)
        let other = try await offPool(python)
        #expect(other.status != 0 && other.output.contains("did not render the login page"), "\(other.output)")
    }
}
