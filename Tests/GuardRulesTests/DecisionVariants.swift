import KubeModel
import TestSupport

/// Seeded variants of a workload for ``DecisionCorpusTests``: one to five fields of its pod spec, a
/// container or its metadata set to a value drawn from a table of every JSON type and of the values
/// the rules give meaning to (privileges, profiles, quantities, images, credentials, references).
enum DecisionVariants {
    /// Where a change lands, relative to the pod spec (`spec.`), a container of it (`c.`) or the object.
    static let places: [String] = [
        "c.name", "c.image", "c.securityContext", "c.securityContext.privileged", "c.securityContext.allowPrivilegeEscalation",
        "c.securityContext.runAsNonRoot", "c.securityContext.runAsUser", "c.securityContext.procMount", "c.securityContext.capabilities",
        "c.securityContext.capabilities.add", "c.securityContext.capabilities.drop", "c.securityContext.seccompProfile",
        "c.securityContext.seccompProfile.type", "c.securityContext.appArmorProfile", "c.securityContext.appArmorProfile.type",
        "c.securityContext.seLinuxOptions", "c.securityContext.seLinuxOptions.type", "c.securityContext.seLinuxOptions.user",
        "c.securityContext.seLinuxOptions.role", "c.securityContext.windowsOptions.hostProcess", "c.ports", "c.ports.0.hostPort",
        "c.resources", "c.resources.requests", "c.resources.requests.cpu", "c.resources.requests.memory", "c.resources.limits",
        "c.resources.limits.cpu", "c.resources.limits.memory", "c.env", "c.env.0", "c.env.0.value", "c.env.0.name",
        "c.env.0.valueFrom.secretKeyRef.name", "c.env.9", "c.envFrom", "c.envFrom.0.secretRef.name", "c.args", "c.args.0", "c.args.1",
        "c.command", "c.command.0",
        "spec.securityContext", "spec.securityContext.runAsNonRoot", "spec.securityContext.runAsUser", "spec.securityContext.seccompProfile.type",
        "spec.securityContext.appArmorProfile.type", "spec.securityContext.seLinuxOptions.type", "spec.securityContext.sysctls",
        "spec.securityContext.sysctls.0.name", "spec.securityContext.windowsOptions.hostProcess", "spec.hostNetwork", "spec.hostPID",
        "spec.hostIPC", "spec.os", "spec.os.name", "spec.volumes", "spec.volumes.0", "spec.volumes.0.hostPath", "spec.volumes.0.secret.secretName",
        "spec.volumes.0.projected.sources", "spec.volumes.0.projected.sources.0.secret.name", "spec.imagePullSecrets",
        "spec.imagePullSecrets.0.name", "spec.containers", "spec.initContainers", "spec.ephemeralContainers", "spec.containers.1",
        "spec.initContainers.0", "spec.ephemeralContainers.0",
        "metadata.annotations.odooguard.io/inject", "metadata.labels.odooguard.io/environment", "metadata.labels",
        "template.metadata.annotations.container.apparmor.security.beta.kubernetes.io/odoo", "template.metadata.labels.odooguard.io/inject",
        "spec.replicas",
    ]

    static let pinned = "registry.example.com/odoo/odoo:17.0@sha256:" + String(repeating: "ab", count: 32)

    /// The values a change sets.
    static let values: [JSONValue] = [
        .null, true, false, 0, 1, 101, -1, 65_536, .double(2.5), "", "x", "Unconfined", "RuntimeDefault", "Localhost", "ALL",
        "NET_BIND_SERVICE", "SYS_ADMIN", "Default", "Unmasked", "100m", "4", "64Gi", "1e3", "0.5", "bogus", "windows", "linux", "$(DB_HOST)",
        "postgres://odoo:hunter2@db/odoo", "--db_password=hunter2", "--db_password", "-w", "container_t", "spc_t", "unconfined_u",
        "registry.example.com/odoo/odoo:latest", "nginx", "docker.io/library/nginx:1.27", .string(pinned), "registry.example.com/odoo/odoo:17.0",
        "other-db", "clinic-db", "db,admin", "db.redis", "nope", "clinic", "other", "localhost/profile", "runtime/default",
        [], [:], ["ALL"], ["NET_BIND_SERVICE", "SYS_ADMIN"], ["CHOWN"], [["name": "kernel.msgmax"]], [["name": "net.ipv4.tcp_syncookies"]],
        ["type": "Unconfined"], ["type": "RuntimeDefault"], ["cpu": "100m", "memory": "64Mi"], ["cpu": "64", "memory": "1Ti"], ["cpu": 2, "memory": "x"],
        ["requests": ["cpu": "50m"]], ["name": "h", "hostPath": ["path": "/"]], ["name": "s", "secret": ["secretName": "other-db"]],
        ["name": "n", "nfs": ["server": "x", "path": "/"]], ["name": "p", "projected": ["sources": [["secret": ["name": "other-db"]]]]],
        ["name": "DB_PASSWORD", "value": "hunter2"], ["name": "ADMIN_PASSWD", "value": "$(X)"], ["name": "URL", "value": "redis://:pw@r:6379"],
        ["name": "X", "valueFrom": ["secretKeyRef": ["name": "other-db", "key": "password"]]], [["secretRef": ["name": "other-db"]]],
        ["name": "side", "image": .string(pinned)], ["name": "dbg", "image": "busybox:latest", "securityContext": ["privileged": true]],
        [["name": "hp", "containerPort": 80, "hostPort": 8080]], [["name": "odoo", "image": .string(pinned)]],
        ["runAsUser": 0, "runAsNonRoot": false], ["privileged": true, "capabilities": ["add": ["SYS_ADMIN"], "drop": "ALL"]],
        ["seLinuxOptions": ["type": "spc_t", "user": "u"], "procMount": "Unmasked", "windowsOptions": ["hostProcess": true]],
        ["--db_password", "hunter2"], ["-w", "secret", "--admin_passwd=x"], 5_000, ["a": 1],
    ]

    static func variant(of base: JSONValue, _ rng: inout SplitMix64) -> JSONValue {
        var object = base
        for _ in 0..<Int.random(in: 1...5, using: &rng) {
            guard let place = places.randomElement(using: &rng), let value = values.randomElement(using: &rng) else { continue }
            let list = ["containers", "containers", "containers", "initContainers"].randomElement(using: &rng) ?? "containers"
            object = setting(place, to: value, in: object, list: list, index: Int.random(in: 0...1, using: &rng))
        }
        return object
    }

    /// The object with `place` set to `value`; a container place lands in container `index` of `list`.
    static func setting(_ place: String, to value: JSONValue, in base: JSONValue, list: String, index: Int) -> JSONValue {
        guard let specPath = PodTemplate.specPath(forKind: KubeObject(base).kind) else { return base }
        var components: [FieldPath.Component]
        var rest: Substring
        if place.hasPrefix("c.") {
            components = specPath.components + [.key(list), .index(index)]
            rest = place.dropFirst(2)
        } else if place.hasPrefix("spec.") {
            components = specPath.components
            rest = place.dropFirst(5)
        } else if place.hasPrefix("template.") {
            components = Array(specPath.components.dropLast())
            rest = place.dropFirst(9)
        } else {
            components = []
            rest = Substring(place)
        }
        var object = base
        object.set(value, at: FieldPath(components + segments(rest)))
        return object
    }

    /// `a.b.0.c` as keys and indexes; a key holding dots (`odooguard.io/inject`) stays whole after a `labels`/`annotations` step.
    static func segments(_ text: Substring) -> [FieldPath.Component] {
        var result: [FieldPath.Component] = []
        var parts = text.split(separator: ".", omittingEmptySubsequences: false)[...]
        while let part = parts.popFirst() {
            if part == "labels" || part == "annotations" {
                result.append(.key(String(part)))
                if !parts.isEmpty { result.append(.key(parts.joined(separator: "."))) }
                return result
            }
            if let index = Int(part) { result.append(.index(index)) } else { result.append(.key(String(part))) }
        }
        return result
    }
}
