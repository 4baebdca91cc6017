import Foundation
import KubeModel

/// Whether a change of an environment's image or addons migrated its database, which decides what a
/// failed verification may do: a change that migrated nothing is rolled back by running the previous
/// digests again; one that migrated the database never is (old code cannot run on the new schema),
/// and the environment is halted with its pre-change backup named as the restore point.
///
/// Conservative by construction: anything that may have written the schema counts as migrated.
public enum DatabaseMigration: Sendable, Equatable {
    /// Nothing touched the schema: the previous digests can run again.
    case none
    /// The schema may have changed; the sentence says why.
    case migrated(String)

    /// Classifies a change from `before` to `after`.
    /// - Parameters:
    ///   - before: what ran before the switch (version and addons).
    ///   - after: what the change rolls out.
    ///   - upgradeJob: the change gate's upgrade Job for the change, when one was started and is still
    ///     observed (`nil`: none was, or it is gone).
    public static func classify(from before: ChangeGate.Running, to after: ChangeGate.Running, upgradeJob: ChangeGate.JobState?) -> DatabaseMigration {
        let oldMajor = major(before.version)
        let newMajor = major(after.version)
        if oldMajor != newMajor {
            return .migrated("Odoo \(before.version) → \(after.version) upgrades the database to the new major version")
        }
        switch upgradeJob?.phase {
        case .succeeded?:
            return .migrated("the upgrade Job updated the modules of the new addon images in the database")
        case .failed?:
            return .migrated("the upgrade Job failed part-way; Odoo commits module by module, so some may be updated")
        case .running?:
            return .migrated("the upgrade Job is still updating modules")
        case nil:
            break
        }
        if before.addons.map(\.image) != after.addons.map(\.image) {
            // The gate runs an upgrade for a changed addon set; without its record, assume it ran.
            return .migrated("the addon images changed, which runs the upgrade Job for their modules")
        }
        return .none
    }

    /// Whether the database may have been migrated.
    public var migrated: Bool { self != .none }

    static func major(_ version: String) -> Int? { Int(version.split(separator: ".").first ?? "") }
}
