import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import Logging
import OdooPlan

/// The status write, the requeue decision and Events.
extension EnvironmentReconciler {
    /// Writes the status when it differs from the one the object has; requeues while it waits on objects it does not own.
    func finish(_ object: KubeObject, _ outcome: Outcome, logger: Logger) async throws -> ReconcileAction {
        var observed = outcome.environment.map { observe($0, object) }
            ?? ObservedState(previousConditions: (object.raw["status"]?["conditions"]?.arrayValue ?? []).compactMap(Condition.init(json:)), now: dependencies.now())
        if let pinned = outcome.pinnedImage {
            observed.pinnedImage = pinned
        } else if outcome.desired == nil, outcome.imageSource == object.raw["status"]?["imageSource"]?.stringValue {
            observed.pinnedImage = object.raw["status"]?["image"]?.stringValue
        }
        observed.database = outcome.stateful.database
        observed.backups = outcome.stateful.backups ?? Self.recordedBackups(object)
        observed.rpoHours = outcome.stateful.rpoHours
        observed.held = outcome.stateful.held
        observed.gate = outcome.stateful.gate
        let status = EnvironmentStatus(environment: outcome.environment, generation: object.generation, desired: outcome.desired,
                                       imageSource: outcome.imageSource, observed: observed, problem: outcome.problem)
        let current = object.raw["status"] ?? .object([:])
        if current != status.json {
            var patch = status.json
            // Fields the status no longer has are removed (a merge patch removes with null).
            if case .object(var fields) = patch, case .object(let old) = current {
                for key in old.keys where fields[key] == nil { fields[key] = .null }
                patch = .object(fields)
            }
            _ = try await dependencies.api.patch(.odooEnvironments, namespace: object.namespace, name: object.name,
                                                 patch: .merge(["status": patch]), subresource: "status", options: WriteOptions(fieldManager: Self.fieldManager))
            wrote()
            if let problem = outcome.problem {
                let before = current["conditions"]?.arrayValue?.compactMap(Condition.init(json:)).first { $0.type == "Degraded" }
                if before?.status != .true || before?.reason != problem.reason {
                    logger.warning("environment degraded", metadata: ["reason": "\(problem.reason)"])
                    await event(.warning, problem.reason, "Reconcile", problem.message, object)
                }
            }
        }
        dependencies.metrics?.recordStatus(ready: status.conditions.first?.status == .true, key: ObjectKey(object))
        // Rollouts and owned objects report through watches. What the operator does not own (a TLS
        // Secret someone else creates, an external database Secret, the backup credentials) is looked
        // at again in a minute.
        let waitingOnOthers = status.conditions.contains {
            (($0.type == "IngressReady" || $0.type == "DatabaseReady") && $0.status == .false) || ($0.type == "BackupReady" && $0.reason == "CredentialsMissing")
        }
        var retries: [Duration] = []
        if outcome.problem == nil && waitingOnOthers { retries.append(.seconds(60)) }
        if outcome.stateful.database?.ready == false { retries.append(databaseRetry(observed.previousConditions, now: dependencies.now())) }
        if case .hold(_, _, let after?)? = outcome.stateful.gate { retries.append(.milliseconds(Int64(after * 1000))) }
        if case .startJob? = outcome.stateful.gate { retries.append(.seconds(30)) }
        return retries.min().map { .requeue(after: $0) } ?? .awaitChange
    }

    func event(_ type: EventRecorder.EventType, _ reason: String, _ action: String, _ note: String, _ object: KubeObject) async {
        await dependencies.events?.record(type, reason: reason, action: action, note: note, regarding: object, now: dependencies.now())
    }

    /// `a; b; c` with at most five items, or `fallback` when there are none.
    static func sentence(_ items: [String], or fallback: String) -> String {
        guard !items.isEmpty else { return fallback }
        let shown = items.prefix(5).joined(separator: "; ")
        return items.count > 5 ? shown + "; and \(items.count - 5) more" : shown
    }
}
