import Logging
import Provisioning
import Testing
import TestSupport

/// ACL users on a real `redis-server` started for each test.
@Suite("Redis session users", .serialized)
struct RedisACLProvisionerTests {
    static let logger = Logger(label: "test.redis")

    @Test("the tenant user uses its prefix and nothing else; setting it again changes nothing")
    func prefixOnly() async throws {
        let server = try await offPool { try RedisServer() }
        defer { server.stop() }
        let provisioner = RedisACLProvisioner(server: .init(host: "127.0.0.1", port: server.port, adminPassword: server.password), logger: Self.logger)
        let user = RedisACLProvisioner.User(name: "clinic.erp", password: "SessionSecret123", prefix: "clinic.erp")
        #expect(try await provisioner.ensure(user) == ["created Redis user clinic.erp"])
        #expect(try await provisioner.ensure(user).isEmpty)
        #expect(try await provisioner.verify(user).contains("clinic.erp:*"))

        func cli(_ arguments: String...) async throws -> String {
            try await offPool { try server.cli(user: "clinic.erp", password: "SessionSecret123", arguments) }
        }
        #expect(try await cli("SET", "clinic.erp:session:abc", "data", "EX", "60") == "OK")
        #expect(try await cli("GET", "clinic.erp:session:abc") == "data")
        #expect(try await cli("SET", "pharmacy.erp:session:abc", "x").contains("NOPERM"))
        #expect(try await cli("GET", "pharmacy.erp:session:abc").contains("NOPERM"))
        #expect(try await cli("KEYS", "*").contains("NOPERM"))
        #expect(try await cli("FLUSHALL").contains("NOPERM"))
        #expect(try await cli("CONFIG", "GET", "*").contains("NOPERM"))
        #expect(try await cli("ACL", "LIST").contains("NOPERM"))
        #expect(try await cli("EVAL", "return 1", "0").contains("NOPERM"))
        // A wrong password is refused.
        let wrong = try await offPool { try server.cli(user: "clinic.erp", password: "nope", ["PING"]) }
        #expect(wrong.contains("WRONGPASS"))

        // Drift: someone widens the user; ensure puts it back.
        _ = try await offPool { try server.cli(user: "default", password: server.password, ["ACL", "SETUSER", "clinic.erp", "+@all", "allkeys"]) }
        #expect(try await provisioner.ensure(user) == ["corrected Redis user clinic.erp"])
        #expect(try await cli("GET", "other:key").contains("NOPERM"))

        #expect(try await provisioner.drop("clinic.erp"))
        #expect(try await offPool { try server.cli(user: "clinic.erp", password: "SessionSecret123", ["PING"]) }.contains("WRONGPASS"))
    }

    @Test("names that could smuggle ACL rules are refused", arguments: ["clinic erp", "x +@all", "~*", "Clinic", ""])
    func hostileNames(_ name: String) async throws {
        let provisioner = RedisACLProvisioner(server: .init(host: "127.0.0.1", port: 1, adminPassword: nil), logger: Self.logger)
        let error = await #expect(throws: ProvisioningError.self) {
            try await provisioner.ensure(.init(name: name, password: "p", prefix: "clinic"))
        }
        #expect(error == .invalidName)
    }

    @Test("a wrong admin password and a server that is down are errors, not hangs")
    func failures() async throws {
        let server = try await offPool { try RedisServer() }
        defer { server.stop() }
        let user = RedisACLProvisioner.User(name: "clinic.erp", password: "SessionSecret123", prefix: "clinic.erp")
        let wrong = RedisACLProvisioner(server: .init(host: "127.0.0.1", port: server.port, adminPassword: "wrong"), logger: Self.logger)
        let refused = await #expect(throws: ProvisioningError.self) { try await wrong.ensure(user) }
        #expect(refused == .unreachable)
        #expect(refused?.message.contains("WRONGPASS") == true)
        let down = RedisACLProvisioner(server: .init(host: "127.0.0.1", port: try FreePort.next(), adminPassword: nil), logger: Self.logger)
        let error = await #expect(throws: ProvisioningError.self) { try await down.ensure(user) }
        #expect(error == .unreachable)
    }
}
