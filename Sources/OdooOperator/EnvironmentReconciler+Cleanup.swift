import KubeClient
import KubeModel
import KubeRuntime
import Logging
import OdooPlan

/// Deletion: what `spec.deletionPolicy` says about the data. ``Finalizers/reconcile(_:finalizer:resource:api:apply:cleanup:)``
/// removes the finalizer once this returns `.awaitChange`.
extension EnvironmentReconciler {
    /// `Retain` (the default, and what an unreadable policy means): the filestore volume and the
    /// credential Secrets lose their ownerReference to the environment, so garbage collection keeps
    /// them, and an Event names what was kept. `Delete`: they go with the environment.
    func cleanUp(_ object: KubeObject, logger: Logger) async throws -> ReconcileAction {
        let policy = object.raw["spec"]?["deletionPolicy"]?.stringValue ?? "Retain"
        let namespace = object.namespace ?? ""
        if policy != "Delete" {
            let uid = object.uid ?? ""
            var kept: [String] = []
            let names = ChildNames(environment: object.name)
            let data: [(ResourceType, String)] = [(.persistentVolumeClaims, names.filestore), (.secrets, names.adminSecret),
                                                  (.secrets, names.databaseSecret), (.secrets, names.redisSecret)]
            for (resource, name) in data {
                // Secrets from the metadata-only cache (ownerReferences and resourceVersion are all the
                // patch needs; no value is read, so the ClusterRole needs no `get` for it). A cache a
                // moment behind fails the patch's resourceVersion test and the finalizer retries.
                let live = resource == .secrets ? stores[.secrets]?.get(ObjectKey(namespace: namespace, name: name))
                    : try await api.getIfExists(resource, namespace: namespace, name: name)
                guard let live else { continue }
                let owners = live["metadata"]?["ownerReferences"]?.arrayValue ?? []
                let remaining = owners.filter { $0["uid"]?.stringValue != uid }
                if remaining.count != owners.count {
                    let patch = JSONPatch([.test("/metadata/resourceVersion", .string(KubeObject(live).resourceVersion ?? "")),
                                           .replace("/metadata/ownerReferences", .array(remaining))])
                    _ = try await api.patch(resource, namespace: namespace, name: name, patch: .json(patch), subresource: nil, options: WriteOptions())
                }
                kept.append("\(resource.kind) \(name)")
            }
            if let environment = try? OdooEnvironment.decode(object.raw), dependencies.provisioner != nil,
               environment.tier == .shared, environment.database.externalSecret == nil,
               dependencies.configuration.databaseServer(named: environment.database.sharedServer)?.adminSecret != nil {
                kept.append("PostgreSQL role \(environment.database.name) with databases \(environment.database.name) and \(environment.restoreCheckDatabase)")
            }
            if !kept.isEmpty {
                logger.notice("environment deleted; data retained", metadata: ["retained": "\(kept.joined(separator: ", "))"])
                await record(EnvironmentEvent(reason: "DataRetained", action: "Delete",
                                              note: "deletionPolicy Retain kept \(kept.joined(separator: ", ")); delete them yourself once the data is no longer needed"), object)
            }
        } else {
            var dropped: [String] = []
            if let provisioner = dependencies.provisioner, let environment = try? OdooEnvironment.decode(object.raw) {
                do {
                    dropped = try await provisioner.release(environment)
                } catch {
                    // The finalizer stays until the server lets the data go; the controller retries with backoff.
                    await record(EnvironmentEvent(warning: true, reason: "ReleaseFailed", action: "Delete", note: "the database could not be dropped yet: \(error.message)"), object)
                    throw error
                }
            }
            logger.notice("environment deleted with its data", metadata: ["deletionPolicy": "\(policy)", "dropped": "\(dropped.joined(separator: ", "))"])
            await record(EnvironmentEvent(reason: "DataDeleted", action: "Delete",
                                          note: "deletionPolicy \(policy): the filestore and credentials are deleted with the environment"
                                              + (dropped.isEmpty ? "" : "; dropped \(dropped.joined(separator: ", "))")), object)
        }
        return .awaitChange
    }
}
