import CertKit
import Crypto
import Foundation
import Hummingbird
import KubeModel

/// A bearer-token service for ``RegistryServer`` in `.token` mode, as a registry's auth server
/// works: `GET /token?service=…&scope=repository:NAME:ACTIONS` answers `{"token": JWT}`, an ES256 JWT
/// whose `x5c` header carries a self-signed certificate the registry trusts. With `user` set, the
/// request must carry that user's basic credentials (else 401).
public struct TokenServer: Sendable {
    /// The service name the registry is configured with.
    public let service = "odoo-guard-registry"
    /// The issuer the registry is configured with.
    public let issuer = "odoo-guard-test-tokens"
    /// The signing certificate (PEM), for the registry's `rootcertbundle`.
    public let certificatePEM: String
    private let certificateDER: [UInt8]
    private let keyPEM: String
    private let credentials: (user: String, password: String)?
    /// Token requests answered so far are counted here.
    public let requests = Counter()

    /// A token service; `credentials` makes it require basic auth.
    public init(credentials: (user: String, password: String)? = nil) throws {
        let authority = try CertificateAuthority.generate(commonName: "odoo-guard test token signer")
        certificatePEM = try authority.keyPair.certificatePEM
        keyPEM = authority.keyPair.privateKeyPEM
        let base64 = certificatePEM.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        certificateDER = Array(Data(base64Encoded: base64) ?? Data())
        self.credentials = credentials
    }

    /// Serves on 127.0.0.1 (a free port) while `body` runs; `body` gets the realm URL.
    public func serving<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        let router = Router()
        router.get("token") { request, _ -> Response in
            self.requests.increment()
            if let credentials = self.credentials {
                let expected = "Basic " + Data("\(credentials.user):\(credentials.password)".utf8).base64EncodedString()
                guard request.headers[.authorization] == expected else {
                    return Response(status: .unauthorized, headers: [.wwwAuthenticate: "Basic realm=\"tokens\""])
                }
            }
            let scopes = request.uri.queryParameters.getAll("scope").map { String($0) }
            let token = try self.token(scopes: scopes)
            let body = JSONValue.object(["token": .string(token), "access_token": .string(token), "expires_in": .int(300)]).serializedBytes()
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        return try await servingOnLoopback(router) { port in try await body("http://127.0.0.1:\(port)/token") }
    }

    /// A token granting every requested `repository:NAME:ACTIONS` scope.
    private func token(scopes: [String]) throws -> String {
        var access: [JSONValue] = []
        for scope in scopes.flatMap({ $0.split(separator: " ") }) {
            let parts = scope.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count >= 3 else { continue }
            let actions = parts[parts.count - 1].split(separator: ",").map { JSONValue.string(String($0)) }
            let name = parts[1..<(parts.count - 1)].joined(separator: ":")
            access.append(.object(["type": .string(String(parts[0])), "name": .string(name), "actions": .array(actions)]))
        }
        let now = Int64(Date().timeIntervalSince1970)
        let header = JSONValue.object(["typ": .string("JWT"), "alg": .string("ES256"),
                                       "x5c": .array([.string(Data(certificateDER).base64EncodedString())])])
        let claims = JSONValue.object(["iss": .string(issuer), "sub": .string(credentials?.user ?? "anonymous"), "aud": .string(service),
                                       "exp": .int(now + 300), "nbf": .int(now - 10), "iat": .int(now),
                                       "jti": .string(UUID().uuidString), "access": .array(access)])
        let signingInput = Self.base64URL(header.serializedBytes()) + "." + Self.base64URL(claims.serializedBytes())
        let key = try P256.Signing.PrivateKey(pemRepresentation: keyPEM)
        let signature = try key.signature(for: Array(signingInput.utf8))
        return signingInput + "." + Self.base64URL(Array(signature.rawRepresentation))
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// A thread-safe counter.
public final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    /// A counter at 0.
    public init() {}
    /// Adds one.
    public func increment() { lock.lock(); count += 1; lock.unlock() }
    /// The count.
    public var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
