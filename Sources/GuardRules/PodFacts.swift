import KubeModel

/// What the rules read of a pod spec, gathered in the one walk that also judges its shape
/// (``ShapeRules``): every container of every kind with its image, env, arguments, resources (parsed
/// once), ports and security settings; the pod's security context, host namespaces, volumes and image
/// pull secrets. The rules judge these values instead of looking fields up in the JSON tree again, and
/// build a field path only for a finding, from a container's kind and index.
///
/// Each value is read as leniently as a rule reads a field: a value of the wrong type reads as absent
/// (the shape walk has reported it), so a decision over the facts is the decision over the tree.
///
/// A reference, like ``ContainerFacts``: the walk fills it in place and every rule reads the same one
/// (as a struct, each copy retained and released its dozen members).
final class PodFacts {
    /// Where the pod spec sits in the object.
    let specPath: FieldPath
    /// Where the pod template's metadata sits (`nil` for a Pod, whose metadata is the object's).
    var metadataPath: FieldPath?
    /// The raw `labels` object the pods will carry, when present.
    var podLabelsValue: JSONValue?
    /// The pod spec is a JSON object (rules over the pod as a whole need one).
    var specIsObject = false
    /// Every container, in `containers`, `initContainers`, `ephemeralContainers` order, each list in
    /// index order (whatever the lists' order in the document).
    var containers: [ContainerFacts] = []
    /// The pod's `securityContext`.
    var security = SecurityFacts()
    /// Those of `hostNetwork`, `hostPID`, `hostIPC` set to `true`, in that order (the controls' order).
    var hostNamespaces: [String] = []
    /// `os.name` is `windows`.
    var isWindows = false
    /// `volumes`, in order.
    var volumes: [VolumeFacts] = []
    /// `imagePullSecrets[].name`, by index, where a string.
    var imagePullSecrets: [(index: Int, name: String)] = []
    /// Where the pod asks to run: tolerations, node selector, required node affinity.
    var placement = PlacementFacts()

    init(specPath: FieldPath) { self.specPath = specPath }

    /// The labels the pods will carry (the string-valued ones).
    var podLabels: [String: String] { podLabelsValue?.stringMap ?? [:] }

    /// Every Secret the pod refers to by name, with the path of the reference: env `secretKeyRef`,
    /// `envFrom.secretRef`, `secret` volumes, projected volume sources and `imagePullSecrets`, in
    /// that order (paths built only when the caller asks for one).
    func forEachSecretReference(_ body: (String, () -> FieldPath) -> Void) {
        for container in containers {
            for (index, entry) in container.env.enumerated() {
                if let name = entry.secretName { body(name) { container.path / "env" / index / "valueFrom" / "secretKeyRef" / "name" } }
            }
            for entry in container.envFromSecrets {
                body(entry.name) { container.path / "envFrom" / entry.index / "secretRef" / "name" }
            }
        }
        for (index, volume) in volumes.enumerated() {
            if let name = volume.secretName { body(name) { specPath / "volumes" / index / "secret" / "secretName" } }
            for source in volume.projectedSecrets {
                body(source.name) { specPath / "volumes" / index / "projected" / "sources" / source.index / "secret" / "name" }
            }
        }
        for secret in imagePullSecrets {
            body(secret.name) { specPath / "imagePullSecrets" / secret.index / "name" }
        }
    }
}

/// One container of a pod spec as the rules read it: a reference, so the rules pass it around without
/// copying its members, and the shape walk and the mutations fill it in place.
final class ContainerFacts {
    /// Which list it is in.
    let kind: PodTemplate.ContainerKind
    /// Its index in that list.
    let index: Int
    let specPath: FieldPath
    /// `name`, or `""`.
    var name = ""
    /// `image`, when a string.
    var image: String?
    /// `resources` as written (``ResourceDefaults`` completes it; the rules read ``requests`` and ``limits``).
    var resources: JSONValue?
    /// `env` is present and neither `null` nor a list (injection leaves such a container alone).
    var envIsMisshapen = false
    /// `env` entries, by index.
    var env: [EnvFacts] = []
    /// `envFrom[].secretRef.name`, by index, where a string.
    var envFromSecrets: [(index: Int, name: String)] = []
    /// `command` and `args`, when lists (their elements as written; a rule reads the strings).
    var command: [JSONValue] = []
    var args: [JSONValue] = []
    /// `resources.requests` and `resources.limits`: the quantities that parse.
    var requests = Quantities()
    var limits = Quantities()
    /// `ports[].hostPort`, by index, where an integer other than 0.
    var hostPorts: [(index: Int, port: Int64)] = []
    /// Its `securityContext`.
    var security = SecurityFacts()

    init(kind: PodTemplate.ContainerKind, index: Int, specPath: FieldPath) {
        self.kind = kind
        self.index = index
        self.specPath = specPath
    }

    /// Its path from the object root (`spec.template.spec.containers[0]`).
    var path: FieldPath { specPath / kind.rawValue / index }

    /// A label for messages: `container "web"` / `init container "migrate"`.
    var label: String {
        let shown = name.isEmpty ? "#\(index)" : "\"\(name.echoed())\""
        switch kind {
        case .container: return "container \(shown)"
        case .initContainer: return "init container \(shown)"
        case .ephemeralContainer: return "ephemeral container \(shown)"
        }
    }
}

/// One `env` entry.
struct EnvFacts {
    init(name: String? = nil, value: String? = nil, secretName: String? = nil) {
        self.name = name
        self.value = value
        self.secretName = secretName
    }

    /// `name`, when a string.
    var name: String?
    /// `value`, when a string.
    var value: String?
    /// `valueFrom.secretKeyRef.name`, when a string.
    var secretName: String?
}

/// One volume of a pod spec.
struct VolumeFacts {
    /// `name`, when a string.
    var name: String?
    /// `hostPath` is set (not `null`).
    var hostPath = false
    /// The first source, in the document's order, that the restricted level does not allow.
    var disallowedSource: String?
    /// `secret.secretName`, when a string.
    var secretName: String?
    /// `projected.sources[].secret.name`, by index, where a string.
    var projectedSecrets: [(index: Int, name: String)] = []
}

/// A `securityContext` (a pod's or a container's), as the Pod Security controls read it.
struct SecurityFacts {
    /// `windowsOptions.hostProcess: true`.
    var hostProcess = false
    /// `privileged: true`.
    var privileged = false
    /// `allowPrivilegeEscalation: false`.
    var allowPrivilegeEscalationFalse = false
    /// `runAsUser`, when an integer.
    var runAsUser: Int64?
    /// The `runAsNonRoot` member: absent, `null`, or a value.
    var runAsNonRoot: Presence = .absent
    /// `procMount`, when a string.
    var procMount: String?
    /// `seLinuxOptions`, when an object: `type` (or `""`), `user` and `role` when strings.
    var seLinux: (type: String, user: String?, role: String?)?
    /// `appArmorProfile.type`, when a string.
    var appArmorType: String?
    /// `seccompProfile.type`, when a string.
    var seccompType: String?
    /// `capabilities.add`, when a list (a rule reads each element as a string, or `""`).
    var capabilitiesAdded: [JSONValue] = []
    /// `capabilities.drop` contains `ALL`.
    var dropsAll = false
    /// `sysctls`, when a list (a rule reads each `name` as a string, or `""`).
    var sysctls: [JSONValue] = []

    /// Whether a member is there.
    enum Presence: Equatable {
        /// Not a member (or the context is not an object).
        case absent
        /// `null`.
        case null
        /// `false`.
        case isFalse
        /// Any other value.
        case other
    }
}

extension PodTemplate.ContainerKind {
    /// The order in which the rules visit the lists: `containers`, `initContainers`, `ephemeralContainers`.
    var order: Int {
        switch self {
        case .container: return 0
        case .initContainer: return 1
        case .ephemeralContainer: return 2
        }
    }
}
