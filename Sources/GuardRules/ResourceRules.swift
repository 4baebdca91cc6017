import KubeModel

/// `resources.requests-required`, `resources.limits-required` and `resources.maximum` for regular and
/// init containers (ephemeral containers cannot carry resources).
enum ResourceRules {
    static func check(_ input: RuleInput, into findings: inout [Finding]) {
        guard input.stage != nil, let pod = input.pod else { return }
        let policy = input.policy.resources
        for container in pod.containers where container.kind != .ephemeralContainer {
            var resourcesPath: FieldPath { container.path / "resources" }
            let requests = container.requests
            let limits = container.limits
            for resource in policy.requireRequests where requests[resource] == nil && limits[resource] == nil {
                let hint = input.tierPolicy.defaultRequests[resource].map { " (tier \(input.tier) suggests \($0))" } ?? ""
                findings.append(Finding(rule: .resourcesRequestsRequired, path: resourcesPath / "requests" / resource,
                                        message: "\(container.label) must request \(resource)\(hint)"))
            }
            for resource in policy.requireLimits where limits[resource] == nil {
                var hint = input.tierPolicy.defaultLimits[resource].map { " (tier \(input.tier) default: \($0))" } ?? ""
                if let request = requests[resource], let fallback = input.tierPolicy.defaultLimits[resource], request > fallback {
                    hint = "; the tier default \(fallback) is below the request \(request), so set a limit of at least \(request)"
                }
                findings.append(Finding(rule: .resourcesLimitsRequired, path: resourcesPath / "limits" / resource,
                                        message: "\(container.label) must set a \(resource) limit\(hint)"))
            }
            for (resource, max) in input.tierPolicy.sortedMaximum {
                for field in ["requests", "limits"] {
                    guard let value = field == "requests" ? requests[resource] : limits[resource], value > max else { continue }
                    findings.append(Finding(rule: .resourcesMaximum, path: resourcesPath / field / resource,
                                            message: "\(container.label) \(field == "requests" ? "requests" : "is limited to") \(value) \(resource), above the \(input.tier) tier maximum of \(max); lower it or move the environment to a larger tier"))
                }
            }
        }
    }
}

/// A container's requests or limits by resource name. CPU and memory, which nearly every container
/// sets, sit in their own slots; other names in a short list (a linear scan beats hashing). Only the
/// quantities that parse: ``ShapeRules`` reports the others as `object.well-formed` with their paths
/// (each quantity is parsed once, there).
struct Quantities {
    private var cpu: Quantity?
    private var memory: Quantity?
    private var others: [(name: String, quantity: Quantity)] = []

    init() {}

    /// The members of a map that parse as quantities.
    init(_ map: JSONObject) {
        map.forEachMember { name, raw in
            if let quantity = try? Quantity(json: raw) { add(quantity, named: name) }
        }
    }

    /// Records a quantity; the first of a name is kept.
    mutating func add(_ quantity: Quantity, named name: String) {
        switch name {
        case "cpu": if cpu == nil { cpu = quantity }
        case "memory": if memory == nil { memory = quantity }
        default: if self[name] == nil { others.append((name, quantity)) }
        }
    }

    subscript(_ name: String) -> Quantity? {
        switch name {
        case "cpu": return cpu
        case "memory": return memory
        default:
            for entry in others where entry.name == name { return entry.quantity }
            return nil
        }
    }
}
