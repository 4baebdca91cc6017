import GuardRules
import PolicyAudit
import Testing

/// Which policy the background audit judges by after a sequence of reads of the cluster's
/// GuardPolicy: the webhook's rules (a failed read or an invalid policy keeps the previous one; a
/// policy gone is replaced only after the grace period).
@Suite struct AuditPolicySelectionTests {
    enum Step {
        case found(String)
        case gone
        case invalid
        case unreadable
    }

    struct Case: CustomTestStringConvertible {
        let name: String
        /// Each read and the seconds since the first read.
        let reads: [(Step, Int)]
        /// The policy version judged by after each read, and how it was chosen.
        let expected: [(String, AuditPolicySelection.Outcome)]
        var testDescription: String { name }
    }

    static func policy(_ version: String) -> GuardPolicy {
        var policy = GuardPolicy.empty
        policy.version = version
        return policy
    }

    static let cases: [Case] = [
        Case(name: "no GuardPolicy ever: the fallback", reads: [(.gone, 0), (.gone, 30), (.gone, 60)],
             expected: [("fallback", .fallback), ("fallback", .fallback), ("fallback", .fallback)]),
        Case(name: "a failed first read or an invalid first policy: the fallback", reads: [(.unreadable, 0), (.invalid, 30), (.found("v1"), 60)],
             expected: [("fallback", .fallback), ("fallback", .fallback), ("v1", .cluster)]),
        Case(name: "a failed read keeps the cluster's policy", reads: [(.found("v1"), 0), (.unreadable, 30), (.unreadable, 3600), (.found("v1"), 3630)],
             expected: [("v1", .cluster), ("v1", .kept), ("v1", .kept), ("v1", .cluster)]),
        Case(name: "an invalid policy keeps the previous one, as the webhook does", reads: [(.found("v1"), 0), (.invalid, 30), (.found("v2"), 60)],
             expected: [("v1", .cluster), ("v1", .kept), ("v2", .cluster)]),
        Case(name: "deleted and recreated between two polls: never the fallback", reads: [(.found("v1"), 0), (.gone, 30), (.found("v2"), 60)],
             expected: [("v1", .cluster), ("v1", .kept), ("v2", .cluster)]),
        Case(name: "gone for the grace period: the fallback, at the next read after it", reads: [(.found("v1"), 0), (.gone, 30), (.gone, 31), (.gone, 32), (.gone, 60)],
             expected: [("v1", .cluster), ("v1", .kept), ("v1", .kept), ("fallback", .fallback), ("fallback", .fallback)]),
        Case(name: "a failed read while gone does not restart the grace", reads: [(.found("v1"), 0), (.gone, 30), (.unreadable, 31), (.gone, 32)],
             expected: [("v1", .cluster), ("v1", .kept), ("v1", .kept), ("fallback", .fallback)]),
        Case(name: "back after the fallback: the cluster's policy again", reads: [(.found("v1"), 0), (.gone, 10), (.gone, 20), (.found("v3"), 30), (.gone, 40)],
             expected: [("v1", .cluster), ("v1", .kept), ("fallback", .fallback), ("v3", .cluster), ("v3", .kept)]),
    ]

    @Test(arguments: cases)
    func choosesThePolicy(_ testCase: Case) {
        let start = ContinuousClock.now
        var selection = AuditPolicySelection(grace: .seconds(2))
        var got: [(String, AuditPolicySelection.Outcome)] = []
        for (step, seconds) in testCase.reads {
            let read: AuditPolicySelection.Read
            switch step {
            case .found(let version): read = .found(Self.policy(version))
            case .gone: read = .gone
            case .invalid: read = .invalid("spec.rules: unknown rule")
            case .unreadable: read = .unreadable("connection refused")
            }
            let (policy, outcome) = selection.update(read, fallback: Self.policy("fallback"), now: start + .seconds(seconds))
            got.append((policy.version, outcome))
            #expect(selection.inUse?.version == policy.version)
        }
        #expect(got.map(\.0) == testCase.expected.map(\.0), "\(testCase.name)")
        #expect(got.map(\.1) == testCase.expected.map(\.1), "\(testCase.name)")
    }
}
