@testable import AdmissionServer
import Testing

/// `odoo_guard_policy_info` carries one series, the version in use: a webhook whose policy is
/// reloaded many times does not keep a series per version it ever served.
@Suite struct PolicyInfoMetricTests {
    func infoLines(_ metrics: WebhookMetrics) -> [String] {
        var buffer: [UInt8] = []
        metrics.registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self).split(separator: "\n")
            .filter { $0.hasPrefix("odoo_guard_policy_info{") }.map(String.init)
    }

    @Test(arguments: [
        // (versions in the order they were loaded, the one series left)
        (["v1"], #"odoo_guard_policy_info{version="v1"} 1.0"#),
        (["v1", "v2"], #"odoo_guard_policy_info{version="v2"} 1.0"#),
        (["v1", "v2", "v3", "v4"], #"odoo_guard_policy_info{version="v4"} 1.0"#),
        (["v1", "v1"], #"odoo_guard_policy_info{version="v1"} 1.0"#),
        (["v1", "v2", "v1"], #"odoo_guard_policy_info{version="v1"} 1.0"#),
    ])
    func onlyTheVersionInUseIsExported(versions: [String], expected: String) {
        let metrics = WebhookMetrics()
        var previous: String?
        for version in versions {
            metrics.setPolicyVersion(version, previous: previous)
            previous = version
        }
        #expect(infoLines(metrics) == [expected])
    }
}
