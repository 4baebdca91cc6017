/// The checks that make an AdmissionReview mean one thing: the kind the request names is the kind of
/// the object judged, a namespaced object has its namespace, and only the subresources Kubernetes has
/// are skipped. A review that fails them is not answered (400): the API server never sends one, so it
/// comes from a caller that wants the webhook to judge something other than what it logs.
extension AdmissionReview {
    /// The subresources the webhook may be asked about. `pods/ephemeralcontainers` is judged; the others
    /// are skipped as "not checked" (the chart registers none of them). Any other name is refused.
    public static let knownSubresources: Set<String> = [
        "ephemeralcontainers", "status", "scale", "resize", "binding", "eviction", "exec", "attach", "portforward",
        "proxy", "log", "token", "approval", "finalize",
    ]

    /// Every inconsistency of a decoded request, with its path.
    static func consistencyErrors(_ request: JSONValue, kind: GroupVersionKind) -> [FieldError] {
        var errors: [FieldError] = []
        let namespaceValue = request["namespace"].flatMap { $0.isNull ? nil : $0 }
        if let namespaceValue, namespaceValue.stringValue == nil {
            errors.append(.invalid("request.namespace", "must be a string, found \(namespaceValue.typeDescription)"))
        }
        if let value = request["subResource"], !value.isNull {
            if let name = value.stringValue {
                if !name.isEmpty && !knownSubresources.contains(name) {
                    errors.append(.invalid("request.subResource", "\"\(name.echoed())\" is not a Kubernetes subresource this webhook answers"))
                } else if name == "ephemeralcontainers" && (kind.kind != "Pod" || kind.group != "") {
                    errors.append(.invalid("request.subResource", "ephemeralcontainers is a subresource of v1 Pods, not of \(kind.kind.echoed())"))
                }
            } else {
                errors.append(.invalid("request.subResource", "must be a string, found \(value.typeDescription)"))
            }
        }
        let expectedAPIVersion = kind.apiVersion
        for key in ["object", "oldObject"] {
            guard let object = request[key], !object.isNull else { continue }
            guard case .object = object else {
                // Only an object can be judged; the API server never sends anything else here.
                errors.append(.invalid(FieldPath([.key("request"), .key(key)]),
                                       "must be a Kubernetes object (or null), found \(object.typeDescription)"))
                continue
            }
            let apiVersion = object["apiVersion"]?.stringValue
            let objectKind = object["kind"]?.stringValue
            if objectKind != kind.kind || apiVersion != expectedAPIVersion {
                errors.append(.invalid(FieldPath([.key("request"), .key(key)]),
                                       "is \(shown(apiVersion, objectKind)) but request.kind says \(expectedAPIVersion) \(kind.kind.echoed()); they must be the same"))
            }
        }
        let namespace = namespaceValue?.stringValue ?? ""
        // The object, or for a DELETE (whose object is null) the old one.
        let described: JSONValue?
        if let object = request["object"], !object.isNull {
            described = object
        } else if let old = request["oldObject"], !old.isNull {
            described = old
        } else {
            described = nil
        }
        let objectNamespace = described?["metadata"]?["namespace"]?.stringValue ?? ""
        // A kind known to be cluster-scoped may carry a stray metadata.namespace (the API server clears it
        // after admission); a kind odoo-guard does not know is namespaced when its object says so.
        guard isNamespaced(kind) ?? !objectNamespace.isEmpty else { return errors }
        if namespace.isEmpty {
            errors.append(.required("request.namespace", "is required for \(kind.kind.echoed()), a namespaced kind"))
        } else if !objectNamespace.isEmpty && namespace != objectNamespace {
            errors.append(.invalid("request.namespace", "\"\(namespace.echoed())\" differs from the object's metadata.namespace \"\(objectNamespace.echoed())\""))
        }
        return errors
    }

    /// Whether `kind` is namespaced as odoo-guard knows it (a kind with a pod template, or its catalogue);
    /// `nil` for a kind it does not know.
    static func isNamespaced(_ kind: GroupVersionKind) -> Bool? {
        if PodTemplate.specPath(forKind: kind.kind) != nil { return true }
        return ResourceType.catalogue.first { $0.kind == kind.kind && $0.group == kind.group }?.namespaced
    }

    private static func shown(_ apiVersion: String?, _ kind: String?) -> String {
        guard apiVersion != nil || kind != nil else { return "without apiVersion and kind" }
        return "\(apiVersion?.echoed() ?? "(no apiVersion)") \(kind?.echoed() ?? "(no kind)")"
    }
}
