import Testing
import GuardRules
import KubeModel

@Suite("Policy values are created, copied and destroyed safely")
struct PolicyLifetimeTests {
    @Test func parsingTheDefaultPolicyRepeatedly() throws {
        for _ in 0..<50 {
            let policy = try GuardPolicy(text: GuardPolicy.builtInDefaultText)
            #expect(policy.name == "default")
            var copy = policy
            copy.stages[.production]?.allowedRegistries.append("ghcr.io/acme/*")
            #expect(copy.stage(.production).allowedRegistries.count == policy.stage(.production).allowedRegistries.count + 1)
        }
    }
}

/// Policy numbers that would overflow downstream are field errors, not traps.
@Suite("Policy values out of range")
struct PolicyRangeTests {
    @Test(arguments: [
        ("tiers: {shared: {maximum: {memory: 99999999999999999999Ti}}}", "spec.tiers.shared.maximum.memory"),
        ("tiers: {shared: {defaultLimits: {cpu: '1e999'}}}", "spec.tiers.shared.defaultLimits.cpu"),
        ("provenance: {cache: {ttlSeconds: 9223372036854775807}}", "spec.provenance.cache.ttlSeconds"),
        ("exceptions: {maxDays: 9223372036854775807}", "spec.exceptions.maxDays"),
        ("pdb: {minReplicas: 9223372036854775807}", "spec.pdb.minReplicas"),
    ])
    func outOfRangeValuesAreFieldErrors(_ yaml: String, _ path: String) {
        do {
            _ = try Fixture.policy("  " + yaml)
            Issue.record("accepted \(yaml)")
        } catch {
            #expect("\(error)".contains(path), "\(error)")
        }
    }
}
