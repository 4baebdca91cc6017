import KubeModel

/// One pod spec judged at one level: collects the findings of every control.
struct PodSecurityCheck {
    /// The pod spec's facts, gathered with its shape.
    let pod: PodFacts
    let level: PodSecurityLevel
    let version: PodSecurityVersion
    let object: KubeObject
    /// `spec.os.name: windows`: the restricted controls that have no meaning on Windows are skipped.
    let isWindows: Bool
    /// Where findings go: a reference, so the checks read the pod while they report.
    private let sink = Sink()
    private final class Sink {
        var items: [Finding] = []
    }
    /// The findings so far.
    var findings: [Finding] { sink.items }

    init(pod: PodFacts, object: KubeObject, level: PodSecurityLevel, version: PodSecurityVersion) {
        self.pod = pod
        self.level = level
        self.version = version
        self.object = object
        isWindows = pod.isWindows
    }

    var podContext: SecurityFacts { pod.security }
    var podContextPath: FieldPath { pod.specPath / "securityContext" }
    /// `the restricted Pod Security level (v1.32)`, for messages.
    var standardText: String { "the \(level.rawValue) Pod Security level (\(version))" }

    /// Paths and messages are built only for a finding: a compliant pod costs no allocation for them.
    func report(_ rule: RuleID, _ path: @autoclosure () -> FieldPath, _ message: @autoclosure () -> String) {
        sink.items.append(Finding(rule: rule, path: path(), message: message()))
    }

    /// Every control of the level, baseline first.
    func run() {
        checkHostProcess()
        checkHostNamespaces()
        checkVolumes()
        checkSysctls()
        checkAppArmorAnnotations()
        checkPodContext()
        for container in pod.containers {
            checkContainer(container)
        }
        if level >= .restricted { checkRunAsNonRootCoverage() }
    }

    func checkHostProcess() {
        if podContext.hostProcess {
            report(.podSecurityHostProcess, podContextPath / "windowsOptions" / "hostProcess",
                   "the pod runs as a Windows HostProcess, with the node's privileges; \(standardText) forbids it: remove hostProcess or set it to false")
        }
    }

    func checkHostNamespaces() {
        for field in pod.hostNamespaces {
            report(.podSecurityHostNamespaces, pod.specPath / field,
                   "\(field): true shares the node's \(field.dropFirst(4).lowercased()) namespace with the pod; \(standardText) forbids it: remove \(field) or set it to false")
        }
    }

    func checkVolumes() {
        for (index, volume) in pod.volumes.enumerated() {
            var path: FieldPath { pod.specPath / "volumes" / index }
            var name: String { volume.name ?? "#\(index)" }
            // At restricted the volume-type control covers hostPath, as upstream's check overrides the baseline one.
            if level < .restricted, volume.hostPath {
                report(.podSecurityHostPathVolumes, path / "hostPath",
                       "volume \"\(name)\" mounts a path of the node; \(standardText) forbids hostPath volumes: use an emptyDir, a ConfigMap or a PersistentVolumeClaim")
            }
            guard level >= .restricted, let source = volume.disallowedSource else { continue }
            report(.podSecurityVolumeTypes, path / source,
                   "volume \"\(name)\" is of type \(source); \(standardText) allows only \(VolumeFacts.restrictedSources.sorted().joined(separator: ", ")) volumes: use a PersistentVolumeClaim for other storage")
        }
    }

    /// The sysctls Pod Security considers safe (namespaced, isolated per pod), by the version that added them.
    static func allowedSysctls(_ version: PodSecurityVersion) -> Set<String> {
        var allowed: Set<String> = ["kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies",
                                    "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start"]
        let minor = version.effectiveMinor
        if minor >= 27 { allowed.insert("net.ipv4.ip_local_reserved_ports") }
        if minor >= 29 {
            allowed.formUnion(["net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
                               "net.ipv4.tcp_keepalive_probes"])
        }
        if minor >= 32 { allowed.formUnion(["net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"]) }
        return allowed
    }

    func checkSysctls() {
        let sysctls = podContext.sysctls
        guard !sysctls.isEmpty else { return }
        let allowed = Self.allowedSysctls(version)
        for (index, sysctl) in sysctls.enumerated() {
            let name = sysctl["name"]?.stringValue ?? ""
            guard !allowed.contains(name) else { continue }
            report(.podSecuritySysctls, podContextPath / "sysctls" / index / "name",
                   "sysctl \"\(name)\" is not one of the safe, per-pod sysctls; \(standardText) allows only \(allowed.sorted().joined(separator: ", ")): remove it (node-level tuning belongs to the node's configuration)")
        }
    }

    func checkAppArmorAnnotations() {
        let prefix = "container.apparmor.security.beta.kubernetes.io/"
        let metadata = pod.metadataPath.map { object.raw[path: $0] } ?? object.raw["metadata"]
        guard case .object(let annotations)? = metadata?["annotations"] else { return }
        var annotationsPath: FieldPath { (pod.metadataPath ?? FieldPath("metadata")) / "annotations" }
        for (key, value) in annotations where key.hasPrefix(prefix) {
            let profile = value.stringValue ?? ""
            guard profile != "runtime/default" && !profile.hasPrefix("localhost/") else { continue }
            report(.podSecurityAppArmor, annotationsPath / key,
                   "container \"\(key.dropFirst(prefix.count))\" asks for AppArmor profile \"\(profile)\"; \(standardText) allows only runtime/default or localhost/<profile>: remove the annotation to keep the runtime's default")
        }
    }

    /// The pod-level security context: SELinux, seccomp, AppArmor, run-as-user, run-as-non-root.
    func checkPodContext() {
        let context = podContext
        let owner = "the pod"
        checkSELinux(context.seLinux, at: podContextPath / "seLinuxOptions", owner: owner)
        checkAppArmorProfile(context.appArmorType, at: podContextPath / "appArmorProfile", owner: owner)
        if context.seccompType == "Unconfined" {
            report(.podSecuritySeccomp, podContextPath / "seccompProfile" / "type",
                   "the pod runs without a seccomp profile (Unconfined); \(standardText) forbids it: set seccompProfile.type: RuntimeDefault")
        }
        guard level >= .restricted else { return }
        if context.runAsUser == 0 {
            report(.podSecurityRunAsUser, podContextPath / "runAsUser",
                   "the pod runs as user 0 (root); \(standardText) forbids it: set runAsUser to the image's non-root user id")
        }
        if context.runAsNonRoot == .isFalse {
            report(.podSecurityRunAsNonRoot, podContextPath / "runAsNonRoot",
                   "the pod sets runAsNonRoot: false; \(standardText) requires true: set runAsNonRoot: true")
        }
    }
}
