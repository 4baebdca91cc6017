import Crypto
import Foundation
import KubeModel
import Testing
import TestSupport

/// The webhook resolves and verifies images against a real registry during admission.
@Suite("Webhook image provenance", .serialized)
struct ProvenanceWebhookTests {
    static func deployment(_ image: String) -> JSONValue {
        let container: JSONValue = ["name": "web", "image": .string(image),
                                    "resources": ["requests": ["cpu": "250m", "memory": "512Mi"], "limits": ["memory": "1Gi"]]]
        return ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "web", "namespace": "clinic-prod"],
                "spec": ["replicas": 1, "selector": ["matchLabels": ["app": "web"]],
                         "template": ["metadata": ["labels": ["app": "web"]], "spec": ["containers": [container]]]]]
    }

    @Test("/mutate pins the tag to its digest; /validate admits the signed digest and denies an unsigned one, saying why")
    func resolveAndVerify() async throws {
        let registry = try await offPool { try RegistryServer() }
        do {
            try await check(registry)
        } catch {
            await offPool { registry.remove() }
            throw error
        }
        await offPool { registry.remove() }
    }

    private func check(_ registry: RegistryServer) async throws {
        let key = P256.Signing.PrivateKey()
        let name = "\(registry.host)/odoo/odoo"
        let signed = try OCILayout.image(seed: UUID().uuidString)
        let unsigned = try OCILayout.image(seed: UUID().uuidString)
        defer { signed.remove(); unsigned.remove() }
        let payload = CosignTestSigner.payload(digest: signed.digest, reference: name)
        let signature = try CosignTestSigner.sign(payload, with: key)
        try await offPool {
            try Skopeo.push(signed, to: "\(name):17.0")
            try Skopeo.push(unsigned, to: "\(name):unsigned")
            let artefact = try OCILayout.signatureArtefact([(payload, signature)])
            defer { artefact.remove() }
            try Skopeo.push(artefact, to: "\(name):\(signed.digest.replacingOccurrences(of: ":", with: "-")).sig")
        }
        let pem = String(decoding: JSONValue.string(key.publicKey.pemRepresentation).serializedBytes(), as: UTF8.self)
        let policy = """
        apiVersion: odooguard.io/v1alpha1
        kind: GuardPolicy
        metadata: {name: provenance}
        spec:
          stages:
            production: {allowedRegistries: ["\(registry.host)/*"], resolveDigests: true, requireSignatures: true}
          provenance:
            timeoutSeconds: 20
            insecureRegistries: ["\(registry.host)"]
            trustedKeys: [{repositories: ["\(registry.host)/*"], keys: [{name: release, publicKey: \(pem)}]}]
        """
        let harness = try await WebhookHarness.start(policy: policy)
        do {
            let mutate = try await harness.post("/mutate", Review.body(object: Self.deployment("\(name):17.0")))
            let patch = try #require(mutate.response["patch"]?.stringValue.flatMap { Data(base64Encoded: $0) })
            #expect(String(decoding: patch, as: UTF8.self).contains("\(name):17.0@\(signed.digest)"))

            let admitted = try await harness.post("/validate", Review.body(object: Self.deployment("\(name):17.0@\(signed.digest)")))
            #expect(admitted.response["allowed"] == .bool(true), "\(admitted.text)")

            let refused = try await harness.post("/validate", Review.body(object: Self.deployment("\(name):unsigned@\(unsigned.digest)")))
            #expect(refused.response["allowed"] == .bool(false))
            let message = refused.response["status"]?["message"]?.stringValue ?? ""
            #expect(message.contains("[image.signature-required]") && message.contains("no cosign signature exists"), "\(message)")
            #expect(try await harness.metric("odoo_guard_provenance_lookups_total{kind=\"signature\",result=\"verified\"}") >= 1)
        } catch {
            try await harness.shutdown()
            throw error
        }
        try await harness.shutdown()
    }
}
