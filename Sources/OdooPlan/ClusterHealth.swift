import Foundation
import KubeModel

/// What a CloudNativePG `Cluster`'s status says about the database, read from its conditions
/// (`Ready`, `ContinuousArchiving`), phase and instance counts: the source of `DatabaseReady` for an
/// environment on CloudNativePG.
public struct ClusterHealth: Sendable, Equatable {
    /// The Cluster's name.
    public var name: String
    /// `Ready` is `True`: CloudNativePG reports the cluster healthy and serving.
    public var ready: Bool
    /// `status.phase` (`Cluster in healthy state`, `Setting up primary`, `Failing over`, …).
    public var phase: String?
    /// `status.phaseReason`, when CloudNativePG gives one.
    public var phaseReason: String?
    /// Ready instances and the spec's instances.
    public var readyInstances: Int64
    /// Instances asked for.
    public var instances: Int64
    /// The current primary's pod name.
    public var currentPrimary: String?
    /// `ContinuousArchiving`'s status and message, `nil` when the condition is absent.
    public var archiving: (ok: Bool, message: String)?

    /// `Ready` condition type of a Cluster.
    public static let readyCondition = "Ready"
    /// CloudNativePG's condition on WAL archiving.
    public static let archivingCondition = "ContinuousArchiving"

    /// The health of `cluster` (a Cluster object as the API returns it), `nil` when it has no status yet.
    public init?(cluster: JSONValue) {
        guard let status = cluster["status"], status.objectValue != nil else { return nil }
        name = cluster["metadata"]?["name"]?.stringValue ?? ""
        let conditions = (status["conditions"]?.arrayValue ?? []).compactMap(Condition.init(json:))
        ready = conditions.first { $0.type == ClusterHealth.readyCondition }?.status == .true
        phase = status["phase"]?.stringValue
        phaseReason = status["phaseReason"]?.stringValue
        readyInstances = status["readyInstances"]?.intValue ?? 0
        instances = cluster["spec"]?["instances"]?.intValue ?? status["instances"]?.intValue ?? 0
        currentPrimary = status["currentPrimary"]?.stringValue
        archiving = conditions.first { $0.type == ClusterHealth.archivingCondition }.map { ($0.status == .true, $0.message) }
    }

    /// `DatabaseReady` from the Cluster: ready with its primary and instance count, or not with
    /// CloudNativePG's phase and reason; WAL archiving that fails makes it not ready (no point-in-time
    /// recovery is possible past the last archived segment).
    public var check: DatabaseCheck {
        let instancesText = "\(readyInstances)/\(instances) instances ready"
        if !ready {
            let reason = [phase, phaseReason].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
            return DatabaseCheck(ready: false, reason: "ClusterNotReady",
                                 message: "CloudNativePG Cluster \(name) is not ready (\(reason.isEmpty ? "no phase yet" : reason); \(instancesText))")
        }
        if let archiving, !archiving.ok {
            return DatabaseCheck(ready: false, reason: "ArchivingFailed",
                                 message: "CloudNativePG Cluster \(name) serves, but WAL archiving fails, so point-in-time recovery stops at the last archived segment: \(archiving.message)")
        }
        return DatabaseCheck(ready: true, reason: "ClusterReady",
                             message: "CloudNativePG Cluster \(name): \(instancesText), primary \(currentPrimary ?? "unknown")")
    }

    /// Equal when every field is.
    public static func == (lhs: ClusterHealth, rhs: ClusterHealth) -> Bool {
        lhs.name == rhs.name && lhs.ready == rhs.ready && lhs.phase == rhs.phase && lhs.phaseReason == rhs.phaseReason
            && lhs.readyInstances == rhs.readyInstances && lhs.instances == rhs.instances && lhs.currentPrimary == rhs.currentPrimary
            && lhs.archiving?.ok == rhs.archiving?.ok && lhs.archiving?.message == rhs.archiving?.message
    }
}
