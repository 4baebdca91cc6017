import CertKit
import Crypto
import Foundation
import GuardRules
import ImageProvenance
import KubeModel
import NIOSSL
import Testing
import TestSupport

/// TLS with a private CA, htpasswd basic auth and the bearer-token flow, against the real registry.
@Suite("Registry transport and authentication", .serialized)
struct ProvenanceAuthTests {
    @Test("HTTPS with the registry's CA trusted resolves; without it the TLS failure is reported, not a hang")
    func tlsWithTestCA() async throws {
        let authority = try CertificateAuthority.generate(commonName: "odoo-guard test registry CA")
        let leaf = try authority.issueServingCertificate(dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
        let tls = (certificate: try leaf.certificatePEM + "\n" + authority.keyPair.certificatePEM, key: leaf.privateKeyPEM)
        let root = try NIOSSLCertificate(bytes: Array(try authority.keyPair.certificatePEM.utf8), format: .pem)
        try await withRegistry(tls: tls, trustRoots: [root]) { fixture, service in
            let digest = try await fixture.pushImage(tag: "17.0")
            let policy = ProvenancePolicy()
            let result = await service.resolve(try fixture.reference("17.0"), access: .init(), policy: policy, deadline: .now + .seconds(30))
            #expect(result == .resolved(digest))
            try await withProvenanceService { untrusting in
                let refused = await untrusting.resolve(try fixture.reference("17.0"), access: .init(), policy: policy, deadline: .now + .seconds(30))
                guard case .unavailable(let reason) = refused else { Issue.record("expected unavailable, got \(refused)"); return }
                #expect(reason.lowercased().contains("certificate") || reason.contains("handshake") || reason.contains("SSL"), "\(reason)")
            }
        }
    }

    @Test("basic auth: credentials from a .dockerconfigjson resolve; none or wrong ones are refused without showing them")
    func basicAuth() async throws {
        try await withRegistry(auth: .basic(user: "puller", password: "s3cret-Pa55")) { fixture, service in
            let digest = try await fixture.pushImage(tag: "17.0")
            let host = fixture.registry.host
            let policy = ProvenancePolicy()
            let good = try CredentialStore(dockerConfig: Array(#"{"auths":{"\#(host)":{"auth":"\#(Data("puller:s3cret-Pa55".utf8).base64EncodedString())"}}}"#.utf8), source: "test")
            let ok = await service.resolve(try fixture.reference("17.0"), access: .init(insecureRegistries: [host], credentials: good),
                                           policy: policy, deadline: .now + .seconds(30))
            #expect(ok == .resolved(digest))

            let anonymous = await service.resolve(try fixture.reference("17.0"), access: .init(insecureRegistries: [host]),
                                                  policy: policy, deadline: .now + .seconds(30))
            guard case .unavailable(let missing) = anonymous else { Issue.record("got \(anonymous)"); return }
            #expect(missing.contains("requires credentials"))

            let wrong = try CredentialStore(dockerConfig: Array(#"{"auths":{"\#(host)":{"username":"puller","password":"wrong-Pa55"}}}"#.utf8), source: "test")
            let refused = await service.resolve(try fixture.reference("17.0"), access: .init(insecureRegistries: [host], credentials: wrong),
                                                policy: policy, deadline: .now + .seconds(30))
            guard case .unavailable(let message) = refused else { Issue.record("got \(refused)"); return }
            #expect(message.contains("refused the credentials"))
            #expect(!message.contains("wrong-Pa55") && !message.contains("s3cret"))
        }
    }

    @Test("bearer challenge: a token from the realm (with basic credentials) is used and reused")
    func bearerToken() async throws {
        let tokens = try TokenServer(credentials: ("puller", "t0ken-Pa55"))
        try await tokens.serving { realm in
            try await withRegistry(auth: .token(realm: realm, service: tokens.service, issuer: tokens.issuer,
                                                rootCertificatePEM: tokens.certificatePEM)) { base, service in
                var fixture = base
                fixture.pushCredentials = Skopeo.Credentials(user: "puller", password: "t0ken-Pa55")
                let digest = try await fixture.pushImage(tag: "17.0")
                let other = try await fixture.pushImage(tag: "16.0")
                let host = fixture.registry.host
                let credentials = try CredentialStore(dockerConfig: Array(#"{"auths":{"\#(host)":{"username":"puller","password":"t0ken-Pa55"}}}"#.utf8), source: "test")
                let access = RegistryClient.Access(insecureRegistries: [host], credentials: credentials)
                let before = service.statistics.tokenRequests
                #expect(await service.resolve(try fixture.reference("17.0"), access: access, policy: ProvenancePolicy(), deadline: .now + .seconds(30)) == .resolved(digest))
                #expect(await service.resolve(try fixture.reference("16.0"), access: access, policy: ProvenancePolicy(), deadline: .now + .seconds(30)) == .resolved(other))
                #expect(service.statistics.tokenRequests - before == 1)

                let anonymous = await service.resolve(try fixture.reference("17.0"), access: .init(insecureRegistries: [host]),
                                                      policy: ProvenancePolicy(), deadline: .now + .seconds(30))
                guard case .unavailable(let message) = anonymous else { Issue.record("got \(anonymous)"); return }
                #expect(message.contains("token service answered HTTP 401"))
            }
        }
    }
}
