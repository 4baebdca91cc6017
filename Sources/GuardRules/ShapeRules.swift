import KubeModel

/// The sizes a governed object may have before it is refused unread: far above any real pod (a pod
/// with a few dozen containers or a few hundred environment variables is already unusual), low enough
/// that one request's work stays small and linear.
public enum ObjectBudget {
    /// Entries of each of `containers`, `initContainers` and `ephemeralContainers`.
    public static let containersPerList = 256
    /// `env` entries of one container.
    public static let envPerContainer = 4_096
    /// `envFrom` entries of one container.
    public static let envFromPerContainer = 256
    /// `command` or `args` entries of one container.
    public static let argumentsPerContainer = 4_096
    /// `volumes` of a pod spec.
    public static let volumes = 1_024
    /// `imagePullSecrets` of a pod spec, and `sources` of one projected volume.
    public static let references = 256
    /// `ports` of one container, `sysctls` of a pod, and the capabilities one container adds or drops.
    public static let securitySettings = 256
}

/// `object.well-formed` for the fields the rules read: a value of the wrong JSON type where a rule
/// looks (a `containers` object instead of a list, a number for `image`, a list for `resources.limits`)
/// is a denial naming its path, never a skipped rule; a list beyond its ``ObjectBudget`` is refused
/// before any rule runs.
enum ShapeRules {
    /// What ``check(_:)`` found.
    struct Outcome {
        /// `object.well-formed` findings, one per misshapen field.
        var findings: [Finding] = []
        /// A list is beyond its budget: nothing else should be evaluated.
        var overBudget = false
        /// What the rules read of the pod spec, for kinds that have one.
        var pod: PodFacts?
    }

    /// The problems of a governed object's shape, and its pod facts gathered on the same walk.
    static func check(_ object: KubeObject) -> Outcome {
        let specPath = PodTemplate.specPath(forKind: object.kind)
        // One walk state (one trail) for every part of the object.
        var walk = ShapeWalk(at: .root, pod: specPath.map(PodFacts.init(specPath:)))
        root.walk(object.raw, from: .root, &walk)
        metadata.walk(object.raw["metadata"] ?? .null, from: metadataPath, &walk)
        let pod = specPath.map { podFacts(object, specPath: $0, &walk) }
        if let shape = kindShapes[object.kind] { shape.walk(object.raw, from: .root, &walk) }
        let problems = walk.problems
        let overBudget = problems.contains(where: \.overBudget)
        return Outcome(findings: problems.filter { $0.overBudget || !overBudget }.map { Finding(rule: .objectWellFormed, path: $0.path, message: $0.message) },
                       overBudget: overBudget, pod: pod)
    }

    static let metadataPath = FieldPath([.key("metadata")])

    /// The facts of an object's pod spec, in one walk with its shape: every object on the way to the
    /// pod spec must be there and be an object, and the spec must list containers — a workload whose
    /// pods cannot be read is not one whose rules can pass.
    static func podFacts(_ object: KubeObject, specPath: FieldPath, _ walk: inout ShapeWalk) -> PodFacts {
        walk.pod.metadataPath = PodTemplate.metadataPath(forKind: object.kind)
        walk.pod.podLabelsValue = PodTemplate.podLabelsValue(of: object)
        var value = object.raw
        for (depth, component) in specPath.components.enumerated() {
            guard case .key(let key) = component else { break }
            var path: FieldPath { FieldPath(Array(specPath.components.prefix(depth + 1))) }
            guard let next = value[key], !next.isNull else {
                walk.problems.append(Shape.Problem(path: path, message: "is required: a \(object.kind)'s pods are described by \(specPath)", overBudget: false))
                return walk.pod
            }
            guard case .object = next else {
                walk.problems.append(Shape.Problem(path: path, message: "must be an object, found \(next.typeDescription)", overBudget: false))
                return walk.pod
            }
            if key == "template" {
                // The kind's constant path when it has one (it always does here), built only otherwise.
                metadata.walk(next["metadata"] ?? .null, from: walk.pod.metadataPath ?? path / "metadata", &walk)
            }
            value = next
        }
        podSpec.walk(value, from: specPath, &walk)
        if let containers = value["containers"], !containers.isNull {
            // A value that is not a list is reported by the pod spec's shape.
            if case .array(let items) = containers, items.isEmpty {
                walk.problems.append(Shape.Problem(path: specPath / "containers", message: "must list at least one container", overBudget: false))
            }
        } else {
            walk.problems.append(Shape.Problem(path: specPath / "containers", message: "is required: a pod runs at least one container", overBudget: false))
        }
        return walk.pod
    }

    /// The pod facts of an object without judging its shape again (after a mutation changed it);
    /// `nil` for kinds without a pod template.
    static func podFacts(_ object: KubeObject) -> PodFacts? {
        guard let specPath = PodTemplate.specPath(forKind: object.kind) else { return nil }
        var walk = ShapeWalk(at: .root, pod: PodFacts(specPath: specPath))
        return podFacts(object, specPath: specPath, &walk)
    }

    static let stringMap = Shape.map(.string)
    static let root = CompiledShape(.object(["apiVersion": .string, "kind": .string]))
    static let metadata = CompiledShape(.object(["name": .string, "namespace": .string, "labels": stringMap, "annotations": stringMap]))

    /// What the Pod Security controls read of a security context (pod or container).
    static let securityContext = Shape.capture(.securityContext, .object([
        "privileged": .bool, "allowPrivilegeEscalation": .bool, "runAsNonRoot": .bool, "runAsUser": .integer, "procMount": .string,
        "capabilities": .object(["add": .list(.string, limit: ObjectBudget.securitySettings),
                                 "drop": .list(.string, limit: ObjectBudget.securitySettings)]),
        "seccompProfile": .object(["type": .string]), "appArmorProfile": .object(["type": .string]),
        "seLinuxOptions": .object(["type": .string, "user": .string, "role": .string]),
        "windowsOptions": .object(["hostProcess": .bool]),
        "sysctls": .list(.object(["name": .string]), limit: ObjectBudget.securitySettings),
    ]))

    static let container = Shape.capture(.container, .object([
        "name": .string, "image": .string,
        "command": .list(.string, limit: ObjectBudget.argumentsPerContainer),
        "args": .list(.string, limit: ObjectBudget.argumentsPerContainer),
        "env": .list(.capture(.envEntry, .object([
            "name": .string, "value": .string,
            "valueFrom": .object(["secretKeyRef": .object(["name": .string, "key": .string])]),
        ])), limit: ObjectBudget.envPerContainer),
        "envFrom": .list(.capture(.envFromEntry, .object(["secretRef": .object(["name": .string])])), limit: ObjectBudget.envFromPerContainer),
        "resources": .object(["requests": .quantities(.requests), "limits": .quantities(.limits)]),
        "securityContext": securityContext,
        "ports": .list(.capture(.port, .object(["hostPort": .integer])), limit: ObjectBudget.securitySettings),
    ]))

    static let podSpec = CompiledShape(.capture(.podSpec, .object([
        "containers": .list(container, limit: ObjectBudget.containersPerList),
        "initContainers": .list(container, limit: ObjectBudget.containersPerList),
        "ephemeralContainers": .list(container, limit: ObjectBudget.containersPerList),
        "volumes": .list(.capture(.volume, .object([
            "secret": .object(["secretName": .string]),
            "projected": .object(["sources": .list(.object(["secret": .object(["name": .string])]), limit: ObjectBudget.references)]),
        ])), limit: ObjectBudget.volumes),
        "imagePullSecrets": .list(.capture(.imagePullSecret, .object(["name": .string])), limit: ObjectBudget.references),
        "securityContext": securityContext,
        "hostNetwork": .bool, "hostPID": .bool, "hostIPC": .bool,
        "os": .object(["name": .string]),
    ])))

    /// What the rules read outside metadata and the pod spec, by kind.
    static let kindShapes: [String: CompiledShape] = [
        "ConfigMap": CompiledShape(.object(["data": stringMap])),
        "Secret": CompiledShape(.object(["type": .string, "data": stringMap, "stringData": stringMap])),
        "PodDisruptionBudget": CompiledShape(.object(["spec": .object([
            "minAvailable": .intOrPercent, "maxUnavailable": .intOrPercent, "selector": .any, "unhealthyPodEvictionPolicy": .string,
        ])])),
    ]
}
