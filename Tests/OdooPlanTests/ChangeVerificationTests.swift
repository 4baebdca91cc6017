import Foundation
import KubeModel
import OdooPlan
import Testing

/// Every change is verified after its switch: table tests of ``ChangeVerification`` (where a change
/// starts, what ends its window, what a failure does with and without a migration), and of the
/// decision around it (the plan runs the previous digests of a rolled-back change, the outcome is
/// written once on the environment).
@Suite("Change verification")
struct ChangeVerificationTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let old = "registry.example.com/odoo/odoo:17.0@sha256:" + String(repeating: "4c", count: 32)
    static let new = "registry.example.com/odoo/odoo:17.0@sha256:" + String(repeating: "7d", count: 32)
    static let verification = ChangeVerification(window: 600, restartLimit: 3)
    static let environment: OdooEnvironment = {
        do { return try OdooEnvironment.decode(Fixtures.environment { $0.set(.string(new), at: "spec.image") }) } catch { preconditionFailure("\(error)") }
    }()

    /// A change from `old` to `new`, switched `minutes` ago and rolled out half a minute later
    /// (`rolledOut: false`: not yet).
    static func record(minutesAgo minutes: Double, outcome: ChangeRecord.Outcome = .verifying, migration: String? = nil, rolledOut: Bool = true) -> ChangeRecord {
        var record = ChangeRecord(from: .init(image: old, version: "17.0"), to: .init(image: new, version: "17.0"), by: "CHG-1",
                                  started: now.addingTimeInterval(-minutes * 60), migration: migration,
                                  restorePoint: migration == nil ? nil : "backup Job demo-backup-1a2b3c4d, completed 2027-01-15T07:00:00Z")
        record.rolledOut = rolledOut ? record.started.addingTimeInterval(30) : nil
        record.outcome = outcome
        if outcome != .verifying { record.message = "restart loop: pod demo-web-1 container odoo restarted 5 times" }
        return record
    }

    /// A Deployment running `image` with every pod updated and available (`available: false`: none).
    static func deployment(_ image: String, available: Bool = true) -> DeploymentView {
        let count: JSONValue = available ? 1 : 0
        return DeploymentView(["metadata": ["generation": 2], "spec": ["replicas": 1, "template": ["spec": ["containers": [["name": "odoo", "image": .string(image)]]]]],
                               "status": ["observedGeneration": 2, "updatedReplicas": 1, "readyReplicas": count, "availableReplicas": count]])
    }

    /// A web pod on `image` whose odoo container restarted `restarts` times.
    static func pod(_ image: String, restarts: Int64, crashLooping: Bool = false) -> PodView {
        var state: JSONValue = ["running": [:]]
        if crashLooping { state = ["waiting": ["reason": "CrashLoopBackOff"]] }
        return PodView(["metadata": ["name": "demo-web-1"], "spec": ["containers": [["name": "odoo", "image": .string(image)]]],
                        "status": ["containerStatuses": [["name": "odoo", "restartCount": .int(restarts), "state": state]]]])
    }

    static func observation(recorded: ChangeRecord?, _ change: (inout EnvironmentObservation) -> Void = { _ in }) -> EnvironmentObservation {
        let document = Fixtures.environment {
            $0.set(.string(new), at: "spec.image")
            $0.set(["odooguard.io/change-ref": "CHG-1"], at: "metadata.annotations")
        }
        var observation = EnvironmentObservation(object: KubeObject(document), environment: .success(environment), now: now)
        var status: JSONObject = [:]
        if let recorded { status["change"] = recorded.json }
        observation.record(.object(status))
        observation.workloads.web = deployment(new)
        observation.workloads.cron = deployment(new)
        change(&observation)
        return observation
    }

    struct Case: Sendable, CustomStringConvertible {
        let description: String
        let observation: EnvironmentObservation
        var running: String? = old
        var gate: ChangeGate.Decision = .proceed
        /// The outcome of `status.change` after the step (`nil`: none).
        let outcome: ChangeRecord.Outcome?
        /// The reason of the failure that stands (`Degraded`), `nil`: none.
        var failure: String?
        /// The image the plan runs instead of the spec's.
        var held: String?
        var migrated = false
        var history = 0
        var text: String?
    }

    static let cases: [Case] = [
        Case(description: "before the first rollout there is nothing to verify", observation: observation(recorded: nil), running: nil, outcome: nil),
        Case(description: "running the spec's digests is no change", observation: observation(recorded: nil), running: new, outcome: nil),
        Case(description: "a change the gate holds has not started", observation: observation(recorded: nil),
             gate: .hold(reason: "WaitingForMaintenanceWindow", message: "", retryAfter: nil), outcome: nil),
        Case(description: "a change rolled out now starts its window, by its change reference, migrating nothing",
             observation: observation(recorded: nil), outcome: .verifying, text: "CHG-1"),
        Case(description: "an upgrade Job that updated modules counts as a migration",
             observation: observation(recorded: nil) { observation in
                 let key = ChangeGate.changeKey(image: new, addons: [])
                 observation.gateJobs[environment.childNames.upgrade(image: key)] = ChangeGate.JobState(phase: .succeeded)
             }, outcome: .verifying, migrated: true),
        Case(description: "inside the window with nothing wrong the change stays under verification",
             observation: observation(recorded: record(minutesAgo: 3)) { $0.verificationPods = [pod(new, restarts: 0)] }, running: new, outcome: .verifying),
        Case(description: "a restart loop on the new image rolls back at once",
             observation: observation(recorded: record(minutesAgo: 2)) { $0.verificationPods = [pod(new, restarts: 3)] },
             running: new, outcome: .rolledBack, failure: "RolledBack", held: old, history: 1, text: "restarted 3 times"),
        Case(description: "CrashLoopBackOff is a restart loop whatever the count",
             observation: observation(recorded: record(minutesAgo: 2)) { $0.verificationPods = [pod(new, restarts: 1, crashLooping: true)] },
             running: new, outcome: .rolledBack, failure: "RolledBack", held: old, history: 1, text: "CrashLoopBackOff"),
        Case(description: "restarts of a pod still on the old image are not the change's",
             observation: observation(recorded: record(minutesAgo: 2)) { $0.verificationPods = [pod(old, restarts: 9)] }, running: new, outcome: .verifying),
        Case(description: "a restart loop after a migration is never rolled back: it fails naming the restore point",
             observation: observation(recorded: record(minutesAgo: 2, migration: "Odoo 16.0 → 17.0 upgrades the database")) {
                 $0.verificationPods = [pod(new, restarts: 4)]
             }, running: new, outcome: .failed, failure: "VerificationFailed", migrated: true, history: 1, text: "restore point backup Job demo-backup-1a2b3c4d"),
        Case(description: "the window ended rolled out with Odoo's login form: verified",
             observation: observation(recorded: record(minutesAgo: 11)) { $0.loginCheck = .serving }, running: new, outcome: .verified, history: 1),
        Case(description: "the window ended but the login page is not Odoo's: rolled back with the check's words",
             observation: observation(recorded: record(minutesAgo: 11)) { $0.loginCheck = .failing("/web/login answered HTTP 500") },
             running: new, outcome: .rolledBack, failure: "RolledBack", held: old, history: 1, text: "answered HTTP 500"),
        Case(description: "not rolled out by the rollout deadline: rolled back",
             observation: observation(recorded: record(minutesAgo: 16, rolledOut: false)) { $0.workloads.web = deployment(new, available: false) },
             running: new, outcome: .rolledBack, failure: "RolledBack", held: old, history: 1, text: "not rolled out within the 15 minutes rollout deadline"),
        Case(description: "rolled out, then no longer when the window ended: rolled back",
             observation: observation(recorded: record(minutesAgo: 11)) { $0.workloads.web = deployment(new, available: false) },
             running: new, outcome: .rolledBack, failure: "RolledBack", held: old, history: 1, text: "no longer rolled out"),
        Case(description: "still rolling out before the deadline: no verdict, however long ago the switch",
             observation: observation(recorded: record(minutesAgo: 12, rolledOut: false)) { $0.workloads.web = deployment(new, available: false) },
             running: new, outcome: .verifying),
        Case(description: "the window ended and the login check has not run yet: no verdict",
             observation: observation(recorded: record(minutesAgo: 11)), running: new, outcome: .verifying),
        Case(description: "a rolled-back change stays rolled back while the spec names it",
             observation: observation(recorded: record(minutesAgo: 30, outcome: .rolledBack)), outcome: .rolledBack, failure: "RolledBack", held: old),
        Case(description: "a migrated failure stays failed while the spec names it",
             observation: observation(recorded: record(minutesAgo: 30, outcome: .failed, migration: "the upgrade Job updated the modules")),
             running: new, outcome: .failed, failure: "VerificationFailed", migrated: true),
        Case(description: "a spec back on the previous digests ends the rollback (no new change: they already run)",
             observation: observation(recorded: record(minutesAgo: 30, outcome: .rolledBack)) { observation in
                 observation.environment = .success({ var environment = environment; environment.image = old; return environment }())
             }, outcome: .rolledBack),
        Case(description: "scaled to no web pod, nothing serves to verify: the verdict waits",
             observation: observation(recorded: record(minutesAgo: 11)) { observation in
                 observation.environment = .success({ var environment = environment; environment.replicas = 0; return environment }())
                 observation.loginCheck = .failing("/web/login answered HTTP 503")
             }, running: new, outcome: .verifying),
        Case(description: "asleep, nothing serves to verify: the verdict waits",
             observation: observation(recorded: record(minutesAgo: 11)) { observation in
                 var status = observation.recordedJSON
                 status.set(["state": "Sleeping"], at: "sleep")
                 observation.record(status)
             }, running: new, outcome: .verifying),
        Case(description: "stopped by a restore, nothing serves to verify: the verdict waits (no rollback for pods that are gone)",
             observation: observation(recorded: record(minutesAgo: 20)) { observation in
                 observation.environment = .success({ var environment = environment; environment.restoring = "refresh"; return environment }())
                 observation.loginCheck = .failing("/web/login answered HTTP 503")
             }, running: new, outcome: .verifying),
    ]

    @Test("steps", arguments: cases)
    func step(_ case_: Case) throws {
        let environment = try case_.observation.environment.get()
        let desired = ChangeRecord.Digests(image: environment.image ?? Self.new, version: "17.0")
        let running = case_.running.map { ChangeGate.Running(image: $0, version: "17.0") }
        let step = Self.verification.step(environment, case_.observation, running: running, desired: desired, gate: case_.gate)
        #expect(step.record?.outcome == case_.outcome)
        #expect(step.failure?.reason == case_.failure)
        #expect(step.held?.image == case_.held)
        #expect((step.record?.migration != nil) == case_.migrated)
        #expect(step.history.count == case_.history)
        if let text = case_.text {
            let said = [step.record?.by, step.record?.message, step.failure?.message].compactMap { $0 }.joined(separator: " | ")
            #expect(said.contains(text), "\(said)")
        }
    }

    @Test func aSpecChangeDuringTheWindowSupersedesTheChange() throws {
        let third = "registry.example.com/odoo/odoo:17.0@sha256:" + String(repeating: "e1", count: 32)
        let observation = Self.observation(recorded: Self.record(minutesAgo: 3))
        let step = Self.verification.step(Self.environment, observation, running: ChangeGate.Running(image: Self.new, version: "17.0"),
                                          desired: ChangeRecord.Digests(image: third, version: "17.0"), gate: .proceed)
        #expect(step.history.map(\.outcome) == [.superseded])
        #expect(step.record?.from.image == Self.new && step.record?.to.image == third && step.record?.outcome == .verifying)
    }

    @Test("the operator configuration's verification refuses absurd values by field", arguments: [
        ("{windowSeconds: 9223372036854775807}", "verification.windowSeconds"),
        ("{windowSeconds: 0}", "verification.windowSeconds"),
        ("{rolloutDeadlineSeconds: 1.5e300}", "verification.rolloutDeadlineSeconds"),
        ("{restartLimit: -9223372036854775808}", "verification.restartLimit"),
        ("{restartLimit: \"three\"}", "verification.restartLimit"),
        ("[1, 2]", "verification"),
        ("{surprise: true}", "verification.surprise"),
    ])
    func absurdVerificationSettings(_ text: String, _ path: String) throws {
        var document = try ManifestReader.parseSingle(yaml: OperatorConfiguration.builtInText)
        document.set(try ManifestReader.parseSingle(yaml: "value: \(text)")["value"] ?? .null, at: "verification")
        do {
            _ = try OperatorConfiguration.decode(document)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.fieldErrors.map(\.path.description) == [path], "\(error.fieldErrors.map(\.description))")
        }
    }

    @Test func theWindowStartsWhenTheChangeIsFirstRolledOut() throws {
        let step = Self.verification.step(Self.environment, Self.observation(recorded: Self.record(minutesAgo: 12, rolledOut: false)),
                                          running: ChangeGate.Running(image: Self.new, version: "17.0"),
                                          desired: ChangeRecord.Digests(image: Self.new, version: "17.0"), gate: .proceed)
        #expect(step.record?.rolledOut == Self.now && step.record?.outcome == .verifying)
        #expect(step.recheck == .seconds(15), "a quarter of the 10-minute window, at most 15 s")
    }

    @Test func theLoginCheckIsDueOnlyAtTheWindowsEndWithEverythingRolledOut() {
        #expect(!Self.verification.loginCheckDue(Self.environment, Self.observation(recorded: Self.record(minutesAgo: 3))))
        #expect(Self.verification.loginCheckDue(Self.environment, Self.observation(recorded: Self.record(minutesAgo: 11))))
        #expect(!Self.verification.loginCheckDue(Self.environment, Self.observation(recorded: Self.record(minutesAgo: 11)) {
            $0.workloads.web = Self.deployment(Self.new, available: false)
        }))
        #expect(!Self.verification.loginCheckDue(Self.environment, Self.observation(recorded: Self.record(minutesAgo: 11, outcome: .verified))))
        #expect(!Self.verification.loginCheckDue(Self.environment, Self.observation(recorded: Self.record(minutesAgo: 11, rolledOut: false))))
    }

    @Test func theHistoryIsBounded() {
        var history: [ChangeRecord] = []
        for index in 0..<(ChangeRecord.historyLimit + 5) {
            var observation = Self.observation(recorded: Self.record(minutesAgo: 11)) { $0.loginCheck = .serving }
            var status = observation.recordedJSON
            status.set(.array(history.map(\.json)), at: "changeHistory")
            observation.record(status)
            history = Self.verification.step(Self.environment, observation, running: ChangeGate.Running(image: Self.new, version: "17.0"),
                                             desired: ChangeRecord.Digests(image: Self.new, version: "17.0"), gate: .proceed).history
            #expect(history.count == min(index + 1, ChangeRecord.historyLimit))
        }
    }

    /// A status anyone with status access could have written: 10,000 history entries of every wrong
    /// type, a change whose fields are the wrong types. Read without a trap; the history stays bounded.
    @Test func absurdRecordedChangesAreSkippedNotTrusted() throws {
        var entries: [JSONValue] = []
        for index in 0..<10_000 {
            switch index % 4 {
            case 0: entries.append(.int(Int64.max))
            case 1: entries.append(["from": ["image": 7], "to": "x", "started": "yesterday", "outcome": "Verified"])
            case 2: entries.append(["from": ["image": "a"], "to": ["image": "b"], "started": "2026-12-05T00:00:00Z", "outcome": "Exploded"])
            default: entries.append(Self.record(minutesAgo: Double(index), outcome: .verified).json)
            }
        }
        var observation = Self.observation(recorded: nil) { $0.loginCheck = .serving }
        observation.record(["change": ["from": [:], "to": ["image": .int(1)], "started": .double(1.5e300), "outcome": .array([])],
                            "changeHistory": .array(entries)])
        #expect(observation.recorded.change == nil)
        #expect(observation.recorded.changeHistory.count == 2_500, "only the readable entries")
        let step = Self.verification.step(Self.environment, observation, running: ChangeGate.Running(image: Self.old, version: "17.0"),
                                          desired: ChangeRecord.Digests(image: Self.new, version: "17.0"), gate: .proceed)
        #expect(step.record?.outcome == .verifying && step.history.count == 2_500, "a new change starts; nothing is appended yet")
        var verifying = Self.observation(recorded: Self.record(minutesAgo: 11)) { $0.loginCheck = .serving }
        var status = verifying.recordedJSON
        status.set(.array(entries), at: "changeHistory")
        verifying.record(status)
        let verified = Self.verification.step(Self.environment, verifying, running: ChangeGate.Running(image: Self.new, version: "17.0"),
                                              desired: ChangeRecord.Digests(image: Self.new, version: "17.0"), gate: .proceed)
        #expect(verified.history.count == ChangeRecord.historyLimit, "written back bounded")
    }

    @Test func aRecordRoundTripsThroughItsJSON() {
        var record = Self.record(minutesAgo: 5, outcome: .failed, migration: "the upgrade Job updated the modules")
        record.to.addons = [OdooEnvironment.Addon(image: "registry.example.com/odoo/addons@sha256:" + String(repeating: "aa", count: 32), path: "/mnt/extra-addons/x")]
        record.finished = Self.now
        #expect(ChangeRecord(json: record.json) == record)
        #expect(ChangeRecord(json: ["from": ["image": "x"]]) == nil, "a record missing its fields is not read")
    }

    /// The decision around the step: a rolled-back change plans the previous image and no gate Job,
    /// reports `Degraded`/`RolledBack` with `Ready` kept, and asks for the outcome annotation until it is written.
    @Test func aRolledBackChangePlansThePreviousDigests() throws {
        let decision = EnvironmentDecision(configuration: Fixtures.configuration)
        var observation = Self.observation(recorded: Self.record(minutesAgo: 30, outcome: .rolledBack))
        observation.imageSource = Self.new
        observation.pin = .known(Self.new)
        observation.workloads.web = Self.deployment(Self.old)
        observation.workloads.cron = Self.deployment(Self.old)
        var status = observation.recordedJSON
        status.set(["image": "x"], at: "databaseInitialized")
        observation.record(status)
        let reconciliation = decision.decide(observation)
        #expect(reconciliation.problem == nil)
        #expect(reconciliation.job == nil, "no upgrade or backup Job for a rolled-back change")
        let web = reconciliation.apply.first { $0.reference.resource == .deployments && $0.reference.name.hasSuffix("-web") }
        #expect(web.map { DeploymentView($0.object).images["odoo"] } == Self.old, "the plan runs the previous image")
        let settled = reconciliation.settle(Reconciliation.Outcome())
        let degraded = settled.status.condition(EnvironmentCondition.degraded)
        #expect(degraded?.status == .true && degraded?.reason == "RolledBack", "\(String(describing: degraded))")
        #expect(reconciliation.changeOutcome?.hasPrefix("RolledBack \(Self.new) → \(Self.old)") == true)
        // Once written, the annotation is not written again.
        var annotated = observation
        var object = observation.object.raw
        object.set(.string(reconciliation.changeOutcome ?? ""), at: FieldPath([.key("metadata"), .key("annotations"), .key(GuardLabels.changeOutcome)]))
        annotated.object = KubeObject(object)
        #expect(ChangeVerification.missingAnnotation(annotated.recorded.change, on: annotated.object) == nil)
    }
}
