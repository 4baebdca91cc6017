import Foundation
import KubeModel

/// The four DORA figures of one environment, from what its `status.readyHistory` records (the
/// periods it ran Ready with one set of digests) over a window ending at ``asOf``:
/// - deployments per day: periods that started with other digests than the period before;
/// - change failure rate: the share of those releases that were rolled back (the next period runs the
///   digests before them), stopped being Ready within ``failureHorizon`` without another release, or
///   failed their verification after the switch (``ChangeRecord``, counted even when never Ready);
/// - time to restore: the mean gap between a period that stopped being Ready and the next one;
/// - availability: the share of the window (from the first recorded period on) spent Ready.
/// Pure and deterministic: the same history and time give the same figures. What the history does
/// not hold (a release that never became Ready, periods beyond ``ReadyPeriod/limit``) is not counted.
public struct DeliveryFigures: Sendable, Equatable {
    /// The end of the window.
    public var asOf: Date
    /// The window's length in days (shorter than ``windowDays`` when the history is younger).
    public var coveredDays: Double
    /// Releases in the window.
    public var deployments: Int
    /// Releases that failed.
    public var failedDeployments: Int
    /// Restored outages in the window, and their mean length.
    public var restores: Int
    /// Mean time to restore, in seconds (`nil` without a restored outage).
    public var meanTimeToRestore: Double?
    /// Share of the covered window spent Ready, 0…1 (`nil` without history).
    public var availability: Double?

    /// The window the figures look back over.
    public static let windowDays = 30.0
    /// A release whose Ready period ends within this time, not by another release, failed.
    public static let failureHorizon: TimeInterval = 24 * 3600

    /// Releases per day over the covered window.
    public var deploymentsPerDay: Double { coveredDays > 0 ? Double(deployments) / coveredDays : 0 }
    /// Failed releases over releases, 0 without a release.
    public var changeFailureRate: Double { deployments > 0 ? Double(failedDeployments) / Double(deployments) : 0 }

    /// The figures of `history` (oldest first) and the verified changes `changes` at `asOf`. A change
    /// that failed its verification (rolled back, or failed after a migration) is a failed release,
    /// whether or not it was ever Ready; one never Ready on its digests is a release too.
    public init(history: [ReadyPeriod], changes: [ChangeRecord] = [], asOf: Date) {
        self.asOf = asOf
        let start = asOf.addingTimeInterval(-Self.windowDays * 86_400)
        let periods = history.sorted { $0.readySince < $1.readySince }
        let windowStart = max(start, periods.first?.readySince ?? asOf)
        coveredDays = max(0, asOf.timeIntervalSince(windowStart)) / 86_400
        var deployments = 0, failed = 0, restores = 0
        // The releases counted as good so far, by period index.
        var releases: [Int: ReadyPeriod] = [:]
        var restoreTotal: TimeInterval = 0
        var ready: TimeInterval = 0
        for (index, period) in periods.enumerated() {
            let end = min(period.readyUntil ?? asOf, asOf)
            ready += max(0, end.timeIntervalSince(max(period.readySince, windowStart)))
            let previous = index > 0 ? periods[index - 1] : nil
            let next = index + 1 < periods.count ? periods[index + 1] : nil
            if let previous, let stopped = previous.readyUntil, Self.sameDigests(previous, period), period.readySince >= windowStart {
                restores += 1
                restoreTotal += max(0, period.readySince.timeIntervalSince(stopped))
            }
            guard previous.map({ !Self.sameDigests($0, period) }) ?? true, period.readySince >= windowStart else { continue }
            deployments += 1
            if Self.failed(period, before: previous, after: next) && !Self.endedByChange(period, changes) { failed += 1 } else { releases[index] = period }
        }
        for change in changes where change.outcome.isFailure && change.started >= start && change.started <= asOf {
            // Its Ready period, when it had one, counts as failed now; otherwise it is a release of its own.
            if let index = releases.keys.sorted().first(where: { Self.ran(releases[$0], change) }) {
                releases[index] = nil
                failed += 1
            } else if !periods.contains(where: { Self.ran($0, change) }) {
                deployments += 1
                failed += 1
            }
        }
        self.deployments = deployments
        failedDeployments = failed
        self.restores = restores
        meanTimeToRestore = restores > 0 ? restoreTotal / Double(restores) : nil
        availability = coveredDays > 0 ? min(1, ready / (coveredDays * 86_400)) : nil
    }

    /// Rolled back, or not Ready again within the horizon without another release.
    static func failed(_ release: ReadyPeriod, before: ReadyPeriod?, after: ReadyPeriod?) -> Bool {
        if let before, let after, sameDigests(after, before) { return true }
        guard let until = release.readyUntil, until.timeIntervalSince(release.readySince) < failureHorizon else { return false }
        // It stopped being Ready early; a new release taking over at once is not a failure.
        guard let after else { return true }
        return sameDigests(after, release) || after.readySince.timeIntervalSince(until) > 60
    }

    static func sameDigests(_ a: ReadyPeriod, _ b: ReadyPeriod) -> Bool { a.image == b.image && a.addons == b.addons }

    /// Whether `period` stopped being Ready because the next change rolled out (a change from its
    /// digests started within a minute of its end): the change's doing, not an outage of its release.
    static func endedByChange(_ period: ReadyPeriod, _ changes: [ChangeRecord]) -> Bool {
        guard let until = period.readyUntil else { return false }
        return changes.contains { change in
            change.from.image == period.image && change.from.addons.map(\.image) == period.addons && abs(change.started.timeIntervalSince(until)) <= 60
        }
    }

    /// Whether `period` ran the change's digests, from its rollout on.
    static func ran(_ period: ReadyPeriod?, _ change: ChangeRecord) -> Bool {
        guard let period else { return false }
        return period.image == change.to.image && period.addons == change.to.addons.map(\.image) && period.readySince >= change.started.addingTimeInterval(-1)
    }

    /// `status.delivery`.
    public var json: JSONValue {
        var object: JSONObject = ["asOf": .string(Timestamp.format(asOf)), "windowDays": .double((coveredDays * 100).rounded() / 100),
                                  "deployments": .int(Int64(deployments)), "failedDeployments": .int(Int64(failedDeployments)),
                                  "deploymentsPerDay": .double((deploymentsPerDay * 100).rounded() / 100),
                                  "changeFailureRate": .double((changeFailureRate * 1000).rounded() / 1000)]
        if let meanTimeToRestore { object["meanTimeToRestoreSeconds"] = .int(Int64(meanTimeToRestore.rounded())) }
        if let availability { object["availability"] = .double((availability * 10_000).rounded() / 10_000) }
        return .object(object)
    }
}
