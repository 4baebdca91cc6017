import KubeModel

/// Mutation `resources.defaults`: fills in the tier's default requests and limits where a container
/// has none, never producing a request above a limit.
enum ResourceDefaults {
    /// Applies the defaults to the document and to its pod facts. Returns whether the document changed.
    static func apply(_ input: RuleInput, to document: inout JSONValue, pod: PodFacts) -> Bool {
        guard input.stage != nil, input.policy.resources.injectDefaults else { return false }
        let tier = input.tierPolicy
        guard !tier.defaultRequests.isEmpty || !tier.defaultLimits.isEmpty else { return false }
        var changed = false
        for container in pod.containers where container.kind != .ephemeralContainer {
            // Read from the container as it is; write only its `resources`, and only when something is added.
            if let existing = container.resources, !existing.isNull, existing.objectValue == nil { continue }
            var resources = container.resources?.objectValue ?? [:]
            if let r = resources["requests"], !r.isNull, r.objectValue == nil { continue }
            if let l = resources["limits"], !l.isNull, l.objectValue == nil { continue }
            var requests = resources["requests"]?.objectValue ?? [:]
            var limits = resources["limits"]?.objectValue ?? [:]
            var touched = false
            for (name, quantity) in tier.sortedDefaultLimits where limits[name] == nil {
                if let request = requests[name].flatMap({ try? Quantity(json: $0) }), request > quantity { continue }
                limits[name] = .string(quantity.text)
                touched = true
            }
            for (name, quantity) in tier.sortedDefaultRequests where requests[name] == nil {
                // Kubernetes copies a limit into a missing request; keep that unless the default is smaller.
                if let limit = limits[name].flatMap({ try? Quantity(json: $0) }), quantity > limit { continue }
                requests[name] = .string(quantity.text)
                touched = true
            }
            guard touched else { continue }
            if !requests.isEmpty { resources["requests"] = .object(requests) }
            if !limits.isEmpty { resources["limits"] = .object(limits) }
            let written = document.set(.object(resources), at: container.path / "resources")
            // The facts follow the document: the rules after this judge the resources written.
            if written {
                container.resources = .object(resources)
                container.requests = Quantities(requests)
                container.limits = Quantities(limits)
            }
            changed = true
        }
        return changed
    }
}
