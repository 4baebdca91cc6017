@testable import AdmissionServer
@testable import GuardRules
import KubeModel
import Testing

/// The decision counters, counted again on every decision (the rule-result counters are kept after
/// their first use: the second decision must count on the same series, not a new one).
@Suite struct WebhookMetricsTests {
    static func sample(_ text: String, _ series: String) -> String? {
        text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.map { String($0.dropFirst(series.count + 1)) }
    }

    @Test func everyDecisionIsCountedOnItsSeries() {
        let metrics = WebhookMetrics()
        let denied = Violation(rule: "images.allowed-registries", path: FieldPath([.key("spec")]), message: "m", mode: .enforce)
        let warned = Violation(rule: "resources.requests-required", path: FieldPath([.key("spec")]), message: "m", mode: .warn)
        let exempted = ExemptedViolation(violation: Violation(rule: "podsecurity.run-as-non-root", path: FieldPath([.key("spec")]), message: "m", mode: .enforce),
                                         by: "exemption")
        let decision = Decision(violations: [denied, warned], exempted: [exempted])
        for _ in 0..<3 { metrics.recordDecision(endpoint: "validate", allowed: false, decision: decision, duration: .microseconds(100)) }
        metrics.recordDecision(endpoint: "mutate", allowed: true, decision: Decision(violations: [denied]), duration: .microseconds(100))
        let text = String(decoding: metrics.render(), as: UTF8.self)
        let rules = "odoo_guard_admission_rule_results_total"
        let cases: [(String, String?)] = [
            (#"odoo_guard_admission_requests_total{endpoint="validate",decision="denied"}"#, "3"),
            (#"odoo_guard_admission_requests_total{endpoint="mutate",decision="allowed"}"#, "1"),
            (#"odoo_guard_admission_requests_total{endpoint="validate",decision="allowed"}"#, "0"),
            (rules + #"{endpoint="validate",rule="images.allowed-registries",result="denied",mode="enforce"}"#, "3"),
            (rules + #"{endpoint="validate",rule="resources.requests-required",result="warned",mode="warn"}"#, "3"),
            (rules + #"{endpoint="validate",rule="podsecurity.run-as-non-root",result="exempted",mode="enforce"}"#, "3"),
            (rules + #"{endpoint="mutate",rule="images.allowed-registries",result="denied",mode="enforce"}"#, "1"),
            (rules + #"{endpoint="mutate",rule="resources.requests-required",result="warned",mode="warn"}"#, nil),
        ]
        for (series, value) in cases {
            #expect(Self.sample(text, series) == value, "\(series) in:\n\(text)")
        }
    }
}
