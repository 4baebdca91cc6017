import KubeClient
import KubeModel
import KubeRuntime
import Logging
import OdooPlan

/// The executor: a ``Reconciliation``'s writes in order (Secrets, applies, prunes, the gate's Job),
/// the database step, then the status, Events and requeue its settlement says.
extension EnvironmentReconciler {
    /// Acts on `reconciliation` for `object`.
    /// - Throws: ``KubeClientError`` other than a refusal (which is reported in the status), for the
    ///   controller to retry with backoff.
    func execute(_ reconciliation: Reconciliation, object: KubeObject, logger: Logger) async throws -> ReconcileAction {
        for event in reconciliation.events { await record(event, object) }
        var outcome = Reconciliation.Outcome()
        if reconciliation.problem == nil {
            do {
                try await write(reconciliation, into: &outcome)
            } catch let error where Self.isRefusal(error) {
                outcome.rejected = error.message
            } catch {
                // What was done before the failure is still worth an Event; the retry does the rest.
                for event in reconciliation.writeEvents(outcome) { await record(event, object) }
                throw error
            }
            if !outcome.applied.isEmpty || !outcome.pruned.isEmpty {
                logger.info("applied the plan", metadata: ["applied": "\(outcome.applied.count)", "pruned": "\(outcome.pruned.count)"])
            }
            if outcome.rejected == nil {
                outcome.database = await checkDatabase(reconciliation.database)
                try await startInitJob(reconciliation, into: &outcome, object: object)
            }
        }
        let settlement = reconciliation.settle(outcome)
        if var patch = settlement.statusPatch {
            // Only onto the object this reconcile observed: a cache a moment behind (its status older
            // than what the last reconcile wrote) gets a 409 and the reconcile runs again, rather than
            // writing a status decided from the past (a change started twice, its history doubled).
            if let version = object.resourceVersion { _ = patch.set(.string(version), at: "metadata.resourceVersion") }
            _ = try await api.patch(.odooEnvironments, namespace: object.namespace, name: object.name, patch: .merge(patch),
                                    subresource: "status", options: WriteOptions(fieldManager: Self.fieldManager))
        }
        // Only once the plan it belongs to was accepted (and its status written): a refused apply
        // leaves the failure unrecorded, so the next reconcile decides it again.
        if reconciliation.problem == nil, outcome.rejected == nil, let value = reconciliation.changeOutcome {
            await annotateOutcome(value, object: object, logger: logger)
        }
        if let reason = settlement.newlyDegraded { logger.warning("environment degraded", metadata: ["reason": "\(reason)"]) }
        for event in settlement.events { await record(event, object) }
        dependencies.metrics?.recordStatus(ready: settlement.status.conditions.first?.status == .true, key: ObjectKey(object))
        let stage = reconciliation.report.environment?.stage
        dependencies.metrics?.recordEnvironment(ObjectKey(object), stage: stage?.rawValue ?? "unknown", status: settlement.status,
                                                rpoHours: stage.flatMap { dependencies.configuration.backup.rpoHours[$0] })
        return settlement.requeue.map { .requeue(after: $0) } ?? .awaitChange
    }

    /// Writes a failed change's outcome on the environment (after its status): an admitted write, so
    /// the audit chain records the rollback or the failure. One that fails is tried again by the next
    /// reconcile, which finds the annotation still missing.
    func annotateOutcome(_ value: String, object: KubeObject, logger: Logger) async {
        let patch: JSONValue = ["metadata": ["annotations": [GuardLabels.changeOutcome: .string(value)]]]
        do {
            _ = try await api.patch(.odooEnvironments, namespace: object.namespace, name: object.name, patch: .merge(patch), subresource: nil,
                                    options: WriteOptions(fieldManager: Self.fieldManager))
        } catch {
            logger.warning("the change outcome was not written on the environment", metadata: ["error": "\(error.message)"])
        }
    }

    /// An admission webhook or the API's validation refused a write: reported, not retried blindly.
    static func isRefusal(_ error: KubeClientError) -> Bool {
        error == .forbidden || error == .invalid || error == .badRequest
    }

    /// The writes, in order; `outcome` holds what was done when one throws.
    func write(_ reconciliation: Reconciliation, into outcome: inout Reconciliation.Outcome) async throws(KubeClientError) {
        for secret in reconciliation.secrets {
            // Values from the system CSPRNG. A cache lagging behind a create of a moment ago costs an
            // `AlreadyExists`, never a rewrite.
            var generator = SystemRandomNumberGenerator()
            let object = secret.materialize(using: &generator)
            let created = try await tolerating(.alreadyExists) { () async throws(KubeClientError) in
                _ = try await api.create(.secrets, namespace: secret.namespace, object: object, options: WriteOptions(fieldManager: Self.fieldManager))
            }
            if created { outcome.createdSecrets.append(secret.name) }
        }
        if let replicas = reconciliation.webReplicas, replicas.beforeApply { try await writeReplicas(replicas, into: &outcome) }
        for planned in reconciliation.apply {
            let stored = try await api.apply(planned.reference.resource, object: planned.object, fieldManager: Self.fieldManager, force: true)
            outcome.applied.append(planned.reference)
            if planned.reference.resource == .deployments { outcome.appliedWorkloads[planned.reference] = stored }
        }
        if let replicas = reconciliation.webReplicas, !replicas.beforeApply { try await writeReplicas(replicas, into: &outcome) }
        for child in reconciliation.prune {
            let deleted = try await tolerating(.notFound) { () async throws(KubeClientError) in
                _ = try await api.delete(child.reference.resource, namespace: child.reference.namespace, name: child.reference.name,
                                         options: DeleteOptions(preconditionUID: child.uid))
            }
            if deleted { outcome.pruned.append(child.reference) }
        }
        if let job = reconciliation.job {
            let namespace = KubeObject(job.object).namespace
            outcome.jobStarted = try await tolerating(.alreadyExists) { () async throws(KubeClientError) in
                _ = try await api.create(.jobs, namespace: namespace, object: job.object, options: WriteOptions(fieldManager: Self.fieldManager))
            }
        }
    }

    /// Writes web's replica count under its own field manager, taking the field from the autoscaler
    /// only where the count changes (outside its range).
    func writeReplicas(_ write: ReplicaWrite, into outcome: inout Reconciliation.Outcome) async throws(KubeClientError) {
        let stored = try await api.apply(.deployments, object: write.object, fieldManager: WebReplicas.fieldManager, force: true)
        if !outcome.applied.contains(write.reference) { outcome.applied.append(write.reference) }
        outcome.appliedWorkloads[write.reference] = stored
    }

    /// Creates the database init Job once the database step found the database usable; a refusal is
    /// reported like any other.
    func startInitJob(_ reconciliation: Reconciliation, into outcome: inout Reconciliation.Outcome, object: KubeObject) async throws {
        guard let job = reconciliation.initJob, reconciliation.databaseUsable(outcome.database, createdSecrets: outcome.createdSecrets) else { return }
        do {
            outcome.initJobStarted = try await tolerating(.alreadyExists) { () async throws(KubeClientError) in
                _ = try await api.create(.jobs, namespace: object.namespace, object: job.object, options: WriteOptions(fieldManager: Self.fieldManager))
            }
        } catch where Self.isRefusal(error) {
            outcome.rejected = error.message
        } catch {
            for event in reconciliation.writeEvents(outcome) { await record(event, object) }
            throw error
        }
    }

    /// The database step: known already, or the provisioner's report.
    func checkDatabase(_ step: Reconciliation.DatabaseStep) async -> DatabaseCheck? {
        switch step {
        case .none: nil
        case .known(let check): check
        case .provision(let environment, let limit): await dependencies.provisioner?.ensure(environment, connectionLimit: limit)
        }
    }

    /// Sends one write; `false` when the API answers `tolerated` (the object already exists, or is
    /// already gone), which is left as it is.
    /// (A `Result` rather than `catch where`: that form crashed the 6.3.1 compiler's ownership check here.)
    func tolerating(_ tolerated: KubeClientError, _ request: () async throws(KubeClientError) -> Void) async throws(KubeClientError) -> Bool {
        let failure: KubeClientError?
        do {
            try await request()
            failure = nil
        } catch {
            failure = error
        }
        guard let failure else { return true }
        if failure == tolerated { return false }
        throw failure
    }

    /// Records `event` about `object`.
    func record(_ event: EnvironmentEvent, _ object: KubeObject) async {
        await dependencies.events?.record(event.warning ? .warning : .normal, reason: event.reason, action: event.action, note: event.note,
                                          regarding: object, now: dependencies.now())
    }
}
