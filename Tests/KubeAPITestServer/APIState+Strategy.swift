import Foundation
import KubeModel

extension APIState {
    /// The part of an object field ownership covers: no identity or server-set metadata, and either
    /// only `status` (the status subresource) or everything but `status`.
    func ownedPart(_ object: JSONValue, _ served: ServedResource, subresource: String?) -> JSONValue {
        guard case .object(var members) = object else { return object }
        if subresource == "status" { return .object(["status": members["status"] ?? .object([:])]) }
        if served.hasStatus { members.removeValue(forKey: "status") }
        members.removeValue(forKey: "apiVersion")
        members.removeValue(forKey: "kind")
        if case .object(var metadata)? = members["metadata"] {
            for key in ["name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
                        "deletionGracePeriodSeconds", "managedFields"] { metadata.removeValue(forKey: key) }
            members["metadata"] = .object(metadata)
        }
        return .object(members)
    }

    /// What a generation bump looks at: everything but `metadata` (and `status` when it is a subresource).
    static func specPart(_ object: JSONValue, _ served: ServedResource) -> JSONValue {
        guard case .object(var members) = object else { return object }
        members.removeValue(forKey: "metadata")
        if served.hasStatus { members.removeValue(forKey: "status") }
        return .object(members)
    }

    /// The API's defaulting of the fields whose absence the reconcilers' writes depend on: a
    /// Deployment or StatefulSet without `spec.replicas` gets 1 (as `SetDefaults_Deployment` does), so
    /// an apply that drops a count nobody else owns shows the reset a real server makes.
    static func defaulted(_ object: inout JSONObject, kind: String) {
        guard ["Deployment", "StatefulSet"].contains(kind), case .object(var spec)? = object["spec"], spec["replicas"] == nil else { return }
        spec["replicas"] = 1
        object["spec"] = .object(spec)
    }

    /// The status a real API server gives a new CRD within moments (its names accepted, established),
    /// which helm's and kubectl's waits read.
    static func established(_ object: JSONObject) -> JSONValue {
        let names = object["spec"]?["names"] ?? .object([:])
        let conditions: [JSONValue] = ["NamesAccepted", "Established"].map { type in
            ["type": .string(type), "status": "True", "reason": type == "Established" ? "InitialNamesAccepted" : "NoConflicts",
             "lastTransitionTime": .string(Timestamp.format(Date()))]
        }
        let stored = (object["spec"]?["versions"]?.arrayValue ?? []).filter { $0["storage"] == true }.compactMap { $0["name"] }
        return ["acceptedNames": names, "conditions": .array(conditions), "storedVersions": .array(stored)]
    }

    /// DNS-1123 subdomain (https://kubernetes.io/docs/concepts/overview/working-with-objects/names/).
    static func validateName(_ name: String, kind: String) throws(APIError) {
        let valid = name.count <= 253 && name.unicodeScalars.allSatisfy { ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || $0 == "-" || $0 == "." }
            && name.first.map { $0.isLetter || $0.isNumber } == true && name.last.map { $0.isLetter || $0.isNumber } == true
        guard valid else {
            throw APIError.invalid(kind, name, field: "metadata.name",
                                   "Invalid value: \"\(name)\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character")
        }
    }
}
