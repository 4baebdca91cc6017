import Foundation
import Logging
import NIOCore
@testable import Provisioning
import Testing
import TestSupport

/// The admin connection to a shared Redis over TLS (issue #34), against real `redis-server`s on
/// 127.0.0.1 — one serving TLS only, one plain — and the RESP reader against hostile replies.
@Suite("Redis over TLS and hostile replies", .serialized)
struct RedisTLSTests {
    static let logger = Logger(label: "test.redis.tls")
    static let user = RedisACLProvisioner.User(name: "clinic.erp", password: "SessionSecret123", prefix: "clinic.erp")

    static func provisioner(_ server: RedisServer, _ tls: RedisTLS) -> RedisACLProvisioner {
        RedisACLProvisioner(server: .init(host: "127.0.0.1", port: server.port, adminPassword: server.password, tls: tls), logger: logger)
    }

    @Test("a TLS server is spoken to over TLS in prefer and require; a plain one only in prefer")
    func modes() async throws {
        let secure = try await offPool { try RedisServer(tls: true) }
        defer { secure.stop() }
        let plain = try await offPool { try RedisServer() }
        defer { plain.stop() }
        for mode in [RedisTLS.Mode.prefer, .require] {
            let provisioner = Self.provisioner(secure, RedisTLS(mode: mode, trustRootsPEM: secure.caPEM))
            _ = try await provisioner.ensure(Self.user)
            #expect(try await provisioner.verify(Self.user).contains("over TLS"), "\(mode)")
        }
        // The user made over TLS works for redis-cli over TLS too.
        #expect(try await offPool { try secure.cli(user: "clinic.erp", password: "SessionSecret123", ["PING"]) } == "PONG")

        let preferred = Self.provisioner(plain, RedisTLS(mode: .prefer, trustRootsPEM: secure.caPEM))
        _ = try await preferred.ensure(Self.user)
        #expect(try await preferred.verify(Self.user).contains("in plain text"))
        let required = Self.provisioner(plain, RedisTLS(mode: .require, trustRootsPEM: secure.caPEM))
        let refused = await #expect(throws: ProvisioningError.self) { try await required.ensure(Self.user) }
        #expect(refused == .unreachable)
        #expect(refused?.message.contains("over TLS (required)") == true)
        // A TLS server without TLS: no answer a client could mistake for success.
        let naive = Self.provisioner(secure, .disabled)
        let error = await #expect(throws: ProvisioningError.self) { try await naive.ensure(Self.user) }
        #expect(error == .unreachable)
    }

    @Test("a certificate that fails verification is an error in prefer, never a fall back to plain text")
    func noDowngrade() async throws {
        let secure = try await offPool { try RedisServer(tls: true) }
        defer { secure.stop() }
        let other = try await offPool { try RedisServer(tls: true) }
        defer { other.stop() }
        // Trusting another server's certificate: the handshake fails on verification.
        let provisioner = Self.provisioner(secure, RedisTLS(mode: .prefer, trustRootsPEM: other.caPEM))
        let error = await #expect(throws: ProvisioningError.self) { try await provisioner.ensure(Self.user) }
        #expect(error == .unreachable)
        #expect(error?.message.localizedCaseInsensitiveContains("certificate") == true, "\(String(describing: error))")
        let garbage = Self.provisioner(secure, RedisTLS(mode: .require, trustRootsPEM: "not a certificate"))
        let invalid = await #expect(throws: ProvisioningError.self) { try await garbage.ensure(Self.user) }
        #expect(invalid?.message.contains("CA bundle") == true)
    }

    static func parse(_ bytes: [UInt8]) throws -> RESPValue? {
        var buffer = ByteBuffer(bytes: bytes)
        return try RESPConnection.parse(&buffer)
    }

    @Test("hostile lengths, counts and nesting are refused, not trusted", arguments: [
        "$9223372036854775807\r\n", "$9223372036854775806\r\nx", "$4194305\r\n", "*9223372036854775807\r\n", "*65537\r\n",
        String(repeating: "*1\r\n", count: 100) + ":1\r\n", "$3\r\nabcXY", ":12a\r\n", "?\r\n", "$-9223372036854775808\r\n",
    ])
    func hostile(_ reply: String) throws {
        do {
            let value = try Self.parse(Array(reply.utf8))
            // Incomplete is acceptable only for a reply whose declared size is within bounds.
            #expect(value == nil || value == .bulk(nil), "\(reply.prefix(40)) parsed as \(String(describing: value))")
        } catch let failure as RESPFailure {
            #expect(failure == .malformed)
        }
    }

    @Test("10,000 mutated replies: each parses, is incomplete or is refused; none traps or loops")
    func fuzzed() throws {
        let seeds = ["+OK\r\n", "-ERR no\r\n", ":42\r\n", "$5\r\nhello\r\n", "$-1\r\n", "*-1\r\n",
                     "*2\r\n$5\r\nflags\r\n*2\r\n$2\r\non\r\n$9\r\nallkeys\r\n", "*3\r\n:1\r\n*1\r\n+x\r\n$0\r\n\r\n"]
        var generator = SplitMix64(seed: 34)
        let alphabet = Array("*$:+-\r\n0123456789-x".utf8) + [0, 255]
        for _ in 0..<10_000 {
            var bytes = Array(seeds[Int.random(in: 0..<seeds.count, using: &generator)].utf8)
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let position = Int.random(in: 0...bytes.count, using: &generator)
                let byte = alphabet[Int.random(in: 0..<alphabet.count, using: &generator)]
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes.insert(byte, at: position)
                case 1 where position < bytes.count: bytes[position] = byte
                default: if position < bytes.count { bytes.remove(at: position) }
                }
            }
            var buffer = ByteBuffer(bytes: bytes)
            let before = buffer.readableBytes
            if let value = try? RESPConnection.parse(&buffer) {
                #expect(buffer.readableBytes < before, "a parsed reply consumed nothing: \(value)")
            }
        }
    }
}
