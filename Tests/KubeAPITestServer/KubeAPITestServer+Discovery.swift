import KubeClient
import KubeModel

extension KubeAPITestServer {
    /// The discovery documents clients such as helm and kubectl read before they touch a resource
    /// (https://kubernetes.io/docs/concepts/overview/kubernetes-api/#discovery-api): `/version`,
    /// `/api` (APIVersions), `/apis` (APIGroupList) and each `/api/v1` or `/apis/GROUP/VERSION`
    /// (APIResourceList), built from the resources this server serves. Only the unaggregated form is
    /// served; clients asking for aggregated discovery fall back to it, as they do with older servers.
    static func discovery(_ path: String) -> JSONValue? {
        let trimmed = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
        switch trimmed {
        case "/version":
            return ["major": "1", "minor": "32", "gitVersion": "v1.32.0", "platform": "linux/amd64"]
        case "/api":
            return ["kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"]]]
        case "/apis":
            let groups = groupVersions.filter { !$0.group.isEmpty }
            return ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groups.map { entry in
                let version: JSONValue = ["groupVersion": .string("\(entry.group)/\(entry.version)"), "version": .string(entry.version)]
                return ["name": .string(entry.group), "versions": [version], "preferredVersion": version]
            })]
        default:
            let segments = trimmed.split(separator: "/").map(String.init)
            let key: (group: String, version: String)
            switch segments.count {
            case 2 where segments[0] == "api": key = ("", segments[1])
            case 3 where segments[0] == "apis": key = (segments[1], segments[2])
            default: return nil
            }
            let resources = ServedResource.all.filter { $0.type.group == key.group && $0.type.version == key.version }
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

    /// Every served group and version, in first-served order.
    static var groupVersions: [(group: String, version: String)] {
        var seen: [(group: String, version: String)] = []
        for resource in ServedResource.all where !seen.contains(where: { $0.group == resource.type.group && $0.version == resource.type.version }) {
            seen.append((resource.type.group, resource.type.version))
        }
        return seen
    }
}
