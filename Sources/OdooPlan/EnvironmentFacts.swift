import Foundation
import KubeModel

/// What one reconcile concluded from its ``EnvironmentObservation`` before planning: the facts the
/// planner and the status read beside the observation, none of them a copy of it. The image and the
/// addons that run (pinned, or held back by the change gate), the gate's verdict, where the
/// database's initialisation stands, the backups after the newest Jobs, which Secrets the spec names
/// exist, and the database step's answer (filled in by ``Reconciliation/settle(_:)``).
public struct EnvironmentFacts: Sendable {
    /// The spec image pinned by digest, when it is.
    public var pinnedImage: String?
    /// What keeps running while the change gate holds a change back (`nil`: the spec's image rolls out).
    public var held: ChangeGate.Running?
    /// Why a change is held back, or which Job failed (`nil`: it proceeds).
    public var gate: ChangeGate.Decision?
    /// The database's initialisation (`nil`: not known, as offline).
    public var initialization: DatabaseInitialization?
    /// Backups and restore rehearsals: the recorded ones, updated from the newest finished Jobs.
    public var backups: BackupObservation
    /// Whether the database credentials Secret exists.
    public var databaseSecretPresent: Bool
    /// Whether the TLS Secret named by `spec.ingress.tls.secretName` exists (`nil`: not asked).
    public var tlsSecretPresent: Bool?
    /// Where the verification of the latest change stands (`nil`: not looked at, as offline).
    public var verification: ChangeVerification.Step?
    /// What the database step found (`nil`: not checked; the credentials Secret's presence decides).
    public var database: DatabaseCheck?

    /// Facts; the ones left out are unknown.
    public init(pinnedImage: String? = nil, initialization: DatabaseInitialization? = nil, backups: BackupObservation = BackupObservation(),
                databaseSecretPresent: Bool = false) {
        self.pinnedImage = pinnedImage
        self.initialization = initialization
        self.backups = backups
        self.databaseSecretPresent = databaseSecretPresent
    }
}
