import Foundation
import GuardRules
import KubeModel
import Testing

/// The chart's `placement` value becomes the default GuardPolicy's `spec.placement`, which decodes to
/// the node pools given; a misshapen value is refused by the values schema.
@Suite("Chart: node pools")
struct ChartPlacementTests {
    @Test func thePlacementValueIsThePolicysPlacement() throws {
        let values = """
            placement:
              pools:
                - {name: odoo, nodeSelector: {odooguard.io/pool: odoo}, taints: [{key: odooguard.io/pool, value: odoo}]}
              assignments:
                - {web: odoo}
              zoneSpread: {production: DoNotSchedule}
            """
        let file = NSTemporaryDirectory() + "chart-placement-\(UUID().uuidString.prefix(8)).yaml"
        try Data(values.utf8).write(to: URL(fileURLWithPath: file))
        defer { unlink(file) }
        let objects = try Chart.render(file)
        let policy = try #require(Chart.objects(objects, kind: "GuardPolicy").first)
        let decoded = try GuardPolicy(json: policy)
        #expect(decoded.placement.pool(.web, tier: .shared, stage: .staging)?.nodeSelector == ["odooguard.io/pool": "odoo"])
        #expect(decoded.placement.zoneSpread(.production) == "DoNotSchedule")
        let configMap = Chart.objects(objects, kind: "ConfigMap").first { ($0["data"]?["guardpolicy.yaml"]) != nil }
        #expect(configMap?["data"]?["guardpolicy.yaml"]?.stringValue?.contains("odooguard.io/pool: odoo") == true, "the file policy carries it too")
        // Without the value the policy has no placement.
        let plain = try #require(Chart.objects(try Chart.render(), kind: "GuardPolicy").first)
        #expect(plain["spec"]?["placement"] == nil)
        let refused = try Chart.renderFailure(values: "placement: {nodes: []}\n")
        #expect(refused.status != 0 && refused.output.contains("placement"), "\(refused.output)")
    }
}
