import Foundation
import KubeModel
import OdooPlan
import Testing

/// The release train as a table: cohort states × environment outcomes × pause and other releases →
/// which environments switch now, the phase and the active cohort.
@Suite("Release train decision")
struct ReleaseDecisionTests {
    static let now = Date(timeIntervalSince1970: 1_796_000_000)
    static func minutesAgo(_ minutes: Double) -> Date { now.addingTimeInterval(-minutes * 60) }

    static let release: OdooRelease = {
        do { return try OdooRelease.decode(ReleaseModelTests.release()) } catch { preconditionFailure("\(error)") }
    }()

    /// canary: c1; wave-1 (3 at once, 1 may fail): w1…w4; rest: r1, r2.
    static let members: [(name: String, cohort: String)] = [("c1", "canary"), ("w1", "wave-1"), ("w2", "wave-1"), ("w3", "wave-1"), ("w4", "wave-1"),
                                                           ("r1", "rest"), ("r2", "rest")]

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var progress: [String: ReleaseProgress] = [:]
        var paused = false
        var others: [ReleaseObservation.OtherRelease] = []
        var switches: [String]
        var phase: ReleaseStatus.Phase
        var cohort: String?
        var requeue: Bool
        var testDescription: String { name }
    }

    static let verifiedLongAgo: ReleaseProgress = .verified(at: minutesAgo(120))
    static let canaryDone: [String: ReleaseProgress] = ["c1": verifiedLongAgo]
    static func wave(_ states: [String: ReleaseProgress]) -> [String: ReleaseProgress] { canaryDone.merging(states) { $1 } }
    static func older(_ selector: [String: String], active: Bool = true) -> ReleaseObservation.OtherRelease {
        var other = OdooRelease(name: "earlier", image: ReleaseModelTests.image,
                                cohorts: [.init(name: "all", selector: LabelSelector(matchLabels: selector))])
        other.created = Timestamp.parse("2026-11-20T08:00:00Z")
        return .init(other, active: active)
    }

    static let cases: [Case] = [
        Case(name: "nothing switched: the canary alone starts", switches: ["c1"], phase: .progressing, cohort: "canary", requeue: true),
        Case(name: "the canary switching: nothing else moves", progress: ["c1": .switching(waitingOn: "waiting for a ChangeApproval")],
             switches: [], phase: .progressing, cohort: "canary", requeue: true),
        Case(name: "the canary verified 10 min ago soaks 30", progress: ["c1": .verified(at: minutesAgo(10))], switches: [], phase: .progressing,
             cohort: "canary", requeue: true),
        Case(name: "the canary soaked: wave-1 starts three", progress: canaryDone, switches: ["w1", "w2", "w3"], phase: .progressing, cohort: "wave-1", requeue: true),
        Case(name: "one failure within budget: the free slots fill", progress: wave(["w1": verifiedLongAgo, "w2": .verifying(since: minutesAgo(2)),
                                                                                    "w3": .rolledBack(message: "login page answered 500")]),
             switches: ["w4"], phase: .progressing, cohort: "wave-1", requeue: true),
        Case(name: "two failures over a budget of one: halted", progress: wave(["w1": verifiedLongAgo, "w3": .rolledBack(message: "login page answered 500"),
                                                                               "w4": .failed(reason: "VerificationFailed", message: "restart loop", migrated: true, restorePoint: "clinic-backup-1")]),
             switches: [], phase: .halted, cohort: "wave-1", requeue: false),
        Case(name: "a migrated failure in the canary halts at once", progress: ["c1": .failed(reason: "VerificationFailed", message: "login form missing",
                                                                                             migrated: true, restorePoint: "c1-pre-change")],
             switches: [], phase: .halted, cohort: "canary", requeue: false),
        Case(name: "paused: nothing switches", paused: true, switches: [], phase: .paused, cohort: "canary", requeue: false),
        Case(name: "paused with one in flight: it is still watched", progress: ["c1": .verifying(since: minutesAgo(1))], paused: true,
             switches: [], phase: .paused, cohort: "canary", requeue: true),
        Case(name: "wave-1 done within budget, soaking: rest waits", progress: wave(["w1": verifiedLongAgo, "w2": verifiedLongAgo, "w3": .rolledBack(message: "x"),
                                                                                     "w4": .verified(at: minutesAgo(5))]),
             switches: [], phase: .progressing, cohort: "wave-1", requeue: true),
        Case(name: "wave-1 soaked: rest starts one", progress: wave(["w1": verifiedLongAgo, "w2": verifiedLongAgo, "w3": verifiedLongAgo, "w4": verifiedLongAgo]),
             switches: ["r1"], phase: .progressing, cohort: "rest", requeue: true),
        Case(name: "every cohort verified: succeeded without soaking the last", progress: wave(["w1": verifiedLongAgo, "w2": verifiedLongAgo, "w3": verifiedLongAgo,
                                                                                                 "w4": verifiedLongAgo, "r1": verifiedLongAgo, "r2": .verified(at: minutesAgo(1))]),
             switches: [], phase: .succeeded, cohort: nil, requeue: false),
        Case(name: "an older active release holds the canary: conflict", others: [older(["odooguard.io/cohort": "canary"])],
             switches: [], phase: .conflict, cohort: nil, requeue: false),
        Case(name: "an older halted release holds nothing", others: [older(["odooguard.io/cohort": "canary"], active: false)],
             switches: ["c1"], phase: .progressing, cohort: "canary", requeue: true),
    ]

    static func observation(_ testCase: Case) -> ReleaseObservation {
        var release = Self.release
        release.paused = testCase.paused
        let environments = Self.members.map { member in
            ReleaseObservation.Member(namespace: "clinic-\(member.name)", name: member.name,
                                      labels: member.cohort == "rest" ? ["team": "x"] : ["odooguard.io/cohort": member.cohort],
                                      progress: testCase.progress[member.name] ?? .pending)
        }
        return ReleaseObservation(release: .success(release), environments: environments, others: testCase.others, now: Self.now)
    }

    @Test("the next step of the train", arguments: cases)
    func decide(_ testCase: Case) {
        let result = ReleaseDecision.decide(Self.observation(testCase))
        #expect(result.switches.map(\.name) == testCase.switches, "\(result.status.message)")
        #expect(result.status.phase == testCase.phase, "\(result.status.message)")
        #expect(result.status.cohort == testCase.cohort, "\(result.status.message)")
        #expect((result.requeue != nil) == testCase.requeue, "\(String(describing: result.requeue))")
        #expect(result.status.total == 7 || testCase.phase == .conflict)
        for switched in result.switches {
            #expect(switched.image == ReleaseModelTests.image && switched.changeReference == "release/odoo-17-0-2026-12" && switched.addons == nil)
        }
    }

    @Test func aHaltNamesTheEnvironmentTheReasonAndTheRestorePoint() {
        let testCase = Self.cases[6]
        let result = ReleaseDecision.decide(Self.observation(testCase))
        #expect(result.status.message.contains("clinic-c1/c1") && result.status.message.contains("login form missing")
                && result.status.message.contains("restore point c1-pre-change"), "\(result.status.message)")
        #expect(result.status.cohorts.map(\.phase) == [.halted, .pending, .pending])
        #expect(result.events.contains { $0.reason == "Halted" && $0.warning })
        let entry = result.status.environments.first { $0.environment == "clinic-c1/c1" }
        #expect(entry?.state == "Failed" && entry?.cohort == "canary")
    }

    @Test func aSoakRequeuesAtItsEnd() throws {
        let result = ReleaseDecision.decide(Self.observation(Self.cases[2]))
        #expect(result.requeue == .seconds(20 * 60))
        let canary = try #require(result.status.cohorts.first)
        #expect(canary.phase == .soaking && canary.soakUntil == Self.minutesAgo(10).addingTimeInterval(30 * 60))
    }

    @Test func aConflictNamesTheOlderRelease() {
        let result = ReleaseDecision.decide(Self.observation(Self.cases[12]))
        #expect(result.status.message.contains("clinic-c1/c1") && result.status.message.contains("release earlier"), "\(result.status.message)")
        #expect(result.events.contains { $0.reason == "Conflict" && $0.warning })
        // Created at the same moment, the name breaks the tie, so exactly one of two releases proceeds.
        var twin = Self.release
        twin.name = "a-twin"
        var ours = Self.release
        ours.created = twin.created
        let first = ReleaseDecision.decide(ReleaseObservation(release: .success(ours), environments: Self.observation(Self.cases[0]).environments,
                                                              others: [.init(twin, active: true)], now: Self.now))
        let second = ReleaseDecision.decide(ReleaseObservation(release: .success(twin), environments: Self.observation(Self.cases[0]).environments,
                                                               others: [.init(ours, active: true)], now: Self.now))
        #expect([first.status.phase, second.status.phase].filter { $0 == .conflict }.count == 1)
    }

    @Test func anInvalidReleaseDoesNothingAndSaysWhy() {
        let error = OdooPlanError.invalidRelease("OdooRelease r: 1 invalid field", fieldErrors: [.invalid("spec.image", "must be pinned by digest")])
        let result = ReleaseDecision.decide(ReleaseObservation(release: .failure(error), now: Self.now))
        #expect(result.switches.isEmpty && result.status.phase == .invalid && result.status.message.contains("spec.image: must be pinned by digest"))
    }

    /// The decision reads the environments, not its own status: a status lost or stale (an operator
    /// restarted mid-cohort) gives the same switches, so nothing is switched twice.
    @Test func theRecordedStatusDoesNotChangeWhatSwitches() {
        for testCase in Self.cases {
            var observation = Self.observation(testCase)
            let fresh = ReleaseDecision.decide(observation)
            observation.recorded = ReleaseStatus(json: fresh.status.json)
            let again = ReleaseDecision.decide(observation)
            #expect(again.switches == fresh.switches && again.status == fresh.status, "\(testCase.name)")
            #expect(again.events.isEmpty, "\(testCase.name): phase events only on a change: \(again.events)")
        }
    }
}
