import Foundation
import KubeClient
import KubeModel

extension APIState {
    /// PATCH (https://kubernetes.io/docs/tasks/manage-kubernetes-objects/update-api-object-kubectl-patch/):
    /// JSON Patch (RFC 6902, a failed `test` is 422) and merge patch (RFC 7386) apply to the current
    /// object and go through the same strategy as a PUT — a `metadata.resourceVersion` in the result
    /// that differs from the current one is a 409; server-side apply is ``apply``.
    mutating func patch(_ resource: ResourceBinding, name: String, contentType: String, body: [UInt8], subresource: String?,
                        fieldManager: String?, force: Bool) throws(APIError) -> (Int, JSONValue) {
        let type = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        if type == "application/apply-patch+yaml" || type == "application/apply-patch+json" {
            return try apply(resource, name: name, body: body, subresource: subresource, fieldManager: fieldManager, force: force)
        }
        let document: JSONValue
        do { document = try JSONParser.parse(body) } catch { throw APIError.badRequest("the patch is not JSON: \(error)") }
        guard let current = stored(resource.served, resource.namespace, name) else {
            throw APIError.notFound(resource.served.qualifiedName, name)
        }
        let base = current.served(apiVersion: resource.served.type.apiVersion)
        var patched: JSONValue
        switch type {
        case "application/json-patch+json":
            do {
                patched = try JSONPatch(json: document).apply(to: base)
            } catch {
                throw APIError(code: 422, reason: "Invalid", message: "the JSON patch does not apply: \(error)")
            }
        case "application/merge-patch+json":
            patched = Self.mergePatch(document, into: base)
        default:
            throw APIError(code: 415, reason: "UnsupportedMediaType", message: "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml")
        }
        if let version = patched["metadata"]?["resourceVersion"]?.stringValue, version != current.view.resourceVersion {
            throw APIError.conflict(resource.served.qualifiedName, name, APIError.staleMessage)
        }
        _ = patched.modify(at: "metadata") { metadata in
            if case .object(var members) = metadata { members.removeValue(forKey: "managedFields"); metadata = .object(members) }
        }
        return (200, try write(resource, name: name, current: current, proposed: patched, subresource: subresource,
                                manager: fieldManager ?? "unknown", operation: "Update"))
    }

    /// RFC 7386: `null` removes a member, objects merge, everything else replaces.
    static func mergePatch(_ patch: JSONValue, into target: JSONValue) -> JSONValue {
        guard case .object(let members) = patch else { return patch }
        var result = target.objectValue ?? [:]
        for (key, value) in members {
            if value == .null { result.removeValue(forKey: key) } else { result[key] = mergePatch(value, into: result[key] ?? .null) }
        }
        return .object(result)
    }

    /// Server-side apply (https://kubernetes.io/docs/reference/using-api/server-side-apply/): the
    /// manager's applied configuration becomes the set of fields it owns; a field another manager
    /// owns with a different value is a conflict (409, one cause per field) unless `force`, which
    /// takes it; fields the manager applied before and no longer applies are removed when nobody
    /// else owns them; an absent object is created.
    mutating func apply(_ resource: ResourceBinding, name: String, body: [UInt8], subresource: String?,
                        fieldManager: String?, force: Bool) throws(APIError) -> (Int, JSONValue) {
        guard let manager = fieldManager, !manager.isEmpty else {
            throw APIError.badRequest("PATCH, application/apply-patch+yaml requests must have a fieldManager parameter")
        }
        guard let document = ManifestReader.read(body).first, case .success(let applied) = document.result, case .object = applied else {
            throw APIError.badRequest("the applied configuration is not a YAML or JSON object")
        }
        let served = resource.served
        guard applied["apiVersion"]?.stringValue == served.type.apiVersion, applied["kind"]?.stringValue == served.type.kind else {
            throw APIError.badRequest("apiVersion and kind must be \(served.type.apiVersion) \(served.type.kind) in an applied configuration")
        }
        if let given = applied["metadata"]?["name"]?.stringValue, given != name {
            throw APIError.badRequest("the name of the object (\(given)) does not match the name on the URL (\(name))")
        }
        guard let current = stored(served, resource.namespace, name) else {
            guard subresource == nil else { throw APIError.notFound(served.qualifiedName, name) }
            var object = applied
            _ = object.set(.string(name), at: "metadata.name")
            let created = try create(resource, body: object, fieldManager: manager)
            var stored = self.stored(served, resource.namespace, name)
            stored?.managers = [ManagedEntry(manager: manager, operation: "Apply", subresource: nil,
                                             fields: FieldSet.paths(of: ownedPart(applied, served, subresource: nil)),
                                             time: Timestamp.format(now()))]
            if let stored { objects[served.id]?[Self.key(served.type.namespaced ? resource.namespace : nil, name)] = stored }
            return (201, stored?.served(apiVersion: served.type.apiVersion) ?? created)
        }
        if let version = applied["metadata"]?["resourceVersion"]?.stringValue, !version.isEmpty, version != current.view.resourceVersion {
            throw APIError.conflict(served.qualifiedName, name, APIError.staleMessage)
        }
        let appliedPart = ownedPart(applied, served, subresource: subresource)
        let appliedFields = FieldSet.paths(of: appliedPart)
        let currentPart = ownedPart(current.json, served, subresource: subresource)
        var managers = current.managers
        var conflicts: [(manager: String, path: FieldPathKey)] = []
        for (index, entry) in managers.enumerated()
        where entry.subresource == subresource && !(entry.manager == manager && entry.operation == "Apply") {
            for path in entry.fields.intersection(appliedFields)
            where FieldSet.value(at: path, in: appliedPart) != FieldSet.value(at: path, in: currentPart) {
                if force { managers[index].fields.remove(path) } else { conflicts.append((entry.manager, path)) }
            }
        }
        if !conflicts.isEmpty {
            let sorted = conflicts.sorted { FieldSet.describe($0.path) < FieldSet.describe($1.path) }
            let lines = sorted.map { "conflict with \"\($0.manager)\": \(FieldSet.describe($0.path))" }
            throw APIError(code: 409, reason: "Conflict",
                           message: "Apply failed with \(conflicts.count) conflict\(conflicts.count == 1 ? "" : "s"): \(lines.joined(separator: "\n"))",
                           causes: sorted.map { ("FieldManagerConflict", "conflict with \"\($0.manager)\"", FieldSet.describe($0.path)) },
                           details: (served.qualifiedName, name))
        }
        managers.removeAll { $0.fields.isEmpty }
        let previous = current.managers.first { $0.manager == manager && $0.operation == "Apply" && $0.subresource == subresource }?.fields ?? []
        let ownedByOthers = managers.filter { !($0.manager == manager && $0.operation == "Apply") && $0.subresource == subresource }
            .reduce(into: Set<FieldPathKey>()) { $0.formUnion($1.fields) }
        var next = current.json
        // Deepest first, so removing an item does not hide the fields below it.
        for path in previous.subtracting(appliedFields).subtracting(ownedByOthers).sorted(by: { $0.count > $1.count }) {
            next = FieldSet.removing(path, from: next)
        }
        next = FieldSet.merge(appliedPart, into: next)
        return (200, try write(resource, name: name, current: current, proposed: next, subresource: subresource,
                                manager: manager, operation: "Apply", appliedFields: appliedFields, managers: managers))
    }
}
