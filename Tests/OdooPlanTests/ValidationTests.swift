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

    static let cases: [(String, FieldPath, JSONValue)] = [
        ("wrong type", "spec.replicas", "two"),
        ("unknown tier", "spec.tier", "premium"),
        ("invalid host", "spec.ingress.host", "clinic_example..com"),
        ("negative replicas", "spec.replicas", -1),
        ("unknown stage", "spec.stage", "prod"),
        ("bad version", "spec.version", "seventeen"),
        ("bad database name", "spec.database.name", "Clinic-DB"),
        ("bad deletion policy", "spec.deletionPolicy", "Purge"),
        ("workers out of range", "spec.workers", 500),
        ("init modules not a list", "spec.database.initModules", "sale"),
        ("addons not a list", "spec.addons", "registry.example.com/addons:1"),
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

    @Test("refused by the CRD schema and by the decoder, naming the field", arguments: 0..<cases.count)
    func refused(_ index: Int) throws {
        let (_, path, value) = Self.cases[index]
        let object = Fixtures.environment { $0.set(value, at: path) }
        let schemaErrors = try Self.schema().validate(object)
        #expect(schemaErrors.map(\.path).contains(path), "schema: \(schemaErrors)")
        let error = try #require(throws: OdooPlanError.self) { try OdooEnvironment.decode(object) }
        #expect(error == .invalidEnvironment)
        #expect(error.fieldErrors.map(\.path).contains(path), "decoder: \(error)")
    }

    @Test func everyProblemIsReportedAtOnce() throws {
        let object = Fixtures.environment { object in
            object.set("premium", at: "spec.tier")
            object.set(-1, at: "spec.replicas")
            object.set("bad host", at: "spec.ingress.host")
            object.set("True", at: "spec.config.list_db")
            object.set("x", at: "spec.config.admin_passwd")
            object.set(true, at: "spec.surprise")
        }
        let error = try #require(throws: OdooPlanError.self) { try OdooEnvironment.decode(object) }
        let paths = Set(error.fieldErrors.map(\.path.description))
        #expect(paths == ["spec.tier", "spec.replicas", "spec.ingress.host", "spec.config.list_db", "spec.config.admin_passwd", "spec.surprise"])
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
        #expect(columns == ["Stage", "Tier", "Version", "Ready", "Sleep", "URL", "Age"])
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
        #expect(builtIn.tiers[.shared]?.container == (try GuardPolicy.builtIn()).tier("shared"))
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
