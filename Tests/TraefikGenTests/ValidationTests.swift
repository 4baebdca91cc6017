import OdooPlan
import Testing
import KubeModel
import TestSupport
import TraefikGen

@Suite("Input validation")
struct ValidationTests {
    struct HostCase: Sendable, CustomStringConvertible {
        let text: String
        let valid: Bool
        var description: String { text.debugDescription }
    }

    static let hosts: [HostCase] = [
        .init(text: "erp.clinic.example", valid: true),
        .init(text: "a", valid: true),
        .init(text: "10.0.0.1", valid: true),
        .init(text: "xn--bcher-kva.example", valid: true),
        .init(text: "*.clinic.example", valid: true),
        .init(text: String(repeating: "a", count: 63) + ".example", valid: true),
        .init(text: "", valid: false),
        .init(text: "ERP.clinic.example", valid: false),
        .init(text: "erp.clinic.example.", valid: false),
        .init(text: ".clinic.example", valid: false),
        .init(text: "erp..clinic.example", valid: false),
        .init(text: "-erp.clinic.example", valid: false),
        .init(text: "erp-.clinic.example", valid: false),
        .init(text: String(repeating: "a", count: 64) + ".example", valid: false),
        .init(text: String(repeating: "abcdefghi.", count: 26), valid: false),
        .init(text: "*", valid: false),
        .init(text: "*.example", valid: false),
        .init(text: "erp.*.example", valid: false),
        .init(text: "*erp.clinic.example", valid: false),
        .init(text: "**.clinic.example", valid: false),
        .init(text: "bücher.example", valid: false),
        .init(text: "erp_1.clinic.example", valid: false),
        .init(text: "erp.clinic.example:443", valid: false),
        // Attempts to break out of the rule expression.
        .init(text: "a.example`) || Host(`evil.example", valid: false),
        .init(text: "a.example\") || Host(\"evil.example", valid: false),
        .init(text: "a.example || b.example", valid: false),
        .init(text: "a.example||b.example", valid: false),
        .init(text: "a.example && PathPrefix(`/`)", valid: false),
        .init(text: "a.example\n", valid: false),
        .init(text: "a.example'", valid: false),
        .init(text: "a.ex\u{0430}mple", valid: false),
    ]

    @Test("host names", arguments: hosts)
    func hostNames(_ host: HostCase) {
        let result = Result { () throws(TraefikGenError) -> HostName in try HostName(parsing: host.text) }
        switch result {
        case .success(let parsed):
            #expect(host.valid, "\(host) was accepted")
            #expect(parsed.name == host.text)
        case .failure(let error):
            #expect(!host.valid, "\(host) was rejected: \(error.message)")
            #expect(error == .invalidValue)
        }
    }

    struct CIDRCase: Sendable, CustomStringConvertible {
        let text: String
        let canonical: String?
        var description: String { text }
    }

    static let cidrs: [CIDRCase] = [
        .init(text: "10.20.0.0/16", canonical: "10.20.0.0/16"),
        .init(text: "192.168.1.7/32", canonical: "192.168.1.7/32"),
        .init(text: "0.0.0.0/0", canonical: "0.0.0.0/0"),
        .init(text: "2001:db8::/32", canonical: "2001:db8::/32"),
        .init(text: "2001:DB8:0:0:0:0:0:0/32", canonical: "2001:db8::/32"),
        .init(text: "::1/128", canonical: "::1/128"),
        .init(text: "::/0", canonical: "::/0"),
        .init(text: "2001:db8:0:1::/64", canonical: "2001:db8:0:1::/64"),
        .init(text: "2001:0:0:1:0:0:0:0/64", canonical: "2001:0:0:1::/64"),
        .init(text: "::ffff:10.0.0.0/104", canonical: "::ffff:a00:0/104"),
        .init(text: "10.20.1.0/16", canonical: nil),
        .init(text: "10.20.0.0", canonical: nil),
        .init(text: "10.20.0.0/33", canonical: nil),
        .init(text: "10.20.0.0/-1", canonical: nil),
        .init(text: "10.20.0/16", canonical: nil),
        .init(text: "010.20.0.0/16", canonical: nil),
        .init(text: "256.0.0.0/8", canonical: nil),
        .init(text: "2001:db8::/129", canonical: nil),
        .init(text: "2001:db8:::/32", canonical: nil),
        .init(text: "2001::db8::/32", canonical: nil),
        .init(text: "1:2:3:4:5:6:7:8:9/128", canonical: nil),
        .init(text: "fe80::1%eth0/64", canonical: nil),
        .init(text: "10.0.0.0/8 ", canonical: nil),
        .init(text: "", canonical: nil),
    ]

    @Test("CIDRs", arguments: cidrs)
    func cidrParsing(_ cidr: CIDRCase) {
        let result = Result { () throws(TraefikGenError) -> CIDR in try CIDR(parsing: cidr.text) }
        #expect((try? result.get())?.description == cidr.canonical, "\(cidr.text): \(result)")
    }

    struct SpecCase: Sendable, CustomStringConvertible {
        let name: String
        let edit: @Sendable (inout JSONObject) -> Void
        let paths: [String]
        var description: String { name }
    }

    static let specs: [SpecCase] = [
        .init(name: "valid", edit: { _ in }, paths: []),
        .init(name: "missing everything", edit: { $0 = [:] }, paths: ["name", "namespace", "hosts", "tls", "odooVersion"]),
        .init(name: "unknown field", edit: { $0["hostz"] = ["a.example"] }, paths: ["hostz"]),
        .init(name: "hosts not a list", edit: { $0["hosts"] = "a.example" }, paths: ["hosts"]),
        .init(name: "empty hosts", edit: { $0["hosts"] = [] }, paths: ["hosts"]),
        .init(name: "bad and duplicate hosts", edit: { $0["hosts"] = ["A.example", "b.example", "b.example", 5] }, paths: ["hosts[0]", "hosts[2]", "hosts[3]"]),
        .init(name: "both TLS sources", edit: { $0["tls"] = ["secretName": "s", "certResolver": "le"] }, paths: ["tls"]),
        .init(name: "no TLS source", edit: { $0["tls"] = [:] }, paths: ["tls"]),
        .init(name: "bad TLS names", edit: { $0["tls"] = ["secretName": "Bad_Name", "extra": 1] }, paths: ["tls.extra", "tls.secretName"]),
        .init(name: "bad resolver", edit: { $0["tls"] = ["certResolver": "le`)"] }, paths: ["tls.certResolver"]),
        .init(name: "bad version", edit: { $0["odooVersion"] = "seventeen" }, paths: ["odooVersion"]),
        .init(name: "ancient version", edit: { $0["odooVersion"] = "7.0" }, paths: ["odooVersion"]),
        .init(name: "numeric version", edit: { $0["odooVersion"] = 16.0 }, paths: []),
        .init(name: "bad CIDRs", edit: { $0["adminAllowlist"] = ["10.0.0.0/8", "10.1.2.3/8", "0.0.0.0/0", "::/0", "nope"] },
              paths: ["adminAllowlist[1]", "adminAllowlist[2]", "adminAllowlist[3]", "adminAllowlist[4]"]),
        .init(name: "negative depth", edit: { $0["clientIPDepth"] = -1 }, paths: ["clientIPDepth"]),
        .init(name: "huge depth", edit: { $0["clientIPDepth"] = 99 }, paths: ["clientIPDepth"]),
        .init(name: "bad rate limit", edit: { $0["loginRateLimit"] = ["average": 0, "period": "1 minute", "burst": -5, "x": 1] },
              paths: ["loginRateLimit.x", "loginRateLimit.average", "loginRateLimit.period", "loginRateLimit.burst"]),
        .init(name: "burst below average", edit: { $0["loginRateLimit"] = ["average": 10, "burst": 5] }, paths: ["loginRateLimit.burst"]),
        .init(name: "period too long", edit: { $0["loginRateLimit"] = ["period": "25h"] }, paths: ["loginRateLimit.period"]),
        .init(name: "period as seconds", edit: { $0["loginRateLimit"] = ["period": 90] }, paths: []),
        .init(name: "zero sizes", edit: { $0["inFlightRequests"] = 0; $0["maxBodySize"] = "0" }, paths: ["inFlightRequests", "maxBodySize"]),
        .init(name: "bad size", edit: { $0["maxBodySize"] = "lots" }, paths: ["maxBodySize"]),
        .init(name: "too large size", edit: { $0["maxBodySize"] = "2Ti" }, paths: ["maxBodySize"]),
        .init(name: "negative replicas", edit: { $0["replicas"] = -1 }, paths: ["replicas"]),
        .init(name: "short HSTS", edit: { $0["hsts"] = ["maxAgeSeconds": 86_400, "preload": "yes"] }, paths: ["hsts.maxAgeSeconds", "hsts.preload"]),
        .init(name: "bad service", edit: { $0["service"] = "9lives" }, paths: ["service"]),
        .init(name: "same entry points", edit: { $0["entryPoints"] = ["web": "edge", "websecure": "edge"] }, paths: ["entryPoints.websecure"]),
        .init(name: "bad upstream", edit: { $0["upstream"] = "http://odoo:8069" }, paths: ["upstream"]),
        .init(name: "bad name and namespace", edit: { $0["name"] = "Clinic"; $0["namespace"] = "a.b" }, paths: ["name", "namespace"]),
    ]

    @Test("routing specs: every problem reported with its path", arguments: specs)
    func compactSpecs(_ specCase: SpecCase) {
        let paths = Fixtures.errorPaths(Fixtures.compact(specCase.edit))
        #expect(Set(paths) == Set(specCase.paths), "\(specCase.name): \(paths)")
        #expect(paths.count == specCase.paths.count, "\(specCase.name): each problem once: \(paths)")
    }

    /// An OdooEnvironment goes through the environment's one decoder (OdooPlan), so these documents
    /// carry what it requires beyond routing (apiVersion, tier, stage).
    @Test("an OdooEnvironment reports its own field paths")
    func environmentPaths() {
        let environment: JSONValue = [
            "apiVersion": "odooguard.io/v1alpha1", "kind": "OdooEnvironment",
            "metadata": ["name": "clinic"],
            "spec": ["version": "17", "tier": "shared", "stage": "staging", "replicas": "three", "redis": ["enabled": "yes"],
                     "ingress": ["host": "Clinic.example", "aliases": ["ok.example", "bad host"], "tls": ["secretName": "t"],
                                 "adminAllowlist": ["10.0.0.1/8"], "loginRateLimit": ["period": "soon"], "maxBodySize": "1Gi", "hstsPreload": true, "typo": 1]],
        ]
        let paths = Fixtures.errorPaths(environment)
        #expect(Set(paths) == ["spec.ingress.typo", "metadata.namespace", "spec.ingress.host", "spec.ingress.aliases[1]",
                               "spec.ingress.adminAllowlist[0]", "spec.ingress.loginRateLimit.period", "spec.replicas", "spec.redis.enabled"], "\(paths)")
        let missingIngress: JSONValue = ["apiVersion": "odooguard.io/v1alpha1", "kind": "OdooEnvironment", "metadata": ["name": "c", "namespace": "n"],
                                          "spec": ["version": "17.0", "tier": "shared", "stage": "staging"]]
        #expect(Fixtures.errorPaths(missingIngress) == ["spec.ingress"])
        let withDefault = Result { () throws(TraefikGenError) -> RoutingSpec in
            try RoutingSpec.decode(["apiVersion": "odooguard.io/v1alpha1", "kind": "OdooEnvironment", "metadata": ["name": "c"],
                                    "spec": ["version": "16.0", "tier": "shared", "stage": "staging", "ingress": ["host": "c.example", "tls": ["certResolver": "le"]]]],
                                   defaults: RoutingDefaults(namespace: "tenant-a"))
        }
        #expect((try? withDefault.get())?.namespace == "tenant-a")
    }

    /// One decoder: an OdooEnvironment is read by OdooPlan's decoder, so routes are never generated for
    /// an environment the operator refuses (here a name too long for its objects and no stage), and
    /// each problem is named once, at its path.
    @Test("an OdooEnvironment the operator refuses gets no routes")
    func environmentTheOperatorRefuses() {
        let environment: JSONValue = [
            "apiVersion": "odooguard.io/v1alpha1", "kind": "OdooEnvironment",
            "metadata": ["name": .string(String(repeating: "a", count: 48)), "namespace": "n"],
            "spec": ["version": "17.0", "tier": "shared", "ingress": ["host": "c.example", "tls": ["certResolver": "le"]]],
        ]
        let paths = Fixtures.errorPaths(environment)
        #expect(paths.sorted() == ["metadata.name", "spec.stage"], "\(paths)")
    }

    @Test("other kinds and non-objects are refused by name")
    func unsupportedDocuments() {
        for document: JSONValue in [["kind": "Deployment", "apiVersion": "apps/v1"], "text", [1, 2]] {
            let result = Result { () throws(TraefikGenError) -> RoutingSpec in try RoutingSpec.decode(document) }
            guard case .failure(let error) = result else { Issue.record("\(document) was accepted"); continue }
            #expect(error == .unsupportedDocument)
        }
    }

    @Test("no input string can reach a rule except as a validated host name")
    func ruleInjectionFuzz() {
        var rng = SplitMix64(seed: 0x7EAF_1C)
        let alphabet = Array("ab.-*`\"'|&() \\/\n$^{}[]:%A0")
        var accepted = 0
        for _ in 0..<5_000 {
            let text = String((0..<Int.random(in: 1...24, using: &rng)).map { _ in alphabet.randomElement(using: &rng) ?? "a" })
            let document = Fixtures.compact { $0["hosts"] = [.string(text)] }
            guard let spec = try? RoutingSpec.decode(document) else { continue }
            accepted += 1
            for target in TraefikTarget.allCases {
                for router in RoutePlan(spec).routers {
                    let rule = router.match.rule(for: target)
                    // Everything between backticks is a host made of the safe alphabet or our own regex.
                    let quoted = rule.split(separator: "`", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
                    for piece in quoted {
                        #expect(piece.allSatisfy { "abcdefghijklmnopqrstuvwxyz0123456789.-/_^[]+\\${}:".contains($0) }, "\(text) gave \(rule)")
                    }
                    #expect(rule.filter { $0 == "`" }.count % 2 == 0)
                }
            }
        }
        #expect(accepted > 0, "the fuzzer should produce some valid hosts too")
    }
}
