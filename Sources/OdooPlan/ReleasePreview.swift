import Foundation
import KubeModel

/// A release manager's dry run of an OdooRelease over a set of environments, offline
/// (`guardctl render` with a release among its inputs): the cohorts in order, the environments each
/// would switch and what each will wait on before it does — the same gates the operator applies.
public struct ReleasePreview: Sendable, Equatable {
    /// One environment's line.
    public struct Entry: Sendable, Equatable {
        /// `namespace/name`.
        public var environment: String
        /// What changes (image and addons), or that nothing does.
        public var change: String
        /// The gates it waits on, in the order they apply (empty: it switches at once).
        public var waitsOn: [String]
    }

    /// One cohort.
    public struct Cohort: Sendable, Equatable {
        /// The cohort as the release declares it.
        public var cohort: OdooRelease.Cohort
        /// Its environments, sorted.
        public var entries: [Entry]
    }

    /// The release.
    public var release: OdooRelease
    /// The cohorts, in the train's order.
    public var cohorts: [Cohort]
    /// Environments no cohort selects, sorted.
    public var unselected: [String]

    /// The preview of `release` over `environments` (each with its `metadata.labels`) at `now`.
    /// - Parameter rpoHours: the recovery point objective per stage (the operator configuration's).
    public init(release: OdooRelease, environments: [(labels: [String: String], environment: OdooEnvironment)], now: Date,
                rpoHours: [OdooEnvironment.Stage: Int]) {
        self.release = release
        let sorted = environments.sorted { ($0.environment.namespace, $0.environment.name) < ($1.environment.namespace, $1.environment.name) }
        cohorts = release.cohorts.map { cohort in
            Cohort(cohort: cohort, entries: sorted.filter { release.cohort(of: $0.labels)?.name == cohort.name }.map {
                ReleasePreview.entry($0.environment, release: release, now: now, rpoHours: rpoHours[$0.environment.stage] ?? 24)
            })
        }
        unselected = sorted.filter { release.cohort(of: $0.labels) == nil }.map { "\($0.environment.namespace)/\($0.environment.name)" }
    }

    static func entry(_ environment: OdooEnvironment, release: OdooRelease, now: Date, rpoHours: Int) -> Entry {
        let key = "\(environment.namespace)/\(environment.name)"
        let addons = release.addons ?? environment.addons
        let image = environment.image ?? "(the configured image for \(environment.version))"
        var changes: [String] = []
        if environment.image != release.image { changes.append("image \(image) → \(release.image)") }
        if addons != environment.addons { changes.append("addons \(environment.addons.map(\.image)) → \(addons.map(\.image))") }
        guard !changes.isEmpty else { return Entry(environment: key, change: "already runs the target", waitsOn: []) }
        var gates: [String] = []
        if environment.stage == .production {
            gates.append("a ChangeApproval of change \(release.changeReference) (unless the GuardPolicy rates the change low-risk)")
            if let window = environment.maintenanceWindow {
                if window.isOpen(at: now) {
                    gates.append("the maintenance window, open now")
                } else {
                    let next = window.nextOpening(after: now).map { ", next at \(Timestamp.format($0))" } ?? ""
                    gates.append("the maintenance window (\(window.schedule.text) UTC, \(window.durationMinutes) minutes\(next))")
                }
            }
            gates.append("a backup younger than the \(rpoHours) h RPO (the change gate takes one when there is none)")
        }
        if addons != environment.addons {
            gates.append("the upgrade Job for the addons' modules: a database migration, so a failed verification halts instead of rolling back")
        }
        return Entry(environment: key, change: changes.joined(separator: "; "), waitsOn: gates)
    }

    /// The preview as text, one line per cohort and per environment.
    public var text: String {
        let selected = cohorts.reduce(0) { $0 + $1.entries.count }
        var lines = ["OdooRelease \(release.name): \(release.image)\(release.addons.map { " with addons \($0.map(\.image))" } ?? "") to \(selected) of \(selected + unselected.count) environments"
                     + (release.paused ? " (paused)" : "")]
        for (index, cohort) in cohorts.enumerated() {
            let spec = cohort.cohort
            let soak = index == cohorts.count - 1 ? "the last: the release succeeds when it is verified" : "soaks \(spec.soakMinutes) min once verified"
            lines.append("cohort \(index + 1) \(spec.name): \(spec.maxConcurrent) at a time, \(spec.failureBudget) may fail, \(soak) (\(release.verificationMinutes) min per environment)")
            if cohort.entries.isEmpty { lines.append("  (no environment)") }
            for entry in cohort.entries {
                lines.append("  \(entry.environment): \(entry.change)")
                lines.append("    waits on: " + (entry.waitsOn.isEmpty ? "nothing; switches when its cohort starts" : entry.waitsOn.joined(separator: "; ")))
            }
        }
        if !unselected.isEmpty { lines.append("not selected: " + unselected.joined(separator: ", ")) }
        return lines.joined(separator: "\n") + "\n"
    }
}
