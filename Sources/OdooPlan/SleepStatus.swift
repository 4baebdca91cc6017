import Foundation
import KubeModel

/// `status.sleep` of an environment with a sleep schedule: whether it is awake, asleep or waking up,
/// since and until when, and the Odoo pod-hours its sleeps saved. It changes only when the state does
/// (no status write per reconcile).
public struct SleepStatus: Sendable, Equatable {
    /// The state, as the printer column shows it.
    public enum State: String, Sendable, CaseIterable {
        /// Web and cron run.
        case awake = "Awake"
        /// Web and cron are scaled to 0; the routes answer with the sleeping page.
        case sleeping = "Sleeping"
        /// Outside the working hours, but the sleeping page has no pod available yet: web keeps
        /// serving (when it does) and no pod-hours are counted until the page answers.
        case fallingAsleep = "FallingAsleep"
        /// Web and cron start again; the routes keep the page until a web pod is available.
        case waking = "Waking"
    }

    /// The state.
    public var state: State
    /// When it began.
    public var since: Date
    /// When it ends by itself: the next window for a sleep, the window's (or the wake-up's) end while
    /// awake or waking; `nil` when no window opens within a year.
    public var until: Date?
    /// Whether only `odooguard.io/wake-until` keeps it awake.
    public var onDemand: Bool
    /// Odoo pods (web, cron and the job worker) that were running when the current sleep began and
    /// that it stopped; pods that never ran are not counted.
    public var stoppedPods: Int
    /// Pod-hours of sleeps that ended (the current one is added by ``podHoursSaved(at:)``), to 0.01.
    public var podHoursSavedBefore: Double

    /// A record.
    public init(state: State, since: Date, until: Date?, onDemand: Bool = false, stoppedPods: Int = 0, podHoursSavedBefore: Double = 0) {
        self.state = state
        self.since = since
        self.until = until
        self.onDemand = onDemand
        self.stoppedPods = stoppedPods
        self.podHoursSavedBefore = podHoursSavedBefore
    }

    /// What the operator sees of the pods when it decides the record.
    public struct Pods: Sendable, Equatable {
        /// Whether a web pod is available (a wake-up ends when one is).
        public var webAvailable: Bool
        /// Whether the sleeping page has a pod available (a sleep begins when it has).
        public var pageAvailable: Bool
        /// Odoo pods available now (web, cron and the job worker): what a sleep beginning now stops.
        public var running: Int

        /// Observed pods.
        public init(webAvailable: Bool, pageAvailable: Bool, running: Int) {
            self.webAvailable = webAvailable
            self.pageAvailable = pageAvailable
            self.running = running
        }
    }

    /// The record after an observation at `now`.
    /// - Parameters:
    ///   - schedule: the environment's schedule; `wakeUntil` its `odooguard.io/wake-until` time.
    ///   - previous: the record in the status, when there is one.
    ///   - pods: what runs now. Outside the working hours the record says `Sleeping`, and counts
    ///     pod-hours, only once the sleeping page answers; until then it is `FallingAsleep`.
    public static func next(_ schedule: SleepSchedule, wakeUntil: Date?, now: Date, previous: SleepStatus?, pods: Pods) -> SleepStatus {
        var saved = previous?.podHoursSavedBefore ?? 0
        switch schedule.state(at: now, wakeUntil: wakeUntil) {
        case .sleeping(let until):
            if let previous, previous.state == .sleeping {
                return SleepStatus(state: .sleeping, since: previous.since, until: until, stoppedPods: previous.stoppedPods, podHoursSavedBefore: saved)
            }
            guard pods.pageAvailable else {
                let since = previous?.state == .fallingAsleep ? previous?.since ?? now : now
                return SleepStatus(state: .fallingAsleep, since: since, until: until, podHoursSavedBefore: saved)
            }
            return SleepStatus(state: .sleeping, since: now, until: until, stoppedPods: pods.running, podHoursSavedBefore: saved)
        case .awake(let until, let onDemand):
            if let previous, previous.state == .sleeping { saved = SleepStatus.rounded(saved + previous.podHours(until: now)) }
            let wasAsleep = previous.map { $0.state == .sleeping || $0.state == .waking } ?? false
            if wasAsleep && !pods.webAvailable {
                let since = previous?.state == .waking ? previous?.since ?? now : now
                return SleepStatus(state: .waking, since: since, until: until, onDemand: onDemand, podHoursSavedBefore: saved)
            }
            let since = previous?.state == .awake ? previous?.since ?? now : now
            return SleepStatus(state: .awake, since: since, until: until, onDemand: onDemand, podHoursSavedBefore: saved)
        }
    }

    /// The pod-hours saved up to `now`: the ended sleeps and the current one.
    public func podHoursSaved(at now: Date) -> Double {
        state == .sleeping ? SleepStatus.rounded(podHoursSavedBefore + podHours(until: now)) : podHoursSavedBefore
    }

    private func podHours(until now: Date) -> Double {
        max(0, now.timeIntervalSince(since)) / 3600 * Double(stoppedPods)
    }

    private static func rounded(_ hours: Double) -> Double { (hours * 100).rounded() / 100 }

    /// The record as `status.sleep`.
    public var json: JSONValue {
        // A whole number as an integer: the API server gives `12` back for `12.0`, and the status must compare equal.
        let saved: JSONValue = podHoursSavedBefore.rounded() == podHoursSavedBefore && podHoursSavedBefore.magnitude < 1e15 ? .int(Int64(podHoursSavedBefore)) : .double(podHoursSavedBefore)
        var object: JSONObject = ["podHoursSaved": saved, "since": .string(Timestamp.format(since)), "state": .string(state.rawValue)]
        if onDemand { object["onDemand"] = true }
        if state == .sleeping { object["stoppedPods"] = .int(Int64(stoppedPods)) }
        if let until { object["until"] = .string(Timestamp.format(until)) }
        return .object(object)
    }

    /// The record in a status, `nil` when it has none or an unreadable one (then it starts afresh).
    public init?(recorded status: JSONValue?) {
        guard let sleep = status?["sleep"], let state = sleep["state"]?.stringValue.flatMap(State.init(rawValue:)),
              let since = sleep["since"]?.stringValue.flatMap(Timestamp.parse) else { return nil }
        self.init(state: state, since: since, until: sleep["until"]?.stringValue.flatMap(Timestamp.parse),
                  onDemand: sleep["onDemand"]?.boolValue ?? false, stoppedPods: Int(max(0, min(sleep["stoppedPods"]?.intValue ?? 0, 1000))),
                  podHoursSavedBefore: sleep["podHoursSaved"]?.doubleValue.flatMap { $0.isFinite && $0 >= 0 ? $0 : nil } ?? 0)
    }
}
