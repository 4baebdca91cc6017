import Foundation
import GuardRules
import KubeModel
import OdooPlan
import Testing

/// Bad specs are refused twice over, by the CRD schema (as the API server would) and by the
/// operator's own decoding, each naming the field.
@Suite("OdooEnvironment validation")
struct ValidationTests {
    static func schema() throws -> SchemaValidator {
        let text = try String(contentsOf: Fixtures.root.appendingPathComponent("crds/odooguard.io_odooenvironments.yaml"), encoding: .utf8)
        return try #require(SchemaValidator(crd: try ManifestReader.parseSingle(yaml: text)))
    }

    /// One refusal: `value` set at `at`, refused at `expected` (default `at`). `cel` names the CRD's CEL
    /// rule that refuses it at the API server, for the few checks a structural schema cannot express:
    /// the test validator does not evaluate CEL, so the test proves the rule is on the right schema node.
    struct Refusal: Sendable, CustomTestStringConvertible {
        let name: String
        let at: FieldPath
        let value: JSONValue
        var expected: FieldPath?
        var cel: String?
        var testDescription: String { name }

        init(_ name: String, _ at: FieldPath, _ value: JSONValue, expected: FieldPath? = nil, cel: String? = nil) {
            self.name = name
            self.at = at
            self.value = value
            self.expected = expected
            self.cel = cel
        }
    }

    static let cases: [Refusal] = [
        Refusal("wrong type", "spec.replicas", "two"),
        Refusal("unknown tier", "spec.tier", "premium"),
        Refusal("invalid host", "spec.ingress.host", "clinic_example..com"),
        Refusal("negative replicas", "spec.replicas", -1),
        Refusal("unknown stage", "spec.stage", "prod"),
        Refusal("bad version", "spec.version", "seventeen"),
        Refusal("bad database name", "spec.database.name", "Clinic-DB"),
        Refusal("bad deletion policy", "spec.deletionPolicy", "Purge"),
        Refusal("workers out of range", "spec.workers", 500),
        Refusal("init modules not a list", "spec.database.initModules", "sale"),
        Refusal("addons not a list", "spec.addons", "registry.example.com/addons:1"),
        // The routing part, read by the same decoder since #34.
        Refusal("alias not a host", "spec.ingress.aliases", ["www.example.com", "bad host"], expected: FieldPath("spec.ingress.aliases") / 1),
        Refusal("aliases not a list", "spec.ingress.aliases", "www.example.com"),
        Refusal("TLS without a source", "spec.ingress.tls", [:], cel: "has(self.secretName) != has(self.certResolver)"),
        Refusal("TLS with both sources", "spec.ingress.tls", ["secretName": "t", "certResolver": "le"], cel: "has(self.secretName) != has(self.certResolver)"),
        Refusal("allowlist entry not a CIDR", "spec.ingress.adminAllowlist", ["10.0.0.0/33"], expected: FieldPath("spec.ingress.adminAllowlist") / 0),
        Refusal("allowlist entry not an address", "spec.ingress.adminAllowlist", ["clinic.example.com"], expected: FieldPath("spec.ingress.adminAllowlist") / 0),
        Refusal("too many proxies", "spec.ingress.clientIPDepth", 33),
        Refusal("negative proxies", "spec.ingress.clientIPDepth", -1),
        Refusal("login limit of zero", "spec.ingress.loginRateLimit.average", 0),
        Refusal("login period not a duration", "spec.ingress.loginRateLimit.period", "soon"),
        Refusal("no requests in flight", "spec.ingress.inFlightRequests", 0),
        Refusal("body size not a size", "spec.ingress.maxBodySize", "lots"),
        Refusal("HSTS preload not a bool", "spec.ingress.hstsPreload", "yes"),
        Refusal("unknown ingress field", "spec.ingress.hsts", true),
        Refusal("ingress without TLS", "spec.ingress", ["host": "demo.example.com"], expected: "spec.ingress.tls"),
        // The other sections.
        Refusal("unknown Redis mode", "spec.redis.mode", "cluster"),
        Refusal("filestore size not a quantity", "spec.filestore.size", "big"),
        Refusal("window longer than a day", "spec.maintenanceWindow.durationMinutes", 1441),
        Refusal("window without a schedule", "spec.maintenanceWindow", ["durationMinutes": 60], expected: "spec.maintenanceWindow.schedule"),
        Refusal("unknown spec field", "spec.surprise", true),
        Refusal("name too long", "metadata.name", .string(String(repeating: "a", count: 48)),
                cel: "self.metadata.name.size() <= 47 && self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')"),
    ]

    /// Absurd values are field errors, never an overflow: a time limit of Int.max, 10,000 addon images,
    /// 10,000 init modules, wrong JSON types.
    @Test func absurdValuesAreRefusedByName() throws {
        let object = Fixtures.environment { object in
            object.set(["limit_time_cpu": "9223372036854775807", "db_maxconn": "99999999999999999999"], at: "spec.config")
            object.set(.array(Array(repeating: ["image": "registry.example.com/addons:1"], count: 10_000)), at: "spec.addons")
            object.set(.array(Array(repeating: "base", count: 10_000)), at: "spec.database.initModules")
        }
        let error = try #require(throws: OdooPlanError.self) { try OdooEnvironment.decode(object) }
        #expect(Set(error.fieldErrors.map(\.path.description)) == ["spec.config.limit_time_cpu", "spec.config.db_maxconn", "spec.addons",
                                                                   "spec.database.initModules"], "\(error.fieldErrors)")
        let types = Fixtures.environment { object in
            object.set(["image": 7], at: "spec.addons")
            object.set([["image": ["nested": true]]], at: "spec.addons")
            object.set([42], at: "spec.database.initModules")
        }
        let typed = try #require(throws: OdooPlanError.self) { try OdooEnvironment.decode(types) }
        #expect(Set(typed.fieldErrors.map(\.path.description)) == ["spec.addons[0].image", "spec.database.initModules[0]"], "\(typed.fieldErrors)")
    }

    @Test func addonsInitModulesAndTimeLimitsNameEachBadEntry() throws {
        let object = Fixtures.environment { object in
            object.set(["base", "Sale!"], at: "spec.database.initModules")
            object.set([["image": "registry.example.com/addons:1", "path": "/mnt/../etc"], ["image": "Not An Image"], ["path": "/x"]], at: "spec.addons")
            object.set(["limit_time_cpu": "900", "limit_time_real": "600", "db_maxconn": "0"], at: "spec.config")
        }
        let error = try #require(throws: OdooPlanError.self) { try OdooEnvironment.decode(object) }
        let paths = Set(error.fieldErrors.map(\.path.description))
        #expect(paths == ["spec.database.initModules[1]", "spec.addons[0].path", "spec.addons[1].image", "spec.addons[2].image",
                          "spec.config.limit_time_cpu", "spec.config.db_maxconn"], "\(error.fieldErrors)")
        #expect(error.fieldErrors.first { $0.path.description == "spec.config.limit_time_cpu" }?.message.contains("more than limit_time_real") == true)
    }

    @Test("refused by the CRD schema and by the decoder, naming the field", arguments: cases)
    func refused(_ refusal: Refusal) throws {
        let object = Fixtures.environment { $0.set(refusal.value, at: refusal.at) }
        let error = try #require(throws: OdooPlanError.self) { try OdooEnvironment.decode(object) }
        #expect(error == .invalidEnvironment)
        try Self.check(refusal, object: object, crd: "crds/odooguard.io_odooenvironments.yaml", decoderErrors: error.fieldErrors)
    }

    /// The schema half of a refusal (or, for a CEL rule, that the rule sits on the refused field's
    /// node), then that the decoder named the same path.
    static func check(_ refusal: Refusal, object: JSONValue, crd file: String, decoderErrors: [FieldError]) throws {
        let path = refusal.expected ?? refusal.at
        let crd = try ManifestReader.parseSingle(yaml: String(contentsOf: Fixtures.root.appendingPathComponent(file), encoding: .utf8))
        if let rule = refusal.cel {
            var node = crd["spec"]?["versions"]?[0]?["schema"]?["openAPIV3Schema"]
            if refusal.at.description.hasPrefix("spec.") {
                for key in refusal.at.description.split(separator: ".") { node = node?["properties"]?[String(key)] }
            }
            let rules = node?["x-kubernetes-validations"]?.arrayValue?.compactMap { $0["rule"]?.stringValue } ?? []
            #expect(rules.contains(rule), "\(refusal.at): \(rules)")
        } else {
            let schemaErrors = try #require(SchemaValidator(crd: crd)).validate(object)
            #expect(schemaErrors.map(\.path).contains { $0 == path || $0.description.hasPrefix(path.description + ".") || $0.description.hasPrefix(path.description + "[") },
                    "schema: \(schemaErrors)")
        }
        #expect(decoderErrors.map(\.path).contains(path), "decoder: \(decoderErrors)")
    }

    @Test func everyProblemIsReportedAtOnce() throws {
        let object = Fixtures.environment { object in
            object.set("premium", at: "spec.tier")
            object.set(-1, at: "spec.replicas")
            object.set("bad host", at: "spec.ingress.host")
            object.set("True", at: "spec.config.list_db")
            object.set("x", at: "spec.config.admin_passwd")
            object.set("/mnt/other", at: "spec.config.addons_path")
            object.set(true, at: "spec.surprise")
        }
        let error = try #require(throws: OdooPlanError.self) { try OdooEnvironment.decode(object) }
        let paths = Set(error.fieldErrors.map(\.path.description))
        #expect(paths == ["spec.tier", "spec.replicas", "spec.ingress.host", "spec.config.list_db", "spec.config.admin_passwd",
                          "spec.config.addons_path", "spec.surprise"])
        #expect(error.fieldErrors.first { $0.path.description == "spec.config.addons_path" }?.message.contains("spec.addons") == true)
        #expect(!error.description.contains("\"x\""), "the admin password value is never echoed")
    }

    @Test func theCRDKeepsTierDatabaseAndVersionFromChangingBack() throws {
        let text = try String(contentsOf: Fixtures.root.appendingPathComponent("crds/odooguard.io_odooenvironments.yaml"), encoding: .utf8)
        let crd = try ManifestReader.parseSingle(yaml: text)
        let version = try #require(crd["spec"]?["versions"]?[0])
        let spec = try #require(version["schema"]?["openAPIV3Schema"]?["properties"]?["spec"])
        #expect(spec["properties"]?["tier"]?["x-kubernetes-validations"]?[0]?["rule"] == "self == oldSelf")
        #expect(spec["properties"]?["database"]?["properties"]?["name"]?["x-kubernetes-validations"]?[0]?["rule"] == "self == oldSelf")
        #expect(spec["x-kubernetes-validations"]?[0]?["rule"]?.stringValue?.contains("oldSelf.version") == true)
        #expect(crd["spec"]?["names"]?["shortNames"] == ["odooenv"])
        #expect(version["subresources"]?["status"] == [:])
        let columns = version["additionalPrinterColumns"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
        #expect(columns == ["Stage", "Tier", "Version", "Ready", "Sleep", "Replicas", "Min", "Max", "Change", "URL", "Age"])
        // Production refuses a sleep schedule at the API too, as the decoder does.
        let rules = spec["x-kubernetes-validations"]?.arrayValue?.compactMap { $0["rule"]?.stringValue } ?? []
        #expect(rules.contains("!(self.stage == 'production' && has(self.schedule))"))
        #expect(spec["properties"]?["deletionPolicy"]?["default"] == "Retain")
    }

    @Test func theBuiltInConfigurationDecodesAndBadOnesAreNamed() throws {
        #expect(Fixtures.configuration.databaseServers.map(\.name) == ["main"])
        let error = try #require(throws: OdooPlanError.self) {
            try OperatorConfiguration.decode(yaml: "kind: OperatorConfiguration\ntiers: {shared: {quota: {pods: lots}}}\nsurprise: 1\n", source: "operator.yaml")
        }
        #expect(error == .invalidConfiguration && error.message.hasPrefix("operator.yaml"))
        #expect(Set(error.fieldErrors.map(\.path.description)) == ["surprise", "tiers.shared.quota.pods", "tiers.dedicated"])
    }

    @Test func containerDefaultsAndMaximaHaveOneOwnerThePolicy() throws {
        // The embedded configuration takes the embedded policy's values.
        let builtIn = try OperatorConfiguration.builtIn()
        #expect(builtIn.tiers[.shared]?.container == (try GuardPolicy.builtIn()).tier(.shared))
        #expect(builtIn.tiers[.dedicated]?.maximum["memory"] == (try Quantity(parsing: "64Gi")))
        // A policy with other values: the operator's configuration follows it.
        let policy = try GuardPolicy(text: "apiVersion: odooguard.io/v1alpha1\nkind: GuardPolicy\nmetadata: {name: p}\nspec:\n  tiers: {shared: {maximum: {cpu: \"2\"}}}\n")
        let followed = builtIn.withTiers(of: policy)
        #expect(followed.tiers[.shared]?.maximum == ["cpu": try Quantity(parsing: "2")])
        #expect(followed.tiers[.shared]?.quota == builtIn.tiers[.shared]?.quota)
        // Setting them in the configuration is refused, naming where they belong.
        let error = try #require(throws: OdooPlanError.self) {
            try OperatorConfiguration.decode(yaml: "kind: OperatorConfiguration\ntiers: {shared: {maximum: {cpu: \"4\"}}, dedicated: {defaultLimits: {memory: 1Gi}}}\n",
                                             source: "operator.yaml")
        }
        #expect(Set(error.fieldErrors.map(\.path.description)) == ["tiers.shared.maximum", "tiers.dedicated.defaultLimits"])
        #expect(error.fieldErrors.allSatisfy { $0.description.contains("GuardPolicy") })
    }

    @Test func redisTLSIsReadAndBadValuesAreNamed() throws {
        #expect(Fixtures.configuration.redis?.tls == .prefer)
        let base = "kind: OperatorConfiguration\ntiers: {shared: {}, dedicated: {}}\nredis:\n  host: redis.example\n"
        let required = try OperatorConfiguration.decode(yaml: base + "  tls: {mode: require, caSecret: {namespace: odoo-guard, name: redis-ca, key: ca.crt}}\n",
                                                        source: "operator.yaml")
        #expect(required.redis?.tls == .require)
        #expect(required.redis?.caSecret?.name == "redis-ca")
        #expect(try OperatorConfiguration.decode(yaml: base, source: "operator.yaml").redis?.tls == .prefer)
        let error = try #require(throws: OdooPlanError.self) {
            try OperatorConfiguration.decode(yaml: base + "  tls: {mode: maybe, verify: false}\n", source: "operator.yaml")
        }
        #expect(Set(error.fieldErrors.map(\.path.description)) == ["redis.tls.mode", "redis.tls.verify"])
    }
}
