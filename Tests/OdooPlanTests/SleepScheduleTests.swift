import Foundation
import KubeModel
import OdooPlan
import Testing

/// Sleep schedules as values: when an environment is awake or asleep (time zones, windows across
/// midnight and clock changes, wake-up on demand), how `spec.schedule` is validated, and how
/// `status.sleep` moves from one observation to the next.
@Suite("Sleep schedules")
struct SleepScheduleTests {
    static func utc(_ text: String) -> Date { Timestamp.parse(text) ?? .distantPast }

    static func schedule(_ zone: String, _ windows: [(String, Int)]) -> SleepSchedule {
        SleepSchedule(timeZone: TimeZone(identifier: zone) ?? .gmt, awake: windows.compactMap { text, minutes in
            (try? CronSchedule.parse(text).get()).map { SleepSchedule.Window(opens: $0, durationMinutes: minutes) }
        })
    }

    /// Weekdays 07:00-18:00 in Berlin (UTC+1 in winter, UTC+2 in summer). 2026-12-02 is a Wednesday.
    static let office = schedule("Europe/Berlin", [("0 7 * * 1-5", 660)])

    struct Case: Sendable, CustomStringConvertible {
        let description: String
        let schedule: SleepSchedule
        let now: String
        var wakeUntil: String?
        let expected: SleepState
    }

    static func awake(_ until: String, onDemand: Bool = false) -> SleepState { .awake(until: utc(until), onDemand: onDemand) }
    static func asleep(_ until: String) -> SleepState { .sleeping(until: utc(until)) }

    static let cases: [Case] = [
        Case(description: "a minute before the Berlin window opens", schedule: office, now: "2026-12-02T05:59:00Z", expected: asleep("2026-12-02T06:00:00Z")),
        Case(description: "07:00 Berlin is 06:00 UTC in winter", schedule: office, now: "2026-12-02T06:00:00Z", expected: awake("2026-12-02T17:00:00Z")),
        Case(description: "the last minute of the window", schedule: office, now: "2026-12-02T16:59:59Z", expected: awake("2026-12-02T17:00:00Z")),
        Case(description: "the window closes at 18:00 Berlin", schedule: office, now: "2026-12-02T17:00:00Z", expected: asleep("2026-12-03T06:00:00Z")),
        Case(description: "a Friday evening sleeps through the weekend", schedule: office, now: "2026-12-04T17:30:00Z", expected: asleep("2026-12-07T06:00:00Z")),
        Case(description: "07:00 Berlin is 05:00 UTC in summer", schedule: office, now: "2026-07-01T05:00:00Z", expected: awake("2026-07-01T16:00:00Z")),
        Case(description: "the Friday before the clocks go forward", schedule: office, now: "2026-03-27T06:00:00Z", expected: awake("2026-03-27T17:00:00Z")),
        Case(description: "the Monday after the clocks go forward", schedule: office, now: "2026-03-30T05:00:00Z", expected: awake("2026-03-30T16:00:00Z")),
        Case(description: "asleep over the change: it wakes at 07:00 summer time", schedule: office, now: "2026-03-28T12:00:00Z", expected: asleep("2026-03-30T05:00:00Z")),
        Case(description: "a night window open across midnight", schedule: schedule("UTC", [("0 22 * * *", 480)]), now: "2026-12-02T23:30:00Z",
             expected: awake("2026-12-03T06:00:00Z")),
        Case(description: "the night window's last minute, the next day", schedule: schedule("UTC", [("0 22 * * *", 480)]), now: "2026-12-03T05:59:00Z",
             expected: awake("2026-12-03T06:00:00Z")),
        Case(description: "after the night window", schedule: schedule("UTC", [("0 22 * * *", 480)]), now: "2026-12-03T06:00:00Z",
             expected: asleep("2026-12-03T22:00:00Z")),
        Case(description: "windows that touch are one awake period", schedule: schedule("UTC", [("0 8 * * *", 240), ("0 12 * * *", 240)]),
             now: "2026-12-02T09:00:00Z", expected: awake("2026-12-02T16:00:00Z")),
        Case(description: "a half-hour time zone (India, UTC+5:30)", schedule: schedule("Asia/Kolkata", [("0 9 * * *", 60)]), now: "2026-12-02T03:30:00Z",
             expected: awake("2026-12-02T04:30:00Z")),
        Case(description: "a minute before the India window", schedule: schedule("Asia/Kolkata", [("0 9 * * *", 60)]), now: "2026-12-02T03:29:00Z",
             expected: asleep("2026-12-02T03:30:00Z")),
        Case(description: "wake-until on a Saturday keeps it awake until then", schedule: office, now: "2026-12-05T12:00:00Z",
             wakeUntil: "2026-12-05T15:00:00Z", expected: awake("2026-12-05T15:00:00Z", onDemand: true)),
        Case(description: "a wake-until in the past changes nothing", schedule: office, now: "2026-12-05T12:00:00Z",
             wakeUntil: "2026-12-05T11:00:00Z", expected: asleep("2026-12-07T06:00:00Z")),
        Case(description: "a wake-until inside the window: the window's end counts", schedule: office, now: "2026-12-02T10:00:00Z",
             wakeUntil: "2026-12-02T12:00:00Z", expected: awake("2026-12-02T17:00:00Z")),
        Case(description: "a wake-until past the window's end extends it", schedule: office, now: "2026-12-02T16:00:00Z",
             wakeUntil: "2026-12-02T20:00:00Z", expected: awake("2026-12-02T20:00:00Z", onDemand: true)),
        Case(description: "no window within a year sleeps with no wake-up time", schedule: schedule("UTC", [("0 0 29 2 *", 60)]),
             now: "2026-12-02T12:00:00Z", expected: .sleeping(until: nil)),
    ]

    @Test("awake or asleep, and until when", arguments: cases)
    func state(_ example: Case) {
        let state = example.schedule.state(at: Self.utc(example.now), wakeUntil: example.wakeUntil.map(Self.utc))
        #expect(state == example.expected, "\(example.description): \(state)")
    }

    @Test func localTimes() {
        #expect(Self.office.localText(Self.utc("2026-12-03T06:00:00Z")) == "2026-12-03 07:00 Europe/Berlin")
        #expect(Self.office.localText(Self.utc("2026-07-01T05:00:00Z")) == "2026-07-01 07:00 Europe/Berlin")
    }

    // MARK: spec.schedule

    static let invalid: [(description: String, stage: String, schedule: JSONValue, annotation: String?, path: String, words: String)] = [
        ("production never sleeps", "production", ["awake": [["schedule": "0 7 * * 1-5", "durationMinutes": 600]]], nil,
         "spec.schedule", "production environments never sleep"),
        ("an unknown time zone", "staging", ["timeZone": "Mars/Olympus", "awake": [["schedule": "0 7 * * *", "durationMinutes": 60]]], nil,
         "spec.schedule.timeZone", "not an IANA time zone"),
        ("no windows", "staging", ["awake": []], nil, "spec.schedule.awake", "non-empty list"),
        ("windows missing", "staging", ["timeZone": "UTC"], nil, "spec.schedule.awake", "at least one window"),
        ("a cron hour of 25", "development", ["awake": [["schedule": "0 25 * * *", "durationMinutes": 60]]], nil,
         "spec.schedule.awake[0].schedule", "hour"),
        ("a window of no minutes", "development", ["awake": [["schedule": "0 7 * * *", "durationMinutes": 0]]], nil,
         "spec.schedule.awake[0].durationMinutes", "1"),
        ("a window without a duration", "development", ["awake": [["schedule": "0 7 * * *"]]], nil,
         "spec.schedule.awake[0].durationMinutes", "how long the window stays open"),
        ("an unknown key", "development", ["awake": [["schedule": "0 7 * * *", "durationMinutes": 60]], "sleepy": true], nil,
         "spec.schedule.sleepy", "spec.schedule.sleepy"),
        ("a wake-until that is not a time", "development", ["awake": [["schedule": "0 7 * * *", "durationMinutes": 60]]], "tomorrow",
         GuardLabels.wakeUntil, "RFC 3339"),
    ]

    @Test("invalid schedules name their field", arguments: 0..<invalid.count)
    func invalidSchedule(_ index: Int) {
        let example = Self.invalid[index]
        let document = Fixtures.environment {
            $0.set(.string(example.stage), at: "spec.stage")
            $0.set(example.schedule, at: "spec.schedule")
            if let annotation = example.annotation {
                $0.set(["odooguard.io/wake-until": .string(annotation)], at: "metadata.annotations")
            }
        }
        do {
            _ = try OdooEnvironment.decode(document)
            Issue.record("\(example.description) was accepted")
        } catch {
            let match = error.fieldErrors.first { $0.path.description.contains(example.path) }
            #expect(match != nil, "\(example.description): \(error.fieldErrors)")
            #expect(match?.description.contains(example.words) == true, "\(example.description): \(match?.description ?? "")")
        }
    }

    /// Absurd input: 10,000 windows are refused by count (each would be evaluated on every reconcile);
    /// wake-up times at the ends of the calendar plan and report without a trap.
    @Test func absurdSchedulesAreRefusedOrBounded() throws {
        let many: [JSONValue] = Array(repeating: ["schedule": "* * * * *", "durationMinutes": 10_080], count: 10_000)
        let started = Date()
        do {
            _ = try OdooEnvironment.decode(Fixtures.environment { $0.set(["awake": .array(many)], at: "spec.schedule") })
            Issue.record("10,000 windows were accepted")
        } catch {
            #expect(error.fieldErrors.map(\.path.description) == ["spec.schedule.awake"])
            #expect(error.fieldErrors.first?.description.contains("at most 20") == true)
        }
        #expect(Date().timeIntervalSince(started) < 5, "refused by count, not by evaluating them")
        for wake in ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z"] {
            let document = Fixtures.environment {
                $0.set(["awake": .array(Array(repeating: ["schedule": "* * * * *", "durationMinutes": 10_080], count: 20))], at: "spec.schedule")
                $0.set(["odooguard.io/wake-until": .string(wake)], at: "metadata.annotations")
            }
            let environment = try OdooEnvironment.decode(document)
            let desired = try OdooPlanner(configuration: Fixtures.configuration).plan(environment, now: Self.utc("2026-12-02T12:00:00Z"))
            #expect(desired.sleep?.state == .awake, "\(wake)")
            #expect(desired.sleep.map { !$0.message(environment).isEmpty } == true)
        }
    }

    @Test func validScheduleDecodes() throws {
        let document = Fixtures.environment {
            $0.set(["timeZone": "Europe/Berlin", "awake": [["schedule": "0 7 * * 1-5", "durationMinutes": 660]]], at: "spec.schedule")
            $0.set(["odooguard.io/wake-until": "2026-12-02T20:00:00Z"], at: "metadata.annotations")
        }
        let environment = try OdooEnvironment.decode(document)
        #expect(environment.sleepSchedule?.timeZone.identifier == "Europe/Berlin")
        #expect(environment.sleepSchedule?.awake.first?.durationMinutes == 660)
        #expect(environment.wakeUntil == Self.utc("2026-12-02T20:00:00Z"))
        // Without a time zone the windows are read in UTC, and say so.
        let utc = try OdooEnvironment.decode(Fixtures.environment { $0.set(["awake": [["schedule": "0 7 * * *", "durationMinutes": 60]]], at: "spec.schedule") })
        #expect(utc.sleepSchedule.map { $0.localText(Self.utc("2026-12-03T07:00:00Z")) } == "2026-12-03 07:00 UTC")
    }

    // MARK: status.sleep

    static let t0 = utc("2026-12-02T17:00:00Z")

    @Test func sleepsWakesAndCountsPodHours() {
        // Asleep at 18:00 Berlin with 2 web replicas and cron: 3 pods stop.
        let asleep = SleepStatus.next(Self.office, wakeUntil: nil, now: Self.t0, previous: nil, pods: .init(webAvailable: true, pageAvailable: true, running: 3))
        #expect(asleep.state == .sleeping && asleep.since == Self.t0 && asleep.stoppedPods == 3 && asleep.until == Self.utc("2026-12-03T06:00:00Z"))
        // Still asleep an hour later: the record does not change (no status write), the saving grows.
        let later = SleepStatus.next(Self.office, wakeUntil: nil, now: Self.utc("2026-12-02T18:00:00Z"), previous: asleep, pods: .init(webAvailable: false, pageAvailable: true, running: 0))
        #expect(later == asleep)
        #expect(later.podHoursSaved(at: Self.utc("2026-12-02T18:00:00Z")) == 3)
        // 13 hours later the window opens; no web pod yet: waking, 39 pod-hours saved.
        let opened = Self.utc("2026-12-03T06:00:00Z")
        let waking = SleepStatus.next(Self.office, wakeUntil: nil, now: opened, previous: asleep, pods: .init(webAvailable: false, pageAvailable: true, running: 0))
        #expect(waking.state == .waking && waking.since == opened && waking.podHoursSavedBefore == 39)
        let stillWaking = SleepStatus.next(Self.office, wakeUntil: nil, now: opened.addingTimeInterval(40), previous: waking, pods: .init(webAvailable: false, pageAvailable: true, running: 0))
        #expect(stillWaking == waking)
        // A web pod is available: awake until 18:00 Berlin, the saving kept.
        let awake = SleepStatus.next(Self.office, wakeUntil: nil, now: opened.addingTimeInterval(90), previous: stillWaking, pods: .init(webAvailable: true, pageAvailable: true, running: 3))
        #expect(awake.state == .awake && awake.until == Self.utc("2026-12-03T17:00:00Z") && awake.podHoursSaved(at: opened) == 39)
        // Asleep again in the evening: a new sleep, the saving carried over.
        let again = SleepStatus.next(Self.office, wakeUntil: nil, now: Self.utc("2026-12-03T17:00:00Z"), previous: awake, pods: .init(webAvailable: true, pageAvailable: true, running: 3))
        #expect(again.state == .sleeping && again.podHoursSavedBefore == 39 && again.podHoursSaved(at: Self.utc("2026-12-03T17:30:00Z")) == 40.5)
    }

    @Test func aSleepBeginsWhenThePageAnswersAndCountsOnlyPodsThatRan() {
        let closed = SleepStatus.Pods(webAvailable: true, pageAvailable: false, running: 3)
        // The window closed but the page has no pod: falling asleep, nothing counted, for hours if it lasts.
        let falling = SleepStatus.next(Self.office, wakeUntil: nil, now: Self.t0, previous: nil, pods: closed)
        #expect(falling.state == .fallingAsleep && falling.stoppedPods == 0)
        let stuck = SleepStatus.next(Self.office, wakeUntil: nil, now: Self.t0.addingTimeInterval(5 * 3600), previous: falling, pods: closed)
        #expect(stuck == falling, "the record does not change while the page stays unavailable")
        #expect(stuck.podHoursSaved(at: Self.t0.addingTimeInterval(5 * 3600)) == 0)
        // The page answers an hour in: the sleep begins then, with the 3 pods that were serving.
        let began = Self.t0.addingTimeInterval(3600)
        let asleep = SleepStatus.next(Self.office, wakeUntil: nil, now: began, previous: falling, pods: .init(webAvailable: true, pageAvailable: true, running: 3))
        #expect(asleep.state == .sleeping && asleep.since == began && asleep.stoppedPods == 3)
        #expect(asleep.podHoursSaved(at: began.addingTimeInterval(3600)) == 3)
        // An environment whose pods never ran (a new one, or web down all along) saves nothing.
        let idle = SleepStatus.next(Self.office, wakeUntil: nil, now: Self.t0, previous: nil, pods: .init(webAvailable: false, pageAvailable: true, running: 0))
        #expect(idle.state == .sleeping && idle.podHoursSaved(at: Self.t0.addingTimeInterval(10 * 3600)) == 0)
        // Morning comes while still falling asleep: awake, nothing was saved, no waking (web never stopped).
        let morning = SleepStatus.next(Self.office, wakeUntil: nil, now: Self.utc("2026-12-03T06:00:00Z"), previous: stuck, pods: closed)
        #expect(morning.state == .awake && morning.podHoursSavedBefore == 0)
    }

    @Test func statusRoundTrips() throws {
        let record = SleepStatus(state: .sleeping, since: Self.t0, until: Self.utc("2026-12-03T06:00:00Z"), stoppedPods: 2, podHoursSavedBefore: 12)
        // A whole number is written as an integer, as the API server gives it back.
        #expect(record.json["podHoursSaved"] == .int(12))
        #expect(SleepStatus(recorded: ["sleep": record.json]) == record)
        let fraction = SleepStatus(state: .awake, since: Self.t0, until: nil, onDemand: true, podHoursSavedBefore: 1.25)
        #expect(SleepStatus(recorded: ["sleep": fraction.json]) == fraction)
        // Absurd recorded values start afresh rather than trap.
        let absurd: JSONValue = ["sleep": ["state": "Sleeping", "since": "2026-12-02T17:00:00Z", "podHoursSaved": .double(-5), "stoppedPods": .int(Int64.max)]]
        #expect(SleepStatus(recorded: absurd)?.podHoursSavedBefore == 0)
        #expect(SleepStatus(recorded: absurd)?.stoppedPods == 1000)
        #expect(SleepStatus(recorded: ["sleep": ["state": "Dozing", "since": "2026-12-02T17:00:00Z"]]) == nil)
    }
}
