import AdmissionServer
import OdooOperator
import Prometheus

/// `docs/reference/metrics.md`: the metrics both components register, read from their registries
/// (`# HELP` and `# TYPE` of a scrape before any request), and the per-environment gauges the operator
/// registers once an environment exists.
public enum MetricsReference {
    /// One metric family of a scrape.
    struct Family: Equatable {
        var name: String
        var type: String
        var help: String
        var labels: [String]
    }

    /// The page.
    public static func page() -> String {
        var text = GeneratedPage.header(title: "Metrics", source: "the registries of WebhookMetrics and OperatorMetrics")
        text += "Both components serve Prometheus text on `/metrics` (the chart's ServiceMonitors scrape it). Labels of every series are listed; a histogram also has `_bucket`, `_sum` and `_count` series.\n\n"
        var webhook: [UInt8] = []
        WebhookMetrics().registry.emit(into: &webhook)
        var operatorScrape: [UInt8] = []
        OperatorMetrics().emit(into: &operatorScrape)
        var webhookFamilies = families(String(decoding: webhook, as: UTF8.self))
        for (descriptor, type, labels) in WebhookMetrics.registeredOnUse {
            webhookFamilies.append(Family(name: fullName(descriptor), type: type, help: descriptor.helpText ?? "", labels: labels))
        }
        text += "## guard-webhook\n\n" + table(webhookFamilies.sorted { $0.name < $1.name })
        var environment = families(String(decoding: operatorScrape, as: UTF8.self))
        for descriptor in OperatorMetrics.environmentMetrics {
            let labels = ["namespace", "environment", "stage"] + (descriptor.metricName == "environment_condition" ? ["type"] : [])
            environment.append(Family(name: fullName(descriptor), type: "gauge", help: descriptor.helpText ?? "", labels: labels))
        }
        text += "## guard-operator\n\n" + table(environment.sorted { $0.name < $1.name })
        return text
    }

    static func fullName(_ descriptor: MetricNameDescriptor) -> String {
        [descriptor.namespace, descriptor.subsystem, descriptor.metricName, descriptor.unitName].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "_")
    }

    /// The families of a Prometheus text scrape, with the label names their series carry, by name.
    static func families(_ scrape: String) -> [Family] {
        var result: [String: Family] = [:]
        for line in scrape.split(separator: "\n").map(String.init) {
            let parts = line.split(separator: " ", maxSplits: 3).map(String.init)
            if parts.count >= 3, parts[0] == "#", parts[1] == "HELP" {
                result[parts[2], default: Family(name: parts[2], type: "", help: "", labels: [])].help = parts.count > 3 ? parts[3] : ""
            } else if parts.count >= 4, parts[0] == "#", parts[1] == "TYPE" {
                result[parts[2], default: Family(name: parts[2], type: "", help: "", labels: [])].type = parts[3]
            } else if !line.hasPrefix("#"), let brace = line.firstIndex(of: "{") {
                var name = String(line[..<brace])
                for suffix in ["_bucket", "_sum", "_count"] where result[name] == nil && name.hasSuffix(suffix) { name = String(name.dropLast(suffix.count)) }
                let body = line[line.index(after: brace)...].prefix { $0 != "}" }
                let labels = body.split(separator: ",").compactMap { $0.split(separator: "=").first.map(String.init) }.filter { $0 != "le" }
                for label in labels where result[name]?.labels.contains(label) == false { result[name]?.labels.append(label) }
            }
        }
        return result.values.sorted { $0.name < $1.name }
    }

    static func table(_ families: [Family]) -> String {
        var text = "| metric | type | labels | meaning |\n| --- | --- | --- | --- |\n"
        for family in families {
            text += "| `\(family.name)` | \(family.type) | \(family.labels.map { "`\($0)`" }.joined(separator: ", ")) | \(RulesReference.cell(family.help)) |\n"
        }
        return text + "\n"
    }
}
