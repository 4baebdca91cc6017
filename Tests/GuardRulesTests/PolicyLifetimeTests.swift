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
            copy.stages["production"]?.allowedRegistries.append("ghcr.io/acme/*")
            #expect(copy.stage("production").allowedRegistries.count == policy.stage("production").allowedRegistries.count + 1)
        }
    }
}
