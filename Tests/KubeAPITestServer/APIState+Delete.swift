import Foundation
import KubeClient
import KubeModel

extension APIState {
    /// DELETE (https://kubernetes.io/docs/concepts/architecture/garbage-collection/ and
    /// https://kubernetes.io/docs/concepts/overview/working-with-objects/finalizers/): preconditions
    /// on uid and resourceVersion (409); an object with finalizers only gets `deletionTimestamp` and
    /// stays (202) until they are removed; `Orphan` strips dependents' ownerReferences, `Foreground`
    /// holds the owner with the `foregroundDeletion` finalizer until its dependents are gone,
    /// `Background` (the default) removes dependents after the owner; a namespace removes its content.
    mutating func delete(_ resource: ResourceBinding, name: String, options: JSONValue?) throws(APIError) -> (Int, JSONValue) {
        let served = resource.served
        guard let current = stored(served, resource.namespace, name) else { throw APIError.notFound(served.qualifiedName, name) }
        if let uid = options?["preconditions"]?["uid"]?.stringValue, uid != current.view.uid {
            throw APIError.conflict(served.qualifiedName, name,
                                    "Precondition failed: UID in precondition: \(uid), UID in object meta: \(current.view.uid ?? "")")
        }
        if let version = options?["preconditions"]?["resourceVersion"]?.stringValue, version != current.view.resourceVersion {
            throw APIError.conflict(served.qualifiedName, name,
                                    "Precondition failed: ResourceVersion in precondition: \(version), ResourceVersion in object meta: \(current.view.resourceVersion ?? "")")
        }
        if current.view.deletionTimestamp != nil { return (202, current.served(apiVersion: served.type.apiVersion)) }
        let policy = options?["propagationPolicy"]?.stringValue ?? options?["orphanDependents"]?.boolValue.map { $0 ? "Orphan" : "Background" }
        let uid = current.view.uid ?? ""
        if policy == "Orphan" { orphanDependents(of: uid) }
        var finalizers = current.view.finalizers
        if policy == "Foreground", hasDependents(uid) { finalizers.append("foregroundDeletion") }
        if served.type.kind == "Namespace" { finalizers.append("kubernetes") }
        if finalizers.isEmpty {
            let removed = commit(served, name: name, namespace: resource.namespace, new: nil, type: .deleted)
            collectGarbage()
            return (200, removed)
        }
        var terminating = current
        if case .object(var object) = terminating.json, case .object(var metadata)? = object["metadata"] {
            metadata["deletionTimestamp"] = .string(Timestamp.format(now()))
            metadata["deletionGracePeriodSeconds"] = 0
            if finalizers != current.view.finalizers && served.type.kind != "Namespace" {
                metadata["finalizers"] = .array(finalizers.map(JSONValue.string))
            }
            object["metadata"] = .object(metadata)
            if served.type.kind == "Namespace" { object["status"] = ["phase": "Terminating"] }
            terminating.json = .object(object)
        }
        commit(served, name: name, namespace: resource.namespace, new: terminating, type: .modified)
        if policy == "Foreground" || served.type.kind == "Namespace" { deleteDependents(of: uid, namespace: served.type.kind == "Namespace" ? name : nil) }
        collectGarbage()
        let now = stored(served, resource.namespace, name)?.served(apiVersion: served.type.apiVersion)
        return now.map { (202, $0) } ?? (200, terminating.served(apiVersion: served.type.apiVersion))
    }

    func hasDependents(_ uid: String) -> Bool {
        objects.values.contains { $0.values.contains { $0.view.ownerReferences.contains { $0.uid == uid } } }
    }

    mutating func orphanDependents(of uid: String) {
        for (id, items) in objects {
            guard let served = ServedResource.find(id: id) else { continue }
            for (_, item) in items where item.view.ownerReferences.contains(where: { $0.uid == uid }) {
                var orphan = item
                let kept = item.json["metadata"]?["ownerReferences"]?.arrayValue?.filter { $0["uid"]?.stringValue != uid } ?? []
                _ = orphan.json.set(kept.isEmpty ? .array([]) : .array(kept), at: "metadata.ownerReferences")
                commit(served, name: item.view.name, namespace: item.view.namespace, new: orphan, type: .modified)
            }
        }
    }

    /// Starts deletion of every dependent of `uid` (and, for a namespace, of its whole content).
    mutating func deleteDependents(of uid: String, namespace: String?) {
        for (id, items) in objects {
            guard let served = ServedResource.find(id: id) else { continue }
            for (_, item) in items where item.view.deletionTimestamp == nil
                && (item.view.ownerReferences.contains { $0.uid == uid } || (namespace != nil && item.view.namespace == namespace)) {
                _ = try? delete(ResourceBinding(served: served, namespace: item.view.namespace), name: item.view.name, options: nil)
            }
        }
    }

    /// The garbage collector and the finalizer bookkeeping, run to a fixed point after each write:
    /// terminating objects without finalizers go; dependents whose owners are all gone go (their
    /// references to missing owners are dropped when another owner remains); `foregroundDeletion`
    /// is removed once no dependent is left; a terminating namespace goes once it is empty.
    mutating func collectGarbage() {
        var changed = true
        while changed {
            changed = false
            let liveUIDs = Set(objects.values.flatMap { $0.values.compactMap(\.view.uid) })
            for (id, items) in objects {
                guard let served = ServedResource.find(id: id) else { continue }
                for (_, item) in items {
                    let view = item.view
                    if view.deletionTimestamp != nil {
                        var finalizers = view.finalizers
                        if finalizers.contains("foregroundDeletion"), !hasDependents(view.uid ?? "") {
                            finalizers.removeAll { $0 == "foregroundDeletion" }
                        }
                        if served.type.kind == "Namespace" {
                            let empty = !objects.values.contains { $0.values.contains { $0.view.namespace == view.name } }
                            if empty { finalizers.removeAll() }
                        }
                        if finalizers.isEmpty {
                            commit(served, name: view.name, namespace: view.namespace, new: nil, type: .deleted)
                            changed = true
                        } else if finalizers != view.finalizers {
                            var next = item
                            _ = next.json.set(.array(finalizers.map(JSONValue.string)), at: "metadata.finalizers")
                            commit(served, name: view.name, namespace: view.namespace, new: next, type: .modified)
                            changed = true
                        }
                        continue
                    }
                    let owners = view.ownerReferences
                    guard !owners.isEmpty else { continue }
                    let live = owners.filter { liveUIDs.contains($0.uid) }
                    if live.isEmpty {
                        _ = try? delete(ResourceBinding(served: served, namespace: view.namespace), name: view.name, options: nil)
                        changed = true
                    } else if live.count < owners.count {
                        var next = item
                        let kept = item.json["metadata"]?["ownerReferences"]?.arrayValue?.filter { liveUIDs.contains($0["uid"]?.stringValue ?? "") } ?? []
                        _ = next.json.set(.array(kept), at: "metadata.ownerReferences")
                        commit(served, name: view.name, namespace: view.namespace, new: next, type: .modified)
                        changed = true
                    }
                }
                if changed { break }
            }
        }
    }
}
