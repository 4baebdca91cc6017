import KubeClient
import KubeModel

/// The finalizer protocol of a controller, decided from the object alone and acted on with JSON
/// patches guarded by a `test` op, so a concurrent change to the finalizer list makes the patch
/// fail (and the reconcile retry) instead of silently dropping another controller's finalizer.
public enum Finalizers {
    /// What to do with an object.
    public enum Step: Sendable, Equatable {
        /// Live and without our finalizer: add it before doing anything else.
        case addFinalizer
        /// Live with our finalizer: reconcile normally.
        case apply
        /// Being deleted with our finalizer: clean up, then remove the finalizer.
        case cleanup
        /// Being deleted without our finalizer: nothing left for us to do.
        case none
    }

    /// The step for `object` and `finalizer`.
    public static func decide(_ object: KubeObject, finalizer: String) -> Step {
        let has = object.finalizers.contains(finalizer)
        switch (object.deletionTimestamp != nil, has) {
        case (false, false): return .addFinalizer
        case (false, true): return .apply
        case (true, true): return .cleanup
        case (true, false): return .none
        }
    }

    /// Adds `finalizer`: guarded by the current finalizer list, or by the resourceVersion when there is none.
    public static func addPatch(_ object: KubeObject, finalizer: String) -> JSONPatch {
        let current = object.raw["metadata"]?["finalizers"]
        if let current, case .array(let items) = current, !items.isEmpty {
            return JSONPatch([.test("/metadata/finalizers", current), .add("/metadata/finalizers/-", .string(finalizer))])
        }
        return JSONPatch([.test("/metadata/resourceVersion", .string(object.resourceVersion ?? "")),
                          .add("/metadata/finalizers", .array([.string(finalizer)]))])
    }

    /// Removes `finalizer`, guarded by a test of the entry being removed; `nil` when it is absent.
    public static func removePatch(_ object: KubeObject, finalizer: String) -> JSONPatch? {
        guard let index = object.finalizers.firstIndex(of: finalizer) else { return nil }
        let pointer = JSONPointer(tokens: ["metadata", "finalizers", String(index)])
        return JSONPatch([.test(pointer, .string(finalizer)), .remove(pointer)])
    }

    /// The kube-rs `finalizer()` shape: adds the finalizer first, calls `apply` while the object
    /// lives (right after the finalizer is added too, with the object the API returned, so a new
    /// object costs no second pass through the queue), calls `cleanup` once it is being
    /// deleted and removes the finalizer once `cleanup` returns `.awaitChange` (a `.requeue` from
    /// `cleanup` means it is still in progress: the finalizer stays and the key comes back later).
    /// An object already gone when the finalizer comes off is not an error.
    /// - Throws: what `apply`/`cleanup` throw, or the ``KubeClientError`` of a finalizer patch.
    public static func reconcile(_ object: KubeObject, finalizer: String, resource: ResourceType, api: any KubernetesAPI,
                                 apply: (KubeObject) async throws -> ReconcileAction,
                                 cleanup: () async throws -> ReconcileAction) async throws -> ReconcileAction {
        switch decide(object, finalizer: finalizer) {
        case .addFinalizer:
            let stored = try await api.patch(resource, namespace: object.namespace, name: object.name,
                                             patch: .json(addPatch(object, finalizer: finalizer)), subresource: nil, options: WriteOptions())
            return try await apply(KubeObject(stored))
        case .apply:
            return try await apply(object)
        case .cleanup:
            let action = try await cleanup()
            guard action == .awaitChange, let patch = removePatch(object, finalizer: finalizer) else { return action }
            do {
                _ = try await api.patch(resource, namespace: object.namespace, name: object.name, patch: .json(patch),
                                        subresource: nil, options: WriteOptions())
            } catch where error == .notFound {
                // Already gone: nothing is left to release.
            }
            return .awaitChange
        case .none:
            return .awaitChange
        }
    }
}
