import KubeClient
import KubeModel
import KubeRuntime
import OdooPlan

/// Creating Secrets, applying objects, pruning.
extension EnvironmentReconciler {
    /// The resource of a planned object.
    func resource(of object: JSONValue) -> ResourceType? {
        let view = KubeObject(object)
        let gvk = view.gvk
        return stores.keys.first { $0.kind == gvk.kind && $0.group == gvk.group && $0.version == gvk.version }
    }

    /// Creates the Secrets that do not exist yet, with values from the system CSPRNG. An existing
    /// Secret is never rewritten, whatever it holds. Returns `Secret name` for each one created.
    func createSecrets(_ secrets: [GeneratedSecret]) async throws -> [String] {
        var created: [String] = []
        for secret in secrets {
            let key = ObjectKey(namespace: secret.namespace, name: secret.name)
            if stores[.secrets]?.get(key) != nil { continue }
            // A cache lagging behind a create of a moment ago costs an `AlreadyExists`, never a rewrite.
            var generator = SystemRandomNumberGenerator()
            let object = secret.materialize(using: &generator)
            let fresh = try await write(tolerating: .alreadyExists) { () async throws(KubeClientError) in
                _ = try await dependencies.api.create(.secrets, namespace: secret.namespace, object: object,
                                                      options: WriteOptions(fieldManager: Self.fieldManager))
            }
            if fresh { created.append("Secret \(secret.name)") }
        }
        return created
    }

    /// Server-side applies every object whose live copy differs; returns `Kind name` of each applied.
    func applyObjects(_ objects: [JSONValue]) async throws -> [String] {
        var applied: [String] = []
        for desired in objects {
            guard let resource = resource(of: desired) else { continue }
            let view = KubeObject(desired)
            let stamped = AppliedConfiguration.stamped(desired, namespaced: resource.namespaced)
            let live = stores[resource]?.get(ObjectKey(namespace: resource.namespaced ? view.namespace : nil, name: view.name))
            guard AppliedConfiguration.needsApply(stamped, live: live) else { continue }
            _ = try await dependencies.api.apply(resource, object: stamped, fieldManager: Self.fieldManager, force: true)
            wrote()
            applied.append("\(view.kind) \(view.name)")
        }
        return applied
    }

    /// Deletes objects the environment controls that the plan no longer has (the PDB when replicas
    /// drop to one, routes of a removed feature). Secrets and the filestore are never pruned: data
    /// and credentials go only with the environment, as `deletionPolicy` says. Jobs are records of
    /// backups and upgrades, never pruned either (garbage collection takes them with the environment).
    func prune(_ environment: OdooEnvironment, keeping desired: DesiredState) async throws -> [String] {
        guard let uid = environment.uid else { return [] }
        let kept = Set(desired.objects.map { "\(KubeObject($0).kind)/\(KubeObject($0).name)" })
        var pruned: [String] = []
        for (resource, store) in stores.sorted(by: { $0.key.description < $1.key.description })
        where resource.namespaced && resource != .secrets && resource != .persistentVolumeClaims && resource != .jobs {
            for raw in store.list(namespace: environment.namespace) {
                let child = KubeObject(raw)
                guard child.ownerReferences.contains(where: { $0.controller && $0.uid == uid }),
                      !kept.contains("\(resource.kind)/\(child.name)") else { continue }
                let deleted = try await write(tolerating: .notFound) { () async throws(KubeClientError) in
                    _ = try await dependencies.api.delete(resource, namespace: environment.namespace, name: child.name,
                                                          options: DeleteOptions(preconditionUID: child.uid))
                }
                if deleted { pruned.append("\(resource.kind) \(child.name)") }
            }
        }
        return pruned
    }

    /// Sends one write and counts it; `false` when the API answers `tolerated` (the object already
    /// exists, or is already gone), which is left as it is.
    /// (A `Result` rather than `catch where`: that form crashed the 6.3.1 compiler's ownership check here.)
    func write(tolerating tolerated: KubeClientError.Code, _ request: () async throws(KubeClientError) -> Void) async throws(KubeClientError) -> Bool {
        let failure: KubeClientError?
        do {
            try await request()
            failure = nil
        } catch {
            failure = error
        }
        guard let failure else {
            wrote()
            return true
        }
        if failure.code == tolerated { return false }
        throw failure
    }
}
