import Foundation
import KubeClient
import KubeModel
import NIOCore

/// One field manager's entry of `metadata.managedFields`.
struct ManagedEntry: Equatable, Sendable {
    var manager: String
    var operation: String
    var subresource: String?
    var fields: Set<FieldPathKey>
    var time: String

    var key: String { "\(manager)/\(operation)/\(subresource ?? "")" }
}

/// An object as stored: its JSON (without `managedFields`) and its field managers.
struct StoredObject: Sendable {
    var json: JSONValue
    var managers: [ManagedEntry] = []

    var view: KubeObject { KubeObject(json) }

    /// The object as served, with `metadata.managedFields` rendered from the managers.
    func served(apiVersion: String) -> JSONValue {
        guard !managers.isEmpty, case .object(var object) = json, case .object(var metadata)? = object["metadata"] else { return json }
        metadata["managedFields"] = .array(managers.map { entry in
            var item: JSONObject = ["manager": .string(entry.manager), "operation": .string(entry.operation),
                                    "apiVersion": .string(apiVersion), "time": .string(entry.time), "fieldsType": "FieldsV1",
                                    "fieldsV1": FieldSet.fieldsV1(entry.fields)]
            if let subresource = entry.subresource { item["subresource"] = .string(subresource) }
            return .object(item)
        })
        object["metadata"] = .object(metadata)
        return .object(object)
    }
}

/// One recorded change, kept for watches that resume from an older resourceVersion.
struct Change: Sendable {
    var resourceVersion: Int
    var resourceID: String
    var type: WatchEvent.Kind
    var object: JSONValue
    var previous: JSONValue?
}

/// One open watch.
struct Watcher: Sendable {
    var resource: ServedResource
    var namespace: String?
    var labels: LabelSelector?
    var fields: FieldSelector?
    /// Events carry `PartialObjectMetadata` (the watch asked for it in its `Accept` header).
    var metadata = false
    var continuation: AsyncStream<ByteBuffer>.Continuation
}

/// Everything the test server keeps, as etcd and the API server's strategies would. Mutations
/// happen under the server's lock, one at a time, so the resourceVersion is a single global counter
/// (https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions).
struct APIState: Sendable {
    var resourceVersion = 1
    /// Watches and continue tokens older than this answer 410 Gone (etcd compaction).
    var compactedBefore = 0
    var objects: [String: [String: StoredObject]] = [:]
    /// Each resource's keys in list order, kept until a key is added or removed: a paged list
    /// reads its page from here instead of sorting every key again for each page (which made
    /// listing N objects in pages cost N² log N; etcd serves a page by range).
    var sortedKeys: [String: [String]] = [:]
    var history: [Change] = []
    /// The uids of every stored object, kept by ``commit``: an update only needs the (whole-store)
    /// garbage collector when it terminates an object or names an owner that does not exist.
    var liveUIDs: Set<String> = []
    var watchers: [Int: Watcher] = [:]
    var nextWatcher = 0
    var now: @Sendable () -> Date = { Date() }

    static func key(_ namespace: String?, _ name: String) -> String { "\(namespace ?? "")/\(name)" }

    func stored(_ resource: ServedResource, _ namespace: String?, _ name: String) -> StoredObject? {
        objects[resource.id]?[Self.key(resource.type.namespaced ? namespace : nil, name)]
    }

    func namespaceObject(_ name: String) -> StoredObject? { objects[ServedResource.id(.namespaces)]?[Self.key(nil, name)] }

    // MARK: Reads

    func get(_ resource: ServedResource, namespace: String?, name: String) throws(APIError) -> JSONValue {
        guard let object = stored(resource, namespace, name) else { throw APIError.notFound(resource.qualifiedName, name) }
        return object.served(apiVersion: resource.type.apiVersion)
    }

    // MARK: Writes

    /// POST: https://kubernetes.io/docs/reference/using-api/api-concepts/#api-verbs — the name must
    /// be free (409 AlreadyExists), the namespace must exist and not be terminating; the server sets
    /// uid, creationTimestamp, resourceVersion and generation; `generateName` gets a random suffix;
    /// `status` is reset on resources with a status subresource.
    mutating func create(_ resource: ResourceBinding, body: JSONValue, fieldManager: String?) throws(APIError) -> JSONValue {
        var object = try checkedBody(body, resource)
        var metadata = object["metadata"]?.objectValue ?? [:]
        if resource.served.type.namespaced {
            guard let namespace = resource.namespace else { throw APIError.badRequest("a namespace is required to create \(resource.served.qualifiedName)") }
            if let given = metadata["namespace"]?.stringValue, given != namespace {
                throw APIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
            }
            metadata["namespace"] = .string(namespace)
            try requireLiveNamespace(namespace)
        } else {
            metadata.removeValue(forKey: "namespace")
        }
        var name = metadata["name"]?.stringValue ?? ""
        if name.isEmpty, let prefix = metadata["generateName"]?.stringValue, !prefix.isEmpty {
            name = prefix + String(UUID().uuidString.lowercased().prefix(5))
            metadata["name"] = .string(name)
        }
        guard !name.isEmpty else {
            throw APIError.invalid(resource.served.type.kind, "", field: "metadata.name", "name or generateName is required")
        }
        try Self.validateName(name, kind: resource.served.type.kind)
        if stored(resource.served, resource.namespace, name) != nil { throw APIError.alreadyExists(resource.served.qualifiedName, name) }
        metadata["uid"] = .string(UUID().uuidString.lowercased())
        metadata["creationTimestamp"] = .string(Timestamp.format(now()))
        for key in ["deletionTimestamp", "deletionGracePeriodSeconds", "managedFields", "resourceVersion"] { metadata.removeValue(forKey: key) }
        if resource.served.tracksGeneration { metadata["generation"] = 1 } else { metadata.removeValue(forKey: "generation") }
        object["metadata"] = .object(metadata)
        if resource.served.hasStatus, resource.served.type.kind != "Namespace" { object.removeValue(forKey: "status") }
        Self.defaulted(&object, kind: resource.served.type.kind)
        if resource.served.type.kind == "Namespace" { object["status"] = ["phase": "Active"] }
        if resource.served.type.kind == "CustomResourceDefinition" { object["status"] = Self.established(object) }
        var stored = StoredObject(json: .object(object))
        let manager = ManagedEntry(manager: fieldManager ?? "unknown", operation: "Update", subresource: nil,
                                   fields: FieldSet.paths(of: ownedPart(stored.json, resource.served, subresource: nil)),
                                   time: Timestamp.format(now()))
        stored.managers = [manager]
        return commit(resource.served, name: name, namespace: resource.namespace, new: stored, type: .added)
    }

    /// PUT of the object or its status: conditional on `metadata.resourceVersion` when the body has
    /// one (409 Conflict when stale, https://kubernetes.io/docs/reference/using-api/api-concepts/#conflicts);
    /// identity fields are kept; a write that changes nothing keeps the resourceVersion and sends no event.
    mutating func update(_ resource: ResourceBinding, name: String, body: JSONValue, subresource: String?,
                         fieldManager: String?) throws(APIError) -> JSONValue {
        let object = try checkedBody(body, resource)
        guard let current = stored(resource.served, resource.namespace, name) else {
            throw APIError.notFound(resource.served.qualifiedName, name)
        }
        if let bodyName = object["metadata"]?["name"]?.stringValue, bodyName != name {
            throw APIError.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        if let version = object["metadata"]?["resourceVersion"]?.stringValue, !version.isEmpty,
           version != current.view.resourceVersion {
            throw APIError.conflict(resource.served.qualifiedName, name, APIError.staleMessage)
        }
        return try write(resource, name: name, current: current, proposed: .object(object), subresource: subresource,
                         manager: fieldManager ?? "unknown", operation: "Update")
    }

    /// The shared end of update, patch and apply: strategy (status isolation, identity fields,
    /// generation, finalizer rules), field ownership, no-op detection, the event, and deletion once a
    /// terminating object's last finalizer is gone (https://kubernetes.io/docs/concepts/overview/working-with-objects/finalizers/).
    mutating func write(_ resource: ResourceBinding, name: String, current: StoredObject, proposed: JSONValue,
                        subresource: String?, manager: String, operation: String,
                        appliedFields: Set<FieldPathKey>? = nil, managers: [ManagedEntry]? = nil) throws(APIError) -> JSONValue {
        let served = resource.served
        guard case .object(var next) = proposed, case .object(let old) = current.json else {
            throw APIError.badRequest("the body must be a JSON object")
        }
        var metadata = next["metadata"]?.objectValue ?? [:]
        let oldMetadata = old["metadata"]?.objectValue ?? [:]
        if subresource == "status" {
            // Only status changes through /status.
            var merged = old
            merged["status"] = next["status"]
            next = merged
            metadata = oldMetadata
        } else if served.hasStatus {
            next["status"] = old["status"]
            if next["status"] == nil { next.removeValue(forKey: "status") }
        }
        for key in ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "namespace", "name"] {
            metadata[key] = oldMetadata[key]
            if metadata[key] == nil { metadata.removeValue(forKey: key) }
        }
        metadata.removeValue(forKey: "managedFields")
        metadata["resourceVersion"] = oldMetadata["resourceVersion"]
        let oldFinalizers = Set(current.view.finalizers)
        let newFinalizers = Set(metadata["finalizers"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        if current.view.deletionTimestamp != nil, !newFinalizers.subtracting(oldFinalizers).isEmpty {
            throw APIError.invalid(served.type.kind, name, field: "metadata.finalizers",
                                   "Forbidden: no new finalizers can be added if the object is being deleted")
        }
        next["metadata"] = .object(metadata)
        if subresource == nil { Self.defaulted(&next, kind: served.type.kind) }
        if served.tracksGeneration, Self.specPart(.object(next), served) != Self.specPart(current.json, served) {
            metadata["generation"] = .int((oldMetadata["generation"]?.intValue ?? 1) + 1)
            next["metadata"] = .object(metadata)
        }
        let updated = JSONValue.object(next)
        var replacement = StoredObject(json: updated, managers: managers ?? current.managers)
        let time = Timestamp.format(now())
        if let appliedFields {
            replacement.managers.removeAll { $0.manager == manager && $0.operation == "Apply" && $0.subresource == subresource }
            replacement.managers.append(ManagedEntry(manager: manager, operation: "Apply", subresource: subresource, fields: appliedFields, time: time))
        } else {
            let changed = FieldSet.changed(from: ownedPart(current.json, served, subresource: subresource),
                                           to: ownedPart(updated, served, subresource: subresource))
            let remaining = FieldSet.paths(of: ownedPart(updated, served, subresource: subresource))
            let entryKey = ManagedEntry(manager: manager, operation: operation, subresource: subresource, fields: [], time: time).key
            for index in replacement.managers.indices where replacement.managers[index].subresource == subresource {
                replacement.managers[index].fields.formIntersection(remaining)
                if replacement.managers[index].key != entryKey { replacement.managers[index].fields.subtract(changed) }
            }
            if !changed.isEmpty {
                if let index = replacement.managers.firstIndex(where: { $0.key == entryKey }) {
                    replacement.managers[index].fields.formUnion(changed)
                    replacement.managers[index].time = time
                } else {
                    replacement.managers.append(ManagedEntry(manager: manager, operation: operation, subresource: subresource, fields: changed, time: time))
                }
            }
            replacement.managers.removeAll { $0.fields.isEmpty }
        }
        if updated == current.json {
            // No change: no new resourceVersion, no event (managedFields may still record the manager).
            objects[served.id]?[Self.key(served.type.namespaced ? resource.namespace : nil, name)]?.managers = replacement.managers
            return replacement.served(apiVersion: served.type.apiVersion)
        }
        let result = commit(served, name: name, namespace: resource.namespace, new: replacement, type: .modified)
        let view = replacement.view
        if view.deletionTimestamp != nil || view.ownerReferences.contains(where: { !liveUIDs.contains($0.uid) }) { collectGarbage() }
        return stored(served, resource.namespace, name)?.served(apiVersion: served.type.apiVersion) ?? result
    }

    /// Stores (or removes) an object at a new resourceVersion, records the change and tells watchers.
    @discardableResult
    mutating func commit(_ served: ServedResource, name: String, namespace: String?, new: StoredObject?, type: WatchEvent.Kind) -> JSONValue {
        let key = Self.key(served.type.namespaced ? namespace : nil, name)
        let previous = objects[served.id]?[key]
        resourceVersion += 1
        var object = new ?? previous ?? StoredObject(json: .object([:]))
        if case .object(var members) = object.json, case .object(var metadata)? = members["metadata"] {
            metadata["resourceVersion"] = .string(String(resourceVersion))
            members["metadata"] = .object(metadata)
            object.json = .object(members)
        }
        if let uid = previous?.view.uid { liveUIDs.remove(uid) }
        if type == .deleted {
            if objects[served.id]?.removeValue(forKey: key) != nil { sortedKeys[served.id] = nil }
        } else {
            if previous == nil { sortedKeys[served.id] = nil }
            objects[served.id, default: [:]][key] = object
            if let uid = object.view.uid { liveUIDs.insert(uid) }
        }
        let served0 = object.served(apiVersion: served.type.apiVersion)
        let change = Change(resourceVersion: resourceVersion, resourceID: served.id, type: type, object: served0,
                            previous: previous?.served(apiVersion: served.type.apiVersion))
        history.append(change)
        deliver(change, served)
        return served0
    }

    func requireLiveNamespace(_ namespace: String) throws(APIError) {
        guard let object = namespaceObject(namespace) else { throw APIError.notFound("namespaces", namespace) }
        if object.view.deletionTimestamp != nil {
            throw APIError(code: 403, reason: "Forbidden",
                           message: "unable to create new content in namespace \(namespace) because it is being terminated")
        }
    }

    func checkedBody(_ body: JSONValue, _ resource: ResourceBinding) throws(APIError) -> JSONObject {
        guard case .object(let object) = body else { throw APIError.badRequest("the body must be a JSON object") }
        let type = resource.served.type
        if let kind = object["kind"]?.stringValue, kind != type.kind {
            throw APIError.badRequest("the kind \(kind) does not match the resource \(type.description) (\(type.kind))")
        }
        if let apiVersion = object["apiVersion"]?.stringValue, apiVersion != type.apiVersion {
            throw APIError.badRequest("the apiVersion \(apiVersion) does not match the resource \(type.description) (\(type.apiVersion))")
        }
        return object
    }

}

/// A resource and the namespace of a request's URL.
struct ResourceBinding {
    var served: ServedResource
    var namespace: String?
}
