import Foundation
import KubeModel

/// `odoo.list-db-disabled`, `odoo.dbfilter-set`, `odoo.admin-passwd-from-secret`, `odoo.proxy-mode`
/// on `odoo.conf` files in ConfigMaps and Secrets, and on an OdooEnvironment's `spec.config`
/// overrides (the operator writes the safe values itself; overrides may only make them stricter).
enum OdooRules {
    /// Data keys that hold an Odoo configuration when they have an `[options]` section.
    static func isConfigKey(_ key: String) -> Bool {
        key.hasSuffix(".conf") || key.hasSuffix(".cfg") || key == ".odoorc" || key == "odoorc"
    }

    static func check(_ input: RuleInput, into findings: inout [Finding]) {
        guard input.stage != nil else { return }
        if let configMap = ConfigMapView(input.object) {
            for (key, text) in configMap.data.sorted(by: { $0.key < $1.key }) where isConfigKey(key) {
                guard let conf = OdooConf(text) else { continue }
                checkFile(conf, path: "data" / key, inSecret: false, into: &findings)
            }
        } else if let secret = SecretView(input.object) {
            for (key, text) in secret.decodedEntries.sorted(by: { $0.key < $1.key }) where isConfigKey(key) {
                guard let conf = OdooConf(text) else { continue }
                let field = input.object.raw["stringData"]?[key] != nil ? "stringData" : "data"
                checkFile(conf, path: FieldPath([.key(field), .key(key)]), inSecret: true, into: &findings)
            }
        } else if let environment = OdooEnvironmentView(input.object) {
            checkEnvironment(environment, into: &findings)
            checkSchedule(environment, stage: input.stage, into: &findings)
            if let old = input.oldObject.flatMap(OdooEnvironmentView.init) {
                checkUpgrade(from: old, to: environment, into: &findings)
                checkChangeReference(from: old, to: environment, stage: input.stage, into: &findings)
            }
        }
    }

    static func checkFile(_ conf: OdooConf, path: FieldPath, inSecret: Bool, into findings: inout [Finding]) {
        func at(_ key: String) -> String { conf.options[key].map { " (line \($0.line))" } ?? "" }
        let listDB = conf.options["list_db"].map { OdooConf.bool($0.value) ?? true } ?? true
        if listDB {
            findings.append(Finding(rule: .odooListDBDisabled, path: path, message:
                "odoo.conf must set list_db = False\(at("list_db")); otherwise the database manager lists every database to anyone who asks"))
        }
        checkDBFilter(conf.options["dbfilter"]?.value, required: true, path: path, where: at("dbfilter"), into: &findings)
        if !inSecret, let admin = conf.options["admin_passwd"], !admin.value.isEmpty, admin.value.lowercased() != "false" {
            findings.append(Finding(rule: .odooAdminPasswdFromSecret, path: path, message:
                "odoo.conf sets admin_passwd in a ConfigMap (line \(admin.line)); put the master password in a Secret (the value is not shown here)"))
        }
        let proxy = conf.options["proxy_mode"].flatMap { OdooConf.bool($0.value) } ?? false
        if !proxy {
            findings.append(Finding(rule: .odooProxyMode, path: path, message:
                "odoo.conf must set proxy_mode = True\(at("proxy_mode")) behind the ingress, or client addresses and URLs are wrong"))
        }
    }

    static func checkDBFilter(_ filter: String?, required: Bool, path: FieldPath, where position: String, into findings: inout [Finding]) {
        guard let filter, !filter.isEmpty else {
            if required {
                findings.append(Finding(rule: .odooDBFilterSet, path: path, message:
                    "odoo.conf must set dbfilter to the environment's database, anchored: dbfilter = ^mydb$"))
            }
            return
        }
        if filter == ".*" || filter == "^.*$" || !filter.hasPrefix("^") || !filter.hasSuffix("$") {
            findings.append(Finding(rule: .odooDBFilterSet, path: path, message:
                "dbfilter \"\(filter)\"\(position) must be anchored to one database, e.g. ^mydb$"))
        }
    }

    /// The major version in `17.0`, `nil` when unreadable (the schema reports that).
    static func major(_ version: String?) -> Int? { version.flatMap { Int($0.split(separator: ".").first ?? "") } }

    static func checkUpgrade(from old: OdooEnvironmentView, to new: OdooEnvironmentView, into findings: inout [Finding]) {
        guard let before = major(old.version), let after = major(new.version), after < before else { return }
        findings.append(Finding(rule: .odooNoDowngrade, path: "spec.version", message:
            "cannot go from Odoo \(old.version ?? "") back to \(new.version ?? ""): the database has been upgraded to \(before) and Odoo \(after) cannot open it; restore a backup into a new environment instead"))
    }

    /// Production never sleeps: a `spec.schedule` is refused when the environment's stage (its own
    /// `spec.stage`, else its namespace's) is production, as the CRD's CEL rule does where the API server runs it.
    static func checkSchedule(_ environment: OdooEnvironmentView, stage: Stage?, into findings: inout [Finding]) {
        guard let schedule = environment.object.raw["spec"]?["schedule"], !schedule.isNull, stage == .production else { return }
        findings.append(Finding(rule: .odooProductionNeverSleeps, path: "spec.schedule", message:
            "production environments never sleep: remove spec.schedule (sleep schedules are for development and staging)"))
    }

    /// Production changes are traceable: any change of the spec needs the annotation (high-risk ones
    /// also need a ChangeApproval, `odoo.change-approved`).
    static func checkChangeReference(from old: OdooEnvironmentView, to new: OdooEnvironmentView, stage: Stage?, into findings: inout [Finding]) {
        guard (new.stage ?? stage) == .production || old.stage == .production, old.object.raw["spec"] != new.object.raw["spec"] else { return }
        let reference = new.object.annotations[GuardLabels.changeReference]?.trimmingCharacters(in: .whitespaces) ?? ""
        guard reference.isEmpty else { return }
        let addonsChanged = old.addonImages.map(\.image) != new.addonImages.map(\.image)
        let change = old.version != new.version ? "Odoo \(old.version ?? "?") → \(new.version ?? "?")"
            : old.image != new.image ? "image \(old.image ?? "(default)") → \(new.image ?? "(default)")"
            : addonsChanged ? "the addon images" : "of the spec"
        findings.append(Finding(rule: .odooChangeReference, path: FieldPath([.key("metadata"), .key("annotations"), .key(GuardLabels.changeReference)]), message:
            "a production change (\(change)) needs a change reference: add the annotation \(GuardLabels.changeReference) with your change ticket (e.g. CHG-1234)"))
    }

    static func checkEnvironment(_ environment: OdooEnvironmentView, into findings: inout [Finding]) {
        let config = environment.config
        guard !config.isEmpty else { return }
        let base: FieldPath = "spec.config"
        if let listDB = config["list_db"], OdooConf.bool(listDB) ?? true {
            findings.append(Finding(rule: .odooListDBDisabled, path: base / "list_db", message:
                "list_db may not be enabled; the database manager must stay closed"))
        }
        checkDBFilter(config["dbfilter"], required: false, path: base / "dbfilter", where: "", into: &findings)
        if config["admin_passwd"] != nil {
            findings.append(Finding(rule: .odooAdminPasswdFromSecret, path: base / "admin_passwd", message:
                "admin_passwd may not be set in the spec; the operator generates it into the environment's admin Secret (the value is not shown here)"))
        }
        if let proxy = config["proxy_mode"], !(OdooConf.bool(proxy) ?? false) {
            findings.append(Finding(rule: .odooProxyMode, path: base / "proxy_mode", message:
                "proxy_mode must stay True behind the ingress"))
        }
    }
}

private func / (lhs: String, rhs: String) -> FieldPath { FieldPath([.key(lhs), .key(rhs)]) }
