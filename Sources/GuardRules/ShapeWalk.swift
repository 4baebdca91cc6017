import KubeModel

/// Where a ``Shape`` gathers facts for ``PodFacts`` as it walks a pod spec.
enum ShapeSlot: Sendable {
    /// The pod spec itself: host namespaces, `os`.
    case podSpec
    /// One container of any kind; the slots below it belong to that container.
    case container
    /// A `securityContext`: the current container's, or the pod's outside a container.
    case securityContext
    /// One `env` entry of the current container.
    case envEntry
    /// One `envFrom` entry of the current container.
    case envFromEntry
    /// One `ports` entry of the current container.
    case port
    /// One volume of the pod.
    case volume
    /// One `imagePullSecrets` entry of the pod.
    case imagePullSecret
}

/// The state of one shape walk: where it is, what did not fit, and the pod facts gathered on the way.
struct ShapeWalk {
    /// The current location, extended and restored around each step.
    var trail: [FieldPath.Component]
    /// What did not fit, in the document's order.
    var problems: [Shape.Problem] = []
    /// The facts of the pod spec being walked (gathered only when ``gathers``).
    var pod: PodFacts
    /// Whether the walk gathers pod facts.
    let gathers: Bool
    /// The container being walked (filled in place).
    private var container: ContainerFacts?

    /// A walk starting at `path`; it gathers pod facts when `pod` is given.
    init(at path: FieldPath, pod: PodFacts? = nil) {
        trail = []
        trail.reserveCapacity(16)
        trail += path.components
        gathers = pod != nil
        self.pod = pod ?? PodFacts(specPath: path)
    }

    /// Starts over at `path`, keeping the trail's storage.
    mutating func restart(at path: FieldPath) {
        trail.removeAll(keepingCapacity: true)
        trail += path.components
        container = nil
    }

    /// The walk reached a value of a slot (before judging its shape).
    mutating func enter(_ slot: ShapeSlot, _ value: JSONValue) {
        guard gathers else { return }
        switch slot {
        case .podSpec:
            pod.readSpec(value)
        case .container:
            guard case .index(let index)? = trail.last, trail.count >= 2, case .key(let list) = trail[trail.count - 2],
                  let kind = PodTemplate.ContainerKind(rawValue: list) else { return }
            let facts = ContainerFacts(kind: kind, index: index, specPath: pod.specPath)
            facts.read(value)
            // Kept in the order the rules visit the lists, whatever their order in the document.
            let position = pod.containers.firstIndex { $0.kind.order > kind.order } ?? pod.containers.endIndex
            pod.containers.insert(facts, at: position)
            container = facts
        case .securityContext:
            if let container {
                container.security = SecurityFacts(value)
            } else {
                pod.security = SecurityFacts(value)
            }
        case .envEntry:
            container?.env.append(EnvFacts(value))
        case .envFromEntry:
            guard let container, case .index(let index)? = trail.last, let name = value["secretRef"]?["name"]?.stringValue else { return }
            container.envFromSecrets.append((index, name))
        case .port:
            guard let container, case .index(let index)? = trail.last, let port = value["hostPort"]?.intValue, port != 0 else { return }
            container.hostPorts.append((index, port))
        case .volume:
            pod.volumes.append(VolumeFacts(value))
        case .imagePullSecret:
            if case .index(let index)? = trail.last, let name = value["name"]?.stringValue {
                pod.imagePullSecrets.append((index, name))
            }
        }
    }

    /// The walk left a value of a slot.
    mutating func leave(_ slot: ShapeSlot) {
        if slot == .container { container = nil }
    }

    /// A quantity of the current container's requests or limits that parsed.
    mutating func quantity(_ quantity: Quantity, named name: String, in map: Shape.QuantityMap) {
        guard gathers, let container else { return }
        switch map {
        case .requests: container.requests.add(quantity, named: name)
        case .limits: container.limits.add(quantity, named: name)
        }
    }
}
