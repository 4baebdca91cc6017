import Foundation
import KubeModel

extension ReleaseProgress {
    /// Where the OdooEnvironment `object` (as stored: spec and status) stands on `release`'s target.
    ///
    /// - Not at the target in its spec: ``pending``.
    /// - The environment's own verification of its change to the target (`status.change`) decides
    ///   when there is one: verifying; verified, once the release's verification window has also
    ///   passed since the switch; rolled back; failed after a migration, with its restore point.
    /// - Degraded at the target, for its current generation: ``failed(reason:message:migrated:restorePoint:)``
    ///   with the condition's reason and message.
    /// - Ready and running the target digests: being verified since its Ready period on them began,
    ///   ``verified(at:)`` once that period has lasted the release's verification window.
    /// - Otherwise ``switching(waitingOn:)``, with what the environment says it waits on (its own
    ///   change gates: approval, maintenance window, backup, upgrade Job; or the rollout).
    public init(environment object: JSONValue, release: OdooRelease, now: Date) {
        let spec = object["spec"]
        let addons = (spec?["addons"]?.arrayValue ?? []).compactMap { $0["image"]?.stringValue }
        let wanted = release.addons?.map(\.image)
        guard spec?["image"]?.stringValue == release.image, wanted == nil || wanted == addons else {
            self = .pending
            return
        }
        // The environment's verdict on its change decides; the whole status is read only without one.
        if let change = ChangeRecord(json: object["status"]?["change"]), change.to.image == release.image,
           wanted == nil || change.to.addons.map(\.image) == wanted, let progress = ReleaseProgress(change: change, release: release, now: now) {
            self = progress
            return
        }
        let status = EnvironmentStatus(json: object["status"])
        let current = status.observedGeneration != nil && status.observedGeneration == object["metadata"]?["generation"]?.intValue
        if current, let degraded = status.condition(EnvironmentCondition.degraded), degraded.status == .true {
            self = .failed(reason: degraded.reason, message: degraded.message, migrated: false, restorePoint: nil)
            return
        }
        let runs = status.image == release.image && (wanted == nil || status.addonImages.map(\.image) == wanted)
        let ready = status.condition(EnvironmentCondition.ready)?.status == .true
        guard current, runs, ready else {
            let held = status.condition(EnvironmentCondition.progressing).flatMap { $0.status == .false && $0.reason != "RolloutComplete" ? $0.message : nil }
            self = .switching(waitingOn: held ?? status.condition(EnvironmentCondition.ready).flatMap { $0.status == .true ? nil : $0.message })
            return
        }
        let period = status.readyHistory.last { $0.image == release.image && $0.readyUntil == nil }
        let since = period?.readySince ?? now
        let verifiedAt = since.addingTimeInterval(Double(release.verificationMinutes) * 60)
        self = verifiedAt <= now ? .verified(at: verifiedAt) : .verifying(since: since)
    }
}

extension ReleaseProgress {
    /// Where an environment stands by its own verification of its change to the target (`nil`: the
    /// change was superseded, so the status alone decides).
    init?(change: ChangeRecord, release: OdooRelease, now: Date) {
        switch change.outcome {
        case .verifying:
            self = .verifying(since: change.started)
        case .verified:
            let due = max(change.finished ?? change.started, change.started.addingTimeInterval(Double(release.verificationMinutes) * 60))
            self = due <= now ? .verified(at: due) : .verifying(since: change.started)
        case .rolledBack:
            self = .rolledBack(message: change.message ?? "verification failed")
        case .failed:
            self = .failed(reason: EnvironmentCondition.verificationFailed, message: change.message ?? "verification failed",
                           migrated: true, restorePoint: change.restorePoint)
        case .superseded:
            return nil
        }
    }
}
