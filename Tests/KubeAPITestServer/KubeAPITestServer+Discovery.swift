import KubeClient
import KubeModel

extension KubeAPITestServer {
    /// The discovery documents clients such as helm and kubectl read before they touch a resource
    /// (https://kubernetes.io/docs/concepts/overview/kubernetes-api/#discovery-api): `/version`,
    /// `/api` (APIVersions), `/apis` (APIGroupList) and each `/api/v1` or `/apis/GROUP/VERSION`
    /// (APIResourceList), built from the resources this server serves. Only the unaggregated form is
    /// served; clients asking for aggregated discovery fall back to it, as they do with older servers.
    /// Resources `isServed` refuses (a custom resource whose CRD does not exist) are left out.
    static func discovery(_ path: String, isServed: (ServedResource) -> Bool = { _ in true }) -> JSONValue? {
        let trimmed = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
        switch trimmed {
        case "/version":
            return ["major": "1", "minor": "32", "gitVersion": "v1.32.0", "platform": "linux/amd64"]
        case "/api":
            return ["kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"]]]
        case "/openapi/v3":
            return openAPIRoot(isServed: isServed)
        case "/apis":
            let served = Set(ServedResource.all.filter(isServed).map(\.type.group))
            let groups = groupVersions.filter { !$0.group.isEmpty && served.contains($0.group) }
            return ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groups.map { entry in
                let version: JSONValue = ["groupVersion": .string("\(entry.group)/\(entry.version)"), "version": .string(entry.version)]
                return ["name": .string(entry.group), "versions": [version], "preferredVersion": version]
            })]
        default:
            if trimmed.hasPrefix("/openapi/v3/") { return openAPIDocument(String(trimmed.dropFirst("/openapi/v3/".count)), isServed: isServed) }
            let segments = trimmed.split(separator: "/").map(String.init)
            let key: (group: String, version: String)
            switch segments.count {
            case 2 where segments[0] == "api": key = ("", segments[1])
            case 3 where segments[0] == "apis": key = (segments[1], segments[2])
            default: return nil
            }
            let resources = ServedResource.all.filter { $0.type.group == key.group && $0.type.version == key.version && isServed($0) }
            guard !resources.isEmpty else { return nil }
            var entries: [JSONValue] = []
            for resource in resources {
                let verbs: JSONValue = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
                entries.append(["name": .string(resource.type.resource), "singularName": .string(resource.type.kind.lowercased()),
                                "namespaced": .bool(resource.type.namespaced), "kind": .string(resource.type.kind), "verbs": verbs])
                if resource.hasStatus {
                    entries.append(["name": .string(resource.type.resource + "/status"), "singularName": "",
                                    "namespaced": .bool(resource.type.namespaced), "kind": .string(resource.type.kind), "verbs": ["get", "patch", "update"]])
                }
            }
            let groupVersion = key.group.isEmpty ? key.version : "\(key.group)/\(key.version)"
            return ["kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(groupVersion), "resources": .array(entries)]
        }
    }

    /// The OpenAPI v3 index (`/openapi/v3`): one document per served group and version. Clients
    /// (helm's and kubectl's field validation) read it to learn that the server validates fields itself.
    static func openAPIRoot(isServed: (ServedResource) -> Bool) -> JSONValue {
        var paths: JSONObject = [:]
        for entry in groupVersions {
            let key = entry.group.isEmpty ? "api/\(entry.version)" : "apis/\(entry.group)/\(entry.version)"
            guard ServedResource.all.contains(where: { $0.type.group == entry.group && $0.type.version == entry.version && isServed($0) }) else { continue }
            paths[key] = ["serverRelativeURL": .string("/openapi/v3/\(key)")]
        }
        return ["paths": .object(paths)]
    }

    /// One group and version's OpenAPI v3 document, reduced to what clients read from it: each
    /// resource's PATCH operation, its kind, and the `fieldValidation` query parameter every API
    /// server since 1.27 takes (https://kubernetes.io/docs/reference/using-api/api-concepts/#field-validation).
    static func openAPIDocument(_ key: String, isServed: (ServedResource) -> Bool) -> JSONValue? {
        let segments = key.split(separator: "/").map(String.init)
        let group: String
        let version: String
        switch segments.count {
        case 2 where segments[0] == "api": (group, version) = ("", segments[1])
        case 3 where segments[0] == "apis": (group, version) = (segments[1], segments[2])
        default: return nil
        }
        let resources = ServedResource.all.filter { $0.type.group == group && $0.type.version == version && isServed($0) }
        guard !resources.isEmpty else { return nil }
        var paths: JSONObject = [:]
        for resource in resources {
            let scope = resource.type.namespaced ? "namespaces/{namespace}/" : ""
            let gvk: JSONValue = ["group": .string(group), "version": .string(version), "kind": .string(resource.type.kind)]
            let parameter: JSONValue = ["name": "fieldValidation", "in": "query", "schema": ["type": "string"]]
            paths["/\(key)/\(scope)\(resource.type.resource)/{name}"] = [
                "patch": ["x-kubernetes-group-version-kind": gvk, "x-kubernetes-action": "patch", "parameters": [parameter], "responses": [:]],
            ]
        }
        return ["openapi": "3.0.0", "info": ["title": "Kubernetes", "version": "v1.32.0"], "paths": .object(paths)]
    }

    /// Every served group and version, in first-served order.
    static var groupVersions: [(group: String, version: String)] {
        var seen: [(group: String, version: String)] = []
        for resource in ServedResource.all where !seen.contains(where: { $0.group == resource.type.group && $0.version == resource.type.version }) {
            seen.append((resource.type.group, resource.type.version))
        }
        return seen
    }
}
