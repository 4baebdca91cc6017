import Crypto
import Foundation
import GuardCheck
import GuardRules
import ImageProvenance
import KubeModel
import Logging
import Testing
import TestSupport

/// Scan attestations through a real server and a real registry: the webhook and
/// `guardctl check --registry` judge the same manifests the same way, rule by rule and path by path,
/// and an admitted image leaves its scan as evidence in the audit annotations.
@Suite("Webhook scan attestations", .serialized)
struct ScanAttestationWebhookTests {
    static func deployment(_ name: String, image: String) -> String {
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: \(name), namespace: clinic-prod}
        spec:
          replicas: 1
          selector: {matchLabels: {app: \(name)}}
          template:
            metadata: {labels: {app: \(name)}}
            spec:
              securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
              containers:
                - name: web
                  image: "\(image)"
                  securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
                  resources: {requests: {cpu: 250m, memory: 512Mi}, limits: {memory: 1Gi}}

        """
    }

    /// Pushes an image and, when `findings` is given, its scan attestation signed with `key`.
    static func push(_ registry: RegistryServer, tag: String, key: P256.Signing.PrivateKey,
                     findings: [(id: String, severity: String, fixed: String)]?, daysAgo: Double = 1) async throws -> String {
        let name = "\(registry.host)/odoo/odoo"
        let image = try OCILayout.image(seed: UUID().uuidString)
        defer { image.remove() }
        try await offPool { try Skopeo.push(image, to: "\(name):\(tag)") }
        guard let findings else { return "\(name)@\(image.digest)" }
        let statement = CosignTestAttester.statement(digest: image.digest, repository: name,
                                                     finishedOn: Timestamp.format(Date().addingTimeInterval(-daysAgo * 86_400)),
                                                     result: CosignTestAttester.trivyReport(findings))
        let artefact = try OCILayout.attestationArtefact([(try CosignTestAttester.envelope(statement, key: key), CosignTestAttester.vulnerabilityType)])
        defer { artefact.remove() }
        try await offPool { try Skopeo.push(artefact, to: "\(name):\(CosignAttestations.attestationTag(for: image.digest))") }
        return "\(name)@\(image.digest)"
    }

    @Test("webhook and guardctl check --registry agree on clean, vulnerable, accepted, stale and unscanned images")
    func parity() async throws {
        let registry = try await offPool { try RegistryServer() }
        do { try await check(registry) } catch {
            await offPool { registry.remove() }
            throw error
        }
        await offPool { registry.remove() }
    }

    private func check(_ registry: RegistryServer) async throws {
        let key = P256.Signing.PrivateKey()
        let clean = try await Self.push(registry, tag: "clean", key: key, findings: [("CVE-2024-0009", "LOW", "")])
        let vulnerable = try await Self.push(registry, tag: "vulnerable", key: key, findings: [("CVE-2024-0001", "CRITICAL", "3.0.13-1")])
        let stale = try await Self.push(registry, tag: "stale", key: key, findings: [], daysAgo: 30)
        let unscanned = try await Self.push(registry, tag: "unscanned", key: key, findings: nil)
        let pem = String(decoding: JSONValue.string(key.publicKey.pemRepresentation).serializedBytes(), as: UTF8.self)
        let policy = """
        apiVersion: odooguard.io/v1alpha1
        kind: GuardPolicy
        metadata: {name: scans}
        spec:
          stages:
            production: {allowedRegistries: ["\(registry.host)/*"], requireScanAttestation: true}
          provenance: {timeoutSeconds: 20, insecureRegistries: ["\(registry.host)"]}
          scanAttestation:
            maxAgeDays: 7
            severity: high
            trustedKeys: [{repositories: ["\(registry.host)/*"], keys: [{name: scanner, publicKey: \(pem)}]}]

        """
        let cluster = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: clinic-prod, labels: {odooguard.io/stage: production, odooguard.io/tier: dedicated}}
        ---
        apiVersion: odooguard.io/v1alpha1
        kind: GuardException
        metadata: {name: accept-openssl, namespace: clinic-prod}
        spec:
          rules: [image.scan-attested]
          vulnerabilities: [CVE-2024-0001]
          targets: [{kind: Deployment, name: accepted}]
          approver: ciso@example.com
          reason: no fixed package for the base image yet
          expiresAt: "\(Timestamp.format(Date().addingTimeInterval(7 * 86_400)))"

        """
        let inputs = [("clean", clean), ("vulnerable", vulnerable), ("accepted", vulnerable), ("stale", stale), ("unscanned", unscanned)]
            .map { Self.deployment($0.0, image: $0.1) }
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("scan-parity-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let files = (policy: directory.appendingPathComponent("policy.yaml").path, cluster: directory.appendingPathComponent("cluster.yaml").path,
                     inputs: directory.appendingPathComponent("deployments.yaml").path)
        try Data(policy.utf8).write(to: URL(fileURLWithPath: files.policy))
        try Data(cluster.utf8).write(to: URL(fileURLWithPath: files.cluster))
        try Data(inputs.joined(separator: "---\n").utf8).write(to: URL(fileURLWithPath: files.inputs))

        var logger = Logger(label: "scan-parity")
        logger.logLevel = .critical
        let frozen = logger
        let offline = await CheckCommand.run(.init(paths: [files.inputs], policyPath: files.policy, format: .json, contextPaths: [files.cluster]),
                                             lookUp: { lookups, settings in
            await ImageVerification.lookUp(lookups, policy: settings, credentials: CredentialStore(), trustRoots: [], logger: frozen)
        })
        let results = try #require(JSONParser.parse(offline.standardOutput).arrayValue, "\(offline.standardError)")
        #expect(results.count == inputs.count)

        let harness = try await WebhookHarness.start(policy: policy, contextFiles: [files.cluster])
        do {
            var verdicts: [String: Bool] = [:]
            for (result, input) in zip(results, inputs) {
                let name = result["name"]?.stringValue ?? ""
                let object = try #require(ManifestReader.read(yaml: input).first).result.get()
                let response = try await harness.post("/validate", Review.body(object: object)).response
                let message = response["status"]?["message"]?.stringValue ?? ""
                let webhookRules = Set(message.split(separator: "\n").compactMap { line -> String? in
                    line.hasPrefix("- [") ? String(line.dropFirst(2).prefix { $0 != ":" }) : nil
                })
                let offlineRules = Set((result["violations"]?.arrayValue ?? []).compactMap { v -> String? in
                    guard let rule = v["rule"]?.stringValue, let path = v["path"]?.stringValue, v["mode"]?.stringValue == "enforce" else { return nil }
                    return "[\(rule)] \(path)"
                })
                #expect(webhookRules == offlineRules, "\(name): webhook \(webhookRules), guardctl \(offlineRules)")
                #expect(response["allowed"]?.boolValue == result["allowed"]?.boolValue, "\(name): \(message)")
                verdicts[name] = response["allowed"]?.boolValue
                switch name {
                case "clean":
                    #expect(response["auditAnnotations"]?["scan"]?.stringValue?.contains("\(clean) scanned") == true, "\(response)")
                case "accepted":
                    #expect(response["auditAnnotations"]?["scan"]?.stringValue?.contains("accepted CVE-2024-0001 by GuardException clinic-prod/accept-openssl") == true)
                case "vulnerable": #expect(message.contains("CVE-2024-0001 (critical, openssl, fix available)"), "\(message)")
                case "stale": #expect(message.contains("30 days ago"), "\(message)")
                default: #expect(message.contains("no vulnerability-scan attestation exists"), "\(message)")
                }
            }
            #expect(verdicts == ["clean": true, "vulnerable": false, "accepted": true, "stale": false, "unscanned": false], "\(verdicts)")
            #expect(try await harness.metric("odoo_guard_provenance_lookups_total{kind=\"scan\",result=\"attested\"}") >= 3)
        } catch { try await harness.shutdown(); throw error }
        try await harness.shutdown()
    }
}
