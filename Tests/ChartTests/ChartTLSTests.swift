import Foundation
import KubeModel
import Testing
import TestSupport

/// The webhook's TLS in its three modes, checked with OpenSSL.
@Suite("Helm chart: webhook TLS modes", .serialized)
struct ChartTLSTests {
    static func decode(_ value: JSONValue?) throws -> String {
        let text = try #require(value?.stringValue)
        return String(decoding: try #require(Data(base64Encoded: text)), as: UTF8.self)
    }

    static func bundles(_ objects: [JSONValue]) -> [String?] {
        (Chart.objects(objects, kind: "MutatingWebhookConfiguration") + Chart.objects(objects, kind: "ValidatingWebhookConfiguration"))
            .flatMap { $0["webhooks"]?.arrayValue ?? [] }.map { $0["clientConfig"]?["caBundle"]?.stringValue }
    }

    @Test func generatedModeSignsTheServiceNamesAndEveryWebhookTrustsTheSameCA() throws {
        let objects = try Chart.render(namespace: "platform-guard", release: "guard")
        let secrets = Chart.objects(objects, kind: "Secret")
        let serving = try #require(secrets.first { $0["metadata"]?["name"] == "guard-odoo-guard-webhook-tls" })
        let ca = try #require(secrets.first { $0["metadata"]?["name"] == "guard-odoo-guard-webhook-ca" })
        #expect(serving["type"] == "kubernetes.io/tls" && ca["type"] == "kubernetes.io/tls")
        let caPEM = try Self.decode(serving["data"]?["ca.crt"])
        #expect(caPEM == (try Self.decode(ca["data"]?["tls.crt"])))
        // One CA for the Secret and all five webhooks (templates share one generated set per render).
        let bundles = Self.bundles(objects)
        #expect(bundles.count == 5)
        for bundle in bundles { #expect(try Self.decode(bundle.map(JSONValue.string)) == caPEM) }

        let directory = NSTemporaryDirectory() + "chart-tls-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data(caPEM.utf8).write(to: URL(fileURLWithPath: "\(directory)/ca.crt"))
        try Data(try Self.decode(serving["data"]?["tls.crt"]).utf8).write(to: URL(fileURLWithPath: "\(directory)/tls.crt"))
        try Data(try Self.decode(serving["data"]?["tls.key"]).utf8).write(to: URL(fileURLWithPath: "\(directory)/tls.key"))
        let openssl = "/usr/bin/openssl"
        #expect(try Subprocess.checked(openssl, ["verify", "-purpose", "sslserver", "-CAfile", "\(directory)/ca.crt", "\(directory)/tls.crt"]).contains(": OK"))
        let sans = try Subprocess.checked(openssl, ["x509", "-in", "\(directory)/tls.crt", "-noout", "-ext", "subjectAltName"])
        for name in ["guard-odoo-guard-webhook", "guard-odoo-guard-webhook.platform-guard", "guard-odoo-guard-webhook.platform-guard.svc",
                     "guard-odoo-guard-webhook.platform-guard.svc.cluster.local"] {
            #expect(sans.contains("DNS:\(name)"), "\(sans)")
        }
        #expect(try Subprocess.checked(openssl, ["x509", "-in", "\(directory)/tls.crt", "-noout", "-pubkey"])
                == (try Subprocess.checked(openssl, ["pkey", "-in", "\(directory)/tls.key", "-pubout"])))
        // The serving certificate lasts a year (renewed by upgrades inside the margin), the CA ten.
        #expect(try Subprocess.run(openssl, ["x509", "-in", "\(directory)/tls.crt", "-noout", "-checkend", String(364 * 86_400)]).status == 0)
        #expect(try Subprocess.run(openssl, ["x509", "-in", "\(directory)/tls.crt", "-noout", "-checkend", String(366 * 86_400)]).status != 0)
        #expect(try Subprocess.run(openssl, ["x509", "-in", "\(directory)/ca.crt", "-noout", "-checkend", String(3_649 * 86_400)]).status == 0)
        let notAfter = try #require(serving["metadata"]?["annotations"]?["odooguard.io/not-after"]?.stringValue)
        let enddate = try Subprocess.checked(openssl, ["x509", "-in", "\(directory)/tls.crt", "-noout", "-enddate"])
        let parsed = try #require(ISO8601DateFormatter().date(from: notAfter))
        let year = Calendar(identifier: .gregorian).component(.year, from: parsed)
        #expect(enddate.contains(String(year)), "annotation \(notAfter) vs \(enddate)")
        // The webhook mounts the serving pair only; the CA key stays in its own Secret that no pod mounts.
        let webhook = try #require(Chart.objects(objects, kind: "Deployment").first { $0["metadata"]?["name"] == "guard-odoo-guard-webhook" })
        let volumes = webhook["spec"]?["template"]?["spec"]?["volumes"]?.arrayValue ?? []
        #expect(!volumes.contains { $0["secret"]?["secretName"] == "guard-odoo-guard-webhook-ca" })
    }

    @Test func certManagerModeMakesCertificatesAndInjectsTheCA() throws {
        let objects = try Chart.render("\(Chart.path)/ci/cert-manager-values.yaml")
        #expect(Chart.objects(objects, kind: "Secret").isEmpty, "cert-manager writes the Secrets")
        let certificates = Chart.objects(objects, kind: "Certificate")
        #expect(certificates.count == 2)
        let serving = try #require(certificates.first { $0["metadata"]?["name"] == "og-odoo-guard-webhook-tls" })
        let dnsNames = Chart.strings(serving["spec"]?["dnsNames"])
        #expect(dnsNames.contains("og-odoo-guard-webhook.odoo-guard.svc"))
        #expect(serving["spec"]?["issuerRef"]?["name"] == "og-odoo-guard-webhook-ca")
        #expect(certificates.contains { $0["spec"]?["isCA"] == true })
        #expect(Chart.objects(objects, kind: "Issuer").count == 2)
        for configuration in Chart.objects(objects, kind: "MutatingWebhookConfiguration") + Chart.objects(objects, kind: "ValidatingWebhookConfiguration") {
            #expect(configuration["metadata"]?["annotations"]?["cert-manager.io/inject-ca-from"] == "odoo-guard/og-odoo-guard-webhook-tls")
        }
        #expect(Self.bundles(objects).allSatisfy { $0 == nil }, "the injector fills caBundle")
        // With the platform's issuer, the chart makes no issuer of its own.
        let platform = try Chart.render("\(Chart.path)/ci/cert-manager-issuer-values.yaml")
        #expect(Chart.objects(platform, kind: "Issuer").isEmpty && Chart.objects(platform, kind: "Certificate").count == 1)
        let platformCertificate = Chart.objects(platform, kind: "Certificate").first
        #expect(platformCertificate?["spec"]?["issuerRef"]?["kind"] == "ClusterIssuer")
    }

    @Test func existingSecretModeUsesTheSecretAndTheGivenBundle() throws {
        let objects = try Chart.render("\(Chart.path)/ci/existing-secret-values.yaml")
        #expect(Chart.objects(objects, kind: "Secret").isEmpty && Chart.objects(objects, kind: "Certificate").isEmpty)
        let values = try String(contentsOfFile: "\(Chart.path)/ci/existing-secret-values.yaml", encoding: .utf8)
        let bundles = Self.bundles(objects)
        #expect(bundles.count == 5)
        for bundle in bundles { #expect(bundle.map { values.contains("caBundle: \($0)") } == true) }
        let webhook = try #require(Chart.objects(objects, kind: "Deployment").first { $0["metadata"]?["name"] == "og-odoo-guard-webhook" })
        let volumes = webhook["spec"]?["template"]?["spec"]?["volumes"]?.arrayValue ?? []
        #expect(volumes.contains { $0["secret"]?["secretName"] == "odoo-guard-webhook-certs" })
    }
}
