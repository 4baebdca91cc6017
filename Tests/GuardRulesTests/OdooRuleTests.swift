import Foundation
import Testing
import GuardRules
import KubeModel

@Suite("Odoo configuration rules")
struct OdooRuleTests {
    struct Case: Sendable, CustomStringConvertible {
        let description: String
        let conf: String
        let rules: [String]
    }

    static let safe = "[options]\nproxy_mode = True\nlist_db = False\ndbfilter = ^clinic$\n"

    static let cases: [Case] = [
        Case(description: "safe", conf: safe, rules: []),
        Case(description: "defaults are unsafe", conf: "[options]\ndb_host = db\n",
             rules: ["odoo.dbfilter-set", "odoo.list-db-disabled", "odoo.proxy-mode"]),
        Case(description: "list_db on", conf: safe.replacingOccurrences(of: "list_db = False", with: "list_db = True"), rules: ["odoo.list-db-disabled"]),
        Case(description: "unanchored dbfilter", conf: safe.replacingOccurrences(of: "^clinic$", with: "clinic"), rules: ["odoo.dbfilter-set"]),
        Case(description: "catch-all dbfilter", conf: safe.replacingOccurrences(of: "^clinic$", with: ".*"), rules: ["odoo.dbfilter-set"]),
        Case(description: "admin_passwd literal", conf: safe + "admin_passwd = $pbkdf2-sha512$25000$abc\n", rules: ["odoo.admin-passwd-from-secret"]),
        Case(description: "proxy_mode off, colon syntax", conf: safe.replacingOccurrences(of: "proxy_mode = True", with: "proxy_mode: False"), rules: ["odoo.proxy-mode"]),
        Case(description: "other sections ignored", conf: "[options]\nproxy_mode = 1\nlist_db = 0\ndbfilter = ^a$\n[queue_job]\nlist_db = True\n", rules: []),
        Case(description: "comments ignored", conf: "[options]\n; list_db = True\n# admin_passwd = x\nproxy_mode=True\nlist_db=False\ndbfilter=^a$\n", rules: []),
        Case(description: "not an odoo config", conf: "server { listen 80; }\n", rules: []),
        Case(description: "CRLF line ends (a file saved on Windows)", conf: "[options]\r\nproxy_mode = True\r\nlist_db = True\r\ndbfilter = ^a$\r\n", rules: ["odoo.list-db-disabled"]),
        Case(description: "lone CR line ends", conf: "[options]\rproxy_mode = True\rlist_db = False\rdbfilter = .*\r", rules: ["odoo.dbfilter-set"]),
        Case(description: "tabs and Unicode spaces around section, key and value", conf: "\t[ Options ]\u{A0}\n\u{2003}proxy_mode\t=\tFalse \nlist_db = False\u{2003}\ndbfilter = ^a$\n",
             rules: ["odoo.proxy-mode"]),
    ]

    /// A hostile size: 200,000 CRLF lines of padding before the setting, and lone CRs in a row.
    @Test func aHugeCRLFFileIsReadToTheEndWithItsLineNumber() {
        let conf = "[options]\r\nproxy_mode = True\r\ndbfilter = ^a$\r\n" + String(repeating: "; pad\r\n", count: 200_000)
            + "\r\r\rlist_db = True\r\n"
        let object: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "conf", "namespace": "clinic"],
                                 "data": ["odoo.conf": .string(conf)]]
        let message = Fixture.evaluate(object).violations.first { $0.rule.rawValue == "odoo.list-db-disabled" }?.message ?? ""
        #expect(message.contains("(line 200007)"), "\(message)")
    }

    @Test("an option's line is counted as Python counts lines: LF, CRLF and CR each end one",
          arguments: ["\n", "\r\n", "\r"])
    func lineNumbersWhateverTheLineEnds(_ end: String) {
        let conf = ["[options]", "proxy_mode = True", "", "dbfilter = ^a$", "list_db = True"].joined(separator: end)
        let object: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "conf", "namespace": "clinic"],
                                 "data": ["odoo.conf": .string(conf)]]
        let message = Fixture.evaluate(object).violations.first { $0.rule.rawValue == "odoo.list-db-disabled" }?.message ?? ""
        #expect(message.contains("(line 5)"), "\(message)")
    }

    @Test("odoo.conf in a ConfigMap", arguments: cases)
    func configMap(_ case_: Case) {
        let object: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "conf", "namespace": "clinic"],
                                 "data": ["odoo.conf": .string(case_.conf), "README": "not a config"]]
        let decision = Fixture.evaluate(object)
        #expect(decision.rules == case_.rules)
        #expect(decision.violations.allSatisfy { $0.path.description == "data[odoo.conf]" })
        #expect(!decision.violations.contains { $0.message.contains("pbkdf2") })
    }

    @Test func odooConfInASecretMayHoldTheMasterPassword() {
        let conf = Self.safe + "admin_passwd = hunter2\n"
        let secret: JSONValue = ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "conf", "namespace": "clinic"],
                                 "data": ["odoo.conf": .string(Data(conf.utf8).base64EncodedString())]]
        #expect(Fixture.evaluate(secret).rules.isEmpty)
        let unsafe: JSONValue = ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "conf", "namespace": "clinic"],
                                 "stringData": ["odoo.conf": "[options]\nlist_db = True\nproxy_mode = True\ndbfilter = ^a$\n"]]
        let decision = Fixture.evaluate(unsafe)
        #expect(decision.rules == ["odoo.list-db-disabled"])
        #expect(decision.violations.first?.path.description == "stringData[odoo.conf]")
    }

    static let environmentCases: [(JSONValue, [String])] = [
        ([:], []),
        (["dbfilter": "^clinic$", "list_db": false, "proxy_mode": true], []),
        (["list_db": "True"], ["odoo.list-db-disabled"]),
        (["list_db": true], ["odoo.list-db-disabled"]),
        (["dbfilter": ".*"], ["odoo.dbfilter-set"]),
        (["admin_passwd": "x"], ["odoo.admin-passwd-from-secret"]),
        (["proxy_mode": "False"], ["odoo.proxy-mode"]),
    ]

    @Test("OdooEnvironment config overrides", arguments: 0..<environmentCases.count)
    func environment(_ index: Int) {
        let (config, rules) = Self.environmentCases[index]
        let object: JSONValue = ["apiVersion": "odooguard.io/v1alpha1", "kind": "OdooEnvironment", "metadata": ["name": "clinic", "namespace": "clinic"],
                                 "spec": ["stage": "staging", "tier": "shared", "image": "registry.example.com/odoo/odoo:17.0", "config": config]]
        #expect(Fixture.evaluate(object).rules == rules)
    }

    @Test("the Odoo major version only goes up", arguments: [("16.0", "17.0", false), ("17.0", "17.0", false), ("17.0", "16.0", true), ("9.0", "10.0", false), ("10.0", "9.0", true)])
    func downgrade(_ from: String, _ to: String, _ denied: Bool) throws {
        func environment(_ version: String) -> JSONValue {
            ["apiVersion": "odooguard.io/v1alpha1", "kind": "OdooEnvironment",
             "metadata": ["name": "clinic", "namespace": "clinic", "annotations": ["odooguard.io/change-ref": "CHG-1"]],
             "spec": ["stage": "production", "tier": "shared", "version": .string(version)]]
        }
        let decision = Fixture.evaluate(environment(to), operation: .update, oldObject: environment(from))
        // (A version change is high-risk: odoo.change-approved also asks for its approval; ApprovalRuleTests judge that.)
        #expect(decision.rules.filter { $0 != "odoo.change-approved" } == (denied ? ["odoo.no-downgrade"] : []))
        if denied { #expect(decision.denialMessage.contains("spec.version")) }
    }

    static let sleepCases: [(specStage: String, namespaceStage: String, schedule: Bool, denied: Bool)] = [
        ("production", "production", true, true),
        ("development", "production", true, false),  // the environment's own stage governs it, as everywhere
        ("production", "development", true, true),
        ("staging", "staging", true, false),
        ("development", "development", true, false),
        ("production", "production", false, false),
    ]

    @Test("production never sleeps", arguments: 0..<sleepCases.count)
    func productionNeverSleeps(_ index: Int) {
        let (specStage, namespaceStage, schedule, denied) = Self.sleepCases[index]
        var spec: JSONObject = ["stage": .string(specStage), "tier": "shared", "version": "17.0"]
        if schedule { spec["schedule"] = ["awake": [["schedule": "0 7 * * 1-5", "durationMinutes": 600]]] }
        let object: JSONValue = ["apiVersion": "odooguard.io/v1alpha1", "kind": "OdooEnvironment",
                                 "metadata": ["name": "clinic", "namespace": "clinic"], "spec": .object(spec)]
        let decision = Fixture.evaluate(object, stage: namespaceStage)
        #expect(decision.rules.contains("odoo.production-never-sleeps") == denied, "\(decision.rules)")
        if denied { #expect(decision.denialMessage.contains("spec.schedule") && !decision.allowed) }
    }

    @Test func noExceptionLetsProductionSleep() {
        let spec: JSONObject = ["stage": "production", "tier": "shared", "version": "17.0",
                                "schedule": ["awake": [["schedule": "0 7 * * 1-5", "durationMinutes": 600]]]]
        let object: JSONValue = ["apiVersion": "odooguard.io/v1alpha1", "kind": "OdooEnvironment",
                                 "metadata": ["name": "clinic", "namespace": "clinic"], "spec": .object(spec)]
        let exception: JSONValue = ["apiVersion": "odooguard.io/v1alpha1", "kind": "GuardException",
                                    "metadata": ["name": "let-it-sleep", "namespace": "clinic"],
                                    "spec": ["rules": ["odoo.production-never-sleeps"], "targets": [["kind": "OdooEnvironment", "name": "clinic"]],
                                             "approver": "lead@example.com", "reason": "save money", "expiresIn": "7d"]]
        let waived = Fixture.evaluate(object, peers: [exception])
        #expect(!waived.allowed && waived.rules.contains("odoo.production-never-sleeps"), "\(waived.rules)")
        let refused = Fixture.evaluate(exception)
        #expect(refused.denials.contains { $0.rule == .exceptionValid && $0.message.contains("odoo.production-never-sleeps") }, "\(refused.denials)")
    }

    static let changeReferenceCases: [(stage: String, change: Bool, reference: String?, denied: Bool)] = [
        ("production", true, nil, true),
        ("production", true, "  ", true),
        ("production", true, "CHG-1234", false),
        ("production", false, nil, false),
        ("staging", true, nil, false),
    ]

    @Test("production image changes need a change reference", arguments: 0..<changeReferenceCases.count)
    func changeReference(_ index: Int) {
        let (stage, change, reference, denied) = Self.changeReferenceCases[index]
        func environment(_ image: String, _ reference: String?) -> JSONValue {
            var metadata: JSONObject = ["name": "clinic", "namespace": "clinic"]
            if let reference { metadata["annotations"] = ["odooguard.io/change-ref": .string(reference)] }
            return ["apiVersion": "odooguard.io/v1alpha1", "kind": "OdooEnvironment", "metadata": .object(metadata),
                    "spec": ["stage": .string(stage), "tier": "shared", "version": "17.0", "image": .string(image), "replicas": 2]]
        }
        let old = environment("registry.example.com/odoo/odoo:17.0@sha256:" + String(repeating: "a", count: 64), nil)
        let new = environment("registry.example.com/odoo/odoo:17.0@sha256:" + String(repeating: change ? "b" : "a", count: 64), reference)
        let decision = Fixture.evaluate(new, operation: .update, oldObject: old)
        #expect(decision.rules.contains("odoo.change-reference") == denied, "\(decision.rules)")
        if denied { #expect(decision.denialMessage.contains("odooguard.io/change-ref")) }
    }

    @Test func aProductionAddonChangeNeedsAChangeReferenceToo() {
        func environment(_ addon: String) -> JSONValue {
            ["apiVersion": "odooguard.io/v1alpha1", "kind": "OdooEnvironment", "metadata": ["name": "clinic", "namespace": "clinic"],
             "spec": ["stage": "production", "tier": "shared", "version": "17.0", "addons": [["image": .string(addon)]]]]
        }
        let old = environment("registry.example.com/odoo/addons:1@sha256:" + String(repeating: "a", count: 64))
        let new = environment("registry.example.com/odoo/addons:2@sha256:" + String(repeating: "b", count: 64))
        let decision = Fixture.evaluate(new, operation: .update, oldObject: old)
        #expect(decision.rules.contains("odoo.change-reference"), "\(decision.rules)")
        #expect(decision.denialMessage.contains("the addon images"))
    }
}
