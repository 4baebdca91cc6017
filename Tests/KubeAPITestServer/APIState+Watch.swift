import Foundation
import KubeClient
import KubeModel
import NIOCore

extension APIState {
    /// LIST with label and field selectors and `limit`/`continue` pagination
    /// (https://kubernetes.io/docs/reference/using-api/api-concepts/#retrieving-large-results-sets-in-chunks):
    /// items in namespace/name order, the list's resourceVersion the current one, a continue token
    /// that expires (410) once compaction passes the version it was issued at.
    mutating func list(_ resource: ResourceBinding, labels: LabelSelector?, fields: FieldSelector?, limit: Int?,
                       continueToken: String?) throws(APIError) -> JSONValue {
        let served = resource.served
        var after: String?
        var listVersion = resourceVersion
        if let continueToken, !continueToken.isEmpty {
            guard let data = Data(base64Encoded: continueToken),
                  let token = try? JSONParser.parse(Array(data)),
                  let version = token["rv"]?.intValue, let start = token["start"]?.stringValue else {
                throw APIError.badRequest("continue key is not valid")
            }
            if Int(version) < compactedBefore {
                throw APIError(code: 410, reason: "Expired",
                               message: "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.")
            }
            after = start
            listVersion = Int(version)
        }
        let keys = sortedKeys[served.id] ?? (objects[served.id] ?? [:]).keys.sorted()
        sortedKeys[served.id] = keys
        // The first key after the continue token's, by binary search.
        var low = 0
        if let after {
            var high = keys.count
            while low < high {
                let middle = (low + high) / 2
                if keys[middle] <= after { low = middle + 1 } else { high = middle }
            }
        }
        var items: [JSONValue] = []
        var next: String?
        for key in keys[low...] {
            guard let object = objects[served.id]?[key] else { continue }
            guard matches(object.view, resource: resource, labels: labels, fields: fields) else { continue }
            if let limit, limit > 0, items.count == limit {
                next = items.last.map { Self.key(KubeObject($0).namespace, KubeObject($0).name) }
                break
            }
            items.append(object.served(apiVersion: served.type.apiVersion))
        }
        var metadata: JSONObject = ["resourceVersion": .string(String(listVersion))]
        if let next {
            let token = JSONValue.object(["rv": .int(Int64(listVersion)), "start": .string(next)]).serializedBytes()
            metadata["continue"] = .string(Data(token).base64EncodedString())
        }
        return .object(["kind": .string(served.type.kind + "List"), "apiVersion": .string(served.type.apiVersion),
                        "metadata": .object(metadata), "items": .array(items)])
    }

    func matches(_ object: KubeObject, resource: ResourceBinding, labels: LabelSelector?, fields: FieldSelector?) -> Bool {
        if resource.served.type.namespaced, let namespace = resource.namespace, object.namespace != namespace { return false }
        if let labels, !labels.matches(object.labels) { return false }
        if let fields, !fields.matches(object) { return false }
        return true
    }

    /// Opens a WATCH (https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes):
    /// without a resourceVersion (or `0`) the current objects come first as ADDED; from a version,
    /// every later change is replayed; a version older than the compaction point gets one ERROR
    /// event with a 410 `Expired` Status. With selectors, an object that starts or stops matching
    /// is seen as ADDED or DELETED (https://kubernetes.io/docs/reference/using-api/api-concepts/#semantics-for-watch).
    ///
    /// With `sendInitialEvents` (a streaming list, https://kubernetes.io/docs/reference/using-api/api-concepts/#streaming-lists),
    /// the current objects come first, then a BOOKMARK annotated `k8s.io/initial-events-end`.
    mutating func watch(_ resource: ResourceBinding, version: String?, labels: LabelSelector?, fields: FieldSelector?,
                        metadata: Bool = false, sendInitialEvents: Bool = false, continuation: AsyncStream<ByteBuffer>.Continuation) -> Int? {
        let served = resource.served
        let watcher = Watcher(resource: served, namespace: resource.namespace, labels: labels, fields: fields, metadata: metadata,
                              continuation: continuation)
        if let version, !version.isEmpty, version != "0" {
            guard let start = Int(version) else {
                continuation.yield(Self.line("ERROR", APIError.badRequest("invalid resourceVersion \(version)").status))
                continuation.finish()
                return nil
            }
            if start < compactedBefore {
                let error = APIError(code: 410, reason: "Expired", message: "too old resource version: \(start) (\(compactedBefore))")
                continuation.yield(Self.line("ERROR", error.status))
                continuation.finish()
                return nil
            }
            for change in history where change.resourceID == served.id && change.resourceVersion > start {
                send(change, to: watcher)
            }
        } else {
            let current = (objects[served.id] ?? [:]).values.sorted { ($0.view.resourceVersion.flatMap(Int.init) ?? 0) < ($1.view.resourceVersion.flatMap(Int.init) ?? 0) }
            for object in current where matches(object.view, resource: resource, labels: labels, fields: fields) {
                let shown = object.served(apiVersion: served.type.apiVersion)
                continuation.yield(Self.line("ADDED", metadata ? MediaNegotiation.partial(shown) : shown))
            }
            if sendInitialEvents {
                let end: JSONValue = ["kind": .string(served.type.kind), "apiVersion": .string(served.type.apiVersion),
                                      "metadata": ["resourceVersion": .string(String(resourceVersion)),
                                                   "annotations": ["k8s.io/initial-events-end": "true"]]]
                continuation.yield(Self.line("BOOKMARK", end))
            }
        }
        nextWatcher += 1
        watchers[nextWatcher] = watcher
        return nextWatcher
    }

    /// Tells every matching watcher about a change.
    func deliver(_ change: Change, _ served: ServedResource) {
        for watcher in watchers.values where watcher.resource.id == served.id { send(change, to: watcher) }
    }

    func send(_ change: Change, to watcher: Watcher) {
        let binding = ResourceBinding(served: watcher.resource, namespace: watcher.namespace)
        let now = matches(KubeObject(change.object), resource: binding, labels: watcher.labels, fields: watcher.fields)
        let before = change.previous.map { matches(KubeObject($0), resource: binding, labels: watcher.labels, fields: watcher.fields) } ?? false
        let type: String
        switch change.type {
        case .added: guard now else { return }; type = "ADDED"
        case .deleted: guard now else { return }; type = "DELETED"
        case .modified:
            switch (before, now) {
            case (true, true): type = "MODIFIED"
            case (false, true): type = "ADDED"
            case (true, false): type = "DELETED"
            case (false, false): return
            }
        case .bookmark: type = "BOOKMARK"
        }
        watcher.continuation.yield(Self.line(type, watcher.metadata ? MediaNegotiation.partial(change.object) : change.object))
    }

    /// A BOOKMARK at the current resourceVersion.
    func bookmark(_ watcher: Watcher) {
        let object: JSONValue = ["kind": .string(watcher.resource.type.kind), "apiVersion": .string(watcher.resource.type.apiVersion),
                                 "metadata": ["resourceVersion": .string(String(resourceVersion))]]
        watcher.continuation.yield(Self.line("BOOKMARK", object))
    }

    static func line(_ type: String, _ object: JSONValue) -> ByteBuffer {
        var bytes = JSONValue.object(["type": .string(type), "object": object]).serializedBytes()
        bytes.append(UInt8(ascii: "\n"))
        return ByteBuffer(bytes: bytes)
    }

    /// Forgets history up to now: watches and continue tokens from older versions get 410.
    mutating func compact() {
        compactedBefore = resourceVersion
        history.removeAll()
    }
}
