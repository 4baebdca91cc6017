@testable import AdmissionServer
import Foundation
import GuardRules
import KubeModel
import KubeRuntime
import OdooOperator
import OdooPlan
import Testing
import TestSupport

/// The chart's alerts and dashboards: rendered only where the Prometheus Operator's CRDs exist, valid
/// against those CRDs, checked and unit-tested by `promtool`, and built only from metrics the
/// components export.
@Suite("Chart monitoring", .serialized)
struct ChartMonitoringTests {
    static let monitoringAPIs = ["--api-versions", "monitoring.coreos.com/v1/PrometheusRule", "--api-versions", "monitoring.coreos.com/v1/ServiceMonitor"]
    static let reference = Chart.root.deletingLastPathComponent().appendingPathComponent("shared/reference/prometheus-operator-crds")
    static let promtool = ExecutablePath.onPath("promtool")

    static func render(_ set: [String] = [], apis: Bool = true) throws -> [JSONValue] {
        try Chart.render(set: set, extraArguments: apis ? monitoringAPIs : [])
    }

    @Test("alerts, ServiceMonitors and dashboards only where the CRDs exist, and each can be turned off")
    func gating() throws {
        let without = try Self.render(apis: false)
        #expect(Chart.objects(without, kind: "PrometheusRule").isEmpty && Chart.objects(without, kind: "ServiceMonitor").isEmpty)
        #expect(!Chart.objects(without, kind: "ConfigMap").contains { $0["metadata"]?["name"]?.stringValue?.contains("dashboard") == true })
        let with = try Self.render()
        #expect(Chart.objects(with, kind: "PrometheusRule").count == 1 && Chart.objects(with, kind: "ServiceMonitor").count == 2)
        let dashboards = Chart.objects(with, kind: "ConfigMap").filter { $0["metadata"]?["labels"]?["grafana_dashboard"] == "1" }
        #expect(dashboards.count == 2)
        let off = try Self.render(["alerts.enabled=false", "dashboards.enabled=false", "serviceMonitor.enabled=false"])
        #expect(Chart.objects(off, kind: "PrometheusRule").isEmpty && Chart.objects(off, kind: "ServiceMonitor").isEmpty)
        let operatorOnly = try Self.render(["webhook.enabled=false", "webhook.mutating.enabled=false", "webhook.validating.enabled=false"])
        let groups = Chart.objects(operatorOnly, kind: "PrometheusRule").first?["spec"]?["groups"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
        #expect(groups == ["odoo-guard-operator"])
    }

    @Test("the PrometheusRule and ServiceMonitors validate against the Prometheus Operator's CRDs",
          .enabled(if: FileManager.default.fileExists(atPath: reference.path), "../shared/reference is not beside this clone"))
    func schemas() throws {
        var validators: [String: SchemaValidator] = [:]
        for file in ["monitoring.coreos.com_prometheusrules.yaml", "monitoring.coreos.com_servicemonitors.yaml"] {
            let crd = try ManifestReader.parseSingle(yaml: try String(contentsOf: Self.reference.appendingPathComponent(file), encoding: .utf8))
            let kind = try #require(crd["spec"]?["names"]?["kind"]?.stringValue)
            validators[kind] = try #require(SchemaValidator(crd: crd, version: "v1"))
        }
        let objects = try Self.render(["serviceMonitor.labels.release=prometheus", "alerts.labels.release=prometheus"])
        var checked = 0
        for object in objects {
            guard let kind = object["kind"]?.stringValue, let validator = validators[kind] else { continue }
            let errors = validator.validate(object)
            #expect(errors.isEmpty, "\(kind) \(object["metadata"]?["name"] ?? .null): \(errors)")
            checked += 1
        }
        #expect(checked == 3)
    }

    /// The rendered rule groups, as a rules file.
    static func rulesFile(in directory: URL) throws -> URL {
        let rule = try #require(Chart.objects(try render(), kind: "PrometheusRule").first)
        let file = directory.appendingPathComponent("rules.yaml")
        try Data((try #require(rule["spec"])).serializedBytes()).write(to: file)
        return file
    }

    @Test("promtool checks the rules, and its unit tests fire every alert on one series and not on another")
    func promtoolTests() throws {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("alerts-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let rules = try Self.rulesFile(in: directory)
        let tests = directory.appendingPathComponent("alerts.test.yaml")
        try FileManager.default.copyItem(at: Chart.root.appendingPathComponent("Tests/ChartTests/Alerts/alerts.test.yaml"), to: tests)
        let check = try Subprocess.run(Self.promtool, ["check", "rules", rules.path])
        #expect(check.status == 0 && check.output.contains("SUCCESS: 10 rules found"), "\(check.output)")
        let run = try Subprocess.run(Self.promtool, ["test", "rules", tests.path])
        #expect(run.status == 0 && run.output.contains("SUCCESS"), "\(run.output)")
        // Every alert of the rules has a firing case in the tests, and a runbook of its own that its
        // runbook_url names (docs/operations/runbooks/<alert>.md).
        let alertRules = (try JSONParser.parse(Array(try Data(contentsOf: rules)))["groups"]?.arrayValue ?? []).flatMap { $0["rules"]?.arrayValue ?? [] }
        let alerts = Set(alertRules.compactMap { $0["alert"]?.stringValue })
        let testText = try String(contentsOf: tests, encoding: .utf8)
        #expect(alerts.count == 10)
        for rule in alertRules {
            let alert = rule["alert"]?.stringValue ?? "?"
            #expect(testText.contains("alertname: \(alert)\n        exp_alerts:\n          - exp_labels"), "\(alert) never fires in the unit tests")
            let runbook = Chart.root.appendingPathComponent("docs/operations/runbooks/\(alert).md")
            let text = try? String(contentsOf: runbook, encoding: .utf8)
            #expect(text?.hasPrefix("# \(alert)\n") == true, "\(alert) has no runbook at docs/operations/runbooks/\(alert).md")
            #expect(rule["annotations"]?["runbook_url"]?.stringValue == "https://github.com/odoo-guard/odoo-guard/blob/main/docs/operations/runbooks/\(alert).md",
                    "\(alert): \(rule["annotations"]?["runbook_url"] ?? .null)")
        }
    }

    /// Every series name the webhook and the operator export once they have seen some work.
    static func exportedNames() -> Set<String> {
        let webhook = WebhookMetrics()
        webhook.recordDecision(endpoint: "validate", allowed: false, decision: Decision(violations: [
            Violation(rule: .imageNoLatest, path: "spec.image", message: "m", mode: .enforce)]), duration: .milliseconds(2))
        webhook.recordProvenance(ImageProvenanceFacts(resolutions: ["i": .resolved("sha256:1")], signatures: ["s": .unsigned], scans: ["s": .missing]))
        webhook.recordRejection("body_too_large")
        let operatorMetrics = OperatorMetrics()
        var status = EnvironmentStatus(environment: nil, generation: 1, desired: nil, imageSource: nil, observation: .offline(), facts: EnvironmentFacts(),
                                       problem: .init(reason: "Test", message: "test"))
        status.backups = BackupObservation(lastBackupTime: Date(), lastRestoreCheckTime: Date())
        // An outage restored, so every DORA gauge (time to restore included) is exported.
        status.readyHistory = [ReadyPeriod(image: "registry.example.com/odoo/odoo@sha256:1", readySince: Date().addingTimeInterval(-7200),
                                           readyUntil: Date().addingTimeInterval(-3600)),
                               ReadyPeriod(image: "registry.example.com/odoo/odoo@sha256:1", readySince: Date().addingTimeInterval(-1800))]
        // A sleep schedule, so the sleep gauges are exported.
        status.sleep = SleepStatus(state: .sleeping, since: Date().addingTimeInterval(-3600), until: nil, stoppedPods: 2)
        operatorMetrics.recordEnvironment(ObjectKey(namespace: "clinic-prod", name: "clinic"), stage: "production", status: status, rpoHours: 24)
        operatorMetrics.recordReconcile(duration: .milliseconds(3), failed: true)
        let text = webhook.registry.emitToString() + operatorMetrics.emitToString()
        return Set(text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { String($0.prefix { $0 != "{" && $0 != " " }) })
    }

    @Test func theMetricsReferenceListsEveryExportedMetric() throws {
        let page = try String(contentsOf: Chart.root.appendingPathComponent("docs/reference/metrics.md"), encoding: .utf8)
        for name in Self.exportedNames().sorted() {
            let family = ["_bucket", "_sum", "_count"].reduce(name) { family, suffix in
                family.hasSuffix(suffix) && name.hasSuffix("_seconds" + suffix) ? String(family.dropLast(suffix.count)) : family
            }
            #expect(page.contains("| `\(family)` |"), "\(family) is exported but not in docs/reference/metrics.md (scripts/gen-docs)")
        }
    }

    /// The metric names a PromQL text names (`odoo_guard_…`).
    static func metricNames(in query: String) -> [String] {
        let characters = Array(query)
        var names: [String] = []
        var index = 0
        while index < characters.count {
            if characters[index...].starts(with: "odoo_guard_"), index == 0 || !(characters[index - 1].isLetter || characters[index - 1] == "_") {
                let end = characters[index...].firstIndex { !($0.isLetter || $0.isNumber || $0 == "_") } ?? characters.count
                names.append(String(characters[index..<end]))
                index = end
            } else {
                index += 1
            }
        }
        return names
    }

    @Test("every alert and dashboard query names metrics the components export; the dashboards are Grafana JSON")
    func queriesUseExportedMetrics() throws {
        let exported = Self.exportedNames()
        #expect(exported.contains("odoo_guard_operator_environment_condition") && exported.contains("odoo_guard_admission_request_duration_seconds_bucket"))
        var queries: [(String, String)] = []
        let rule = try #require(Chart.objects(try Self.render(), kind: "PrometheusRule").first)
        for group in rule["spec"]?["groups"]?.arrayValue ?? [] {
            for item in group["rules"]?.arrayValue ?? [] { queries.append((item["alert"]?.stringValue ?? "", item["expr"]?.stringValue ?? "")) }
        }
        for name in ["platform", "environment"] {
            let data = try Data(contentsOf: Chart.root.appendingPathComponent("charts/odoo-guard/dashboards/\(name).json"))
            let dashboard = try JSONParser.parse(Array(data))
            #expect(dashboard["uid"]?.stringValue == "odoo-guard-\(name)" && dashboard["schemaVersion"]?.intValue != nil)
            let panels = dashboard["panels"]?.arrayValue ?? []
            #expect(!panels.isEmpty)
            for panel in panels {
                let targets = panel["targets"]?.arrayValue ?? []
                #expect(!targets.isEmpty, "\(name): panel \(panel["title"] ?? .null) has no query")
                for target in targets { queries.append(("\(name): \(panel["title"]?.stringValue ?? "")", target["expr"]?.stringValue ?? "")) }
            }
            for variable in dashboard["templating"]?["list"]?.arrayValue ?? [] {
                if let query = variable["query"]?.stringValue, query.contains("label_values") { queries.append(("\(name): $\(variable["name"] ?? .null)", query)) }
            }
        }
        #expect(queries.count > 30)
        for (place, query) in queries {
            let names = Self.metricNames(in: query)
            #expect(!names.isEmpty, "\(place): \(query) names no odoo-guard metric")
            for metric in names { #expect(exported.contains(metric), "\(place): \(metric) is not exported") }
        }
    }
}
