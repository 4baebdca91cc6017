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
            // The cache may lag behind a create of a moment ago: ask before generating.
            if try await dependencies.api.getIfExists(.secrets, namespace: secret.namespace, name: secret.name) != nil { continue }
            var generator = SystemRandomNumberGenerator()
            if try await createIfAbsent(secret.materialize(using: &generator), namespace: secret.namespace) {
                created.append("Secret \(secret.name)")
            }
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
    /// and credentials go only with the environment, as `deletionPolicy` says.
    func prune(_ environment: OdooEnvironment, keeping desired: DesiredState) async throws -> [String] {
        guard let uid = environment.uid else { return [] }
        let kept = Set(desired.objects.map { "\(KubeObject($0).kind)/\(KubeObject($0).name)" })
        var pruned: [String] = []
        for (resource, store) in stores.sorted(by: { $0.key.description < $1.key.description })
        where resource.namespaced && resource != .secrets && resource != .persistentVolumeClaims {
            for raw in store.list(namespace: environment.namespace) {
                let child = KubeObject(raw)
                guard child.ownerReferences.contains(where: { $0.controller && $0.uid == uid }),
                      !kept.contains("\(resource.kind)/\(child.name)") else { continue }
                if try await deleteIfPresent(resource, namespace: environment.namespace, name: child.name, uid: child.uid) {
                    pruned.append("\(resource.kind) \(child.name)")
                }
            }
        }
        return pruned
    }

    /// Creates a Secret; `false` when one of that name appeared meanwhile (it is left as it is).
    private func createIfAbsent(_ secret: JSONValue, namespace: String) async throws(KubeClientError) -> Bool {
        let result: Result<JSONValue, KubeClientError>
        do {
            result = .success(try await dependencies.api.create(.secrets, namespace: namespace, object: secret,
                                                                options: WriteOptions(fieldManager: Self.fieldManager)))
        } catch {
            result = .failure(error)
        }
        switch result {
        case .success:
            wrote()
            return true
        case .failure(let error):
            if error.code == .alreadyExists { return false }
            throw error
        }
    }

    /// Deletes an object if it is still the one seen (same uid); `false` when it is already gone.
    private func deleteIfPresent(_ resource: ResourceType, namespace: String, name: String, uid: String?) async throws(KubeClientError) -> Bool {
        let result: Result<JSONValue?, KubeClientError>
        do {
            result = .success(try await dependencies.api.delete(resource, namespace: namespace, name: name, options: DeleteOptions(preconditionUID: uid)))
        } catch {
            result = .failure(error)
        }
        switch result {
        case .success:
            wrote()
            return true
        case .failure(let error):
            if error.code == .notFound { return false }
            throw error
        }
    }
}
