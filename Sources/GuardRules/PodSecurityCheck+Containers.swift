import KubeModel

/// The container-level controls: every container of every kind (containers, init containers,
/// ephemeral containers), with the pod's security context as the default where the standard says so.
extension PodSecurityCheck {
    /// Capabilities a baseline container may add: the container runtime's default set.
    static let baselineCapabilities: Set<String> = ["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
                                                    "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"]
    /// SELinux types a container may run as (`container_engine_t` from v1.31).
    static func allowedSELinuxTypes(_ version: PodSecurityVersion) -> Set<String> {
        var types: Set<String> = ["", "container_t", "container_init_t", "container_kvm_t"]
        if version.effectiveMinor >= 31 { types.insert("container_engine_t") }
        return types
    }

    func checkContainer(_ container: ContainerFacts) {
        let context = container.security
        // Built only when a finding needs them.
        var path: FieldPath { container.path / "securityContext" }
        var owner: String { container.label }
        if context.hostProcess {
            report(.podSecurityHostProcess, path / "windowsOptions" / "hostProcess",
                   "\(owner) runs as a Windows HostProcess, with the node's privileges; \(standardText) forbids it: remove hostProcess or set it to false")
        }
        if context.privileged {
            report(.podSecurityPrivileged, path / "privileged",
                   "\(owner) is privileged, with every device and capability of the node; \(standardText) forbids it: remove privileged or set it to false")
        }
        for (index, hostPort) in container.hostPorts {
            report(.podSecurityHostPorts, container.path / "ports" / index / "hostPort",
                   "\(owner) binds port \(hostPort) of the node; \(standardText) forbids host ports: remove hostPort and reach the pod through a Service")
        }
        if let procMount = context.procMount, procMount != "Default" {
            report(.podSecurityProcMount, path / "procMount",
                   "\(owner) unmasks /proc (procMount: \(procMount)); \(standardText) requires the default masks: remove procMount or set it to Default")
        }
        checkSELinux(context.seLinux, at: path / "seLinuxOptions", owner: owner)
        checkAppArmorProfile(context.appArmorType, at: path / "appArmorProfile", owner: owner)
        checkCapabilities(context, at: path / "capabilities", owner: owner)
        checkSeccomp(context.seccompType, at: path / "seccompProfile", owner: owner)
        guard level >= .restricted else { return }
        if !isWindows && !context.allowPrivilegeEscalationFalse {
            report(.podSecurityAllowPrivilegeEscalation, path / "allowPrivilegeEscalation",
                   "\(owner) may gain privileges through setuid binaries; \(standardText) requires allowPrivilegeEscalation: false: set it in the container's securityContext")
        }
        if context.runAsUser == 0 {
            report(.podSecurityRunAsUser, path / "runAsUser",
                   "\(owner) runs as user 0 (root); \(standardText) forbids it: set runAsUser to the image's non-root user id")
        }
        if context.runAsNonRoot == .isFalse {
            report(.podSecurityRunAsNonRoot, path / "runAsNonRoot",
                   "\(owner) sets runAsNonRoot: false; \(standardText) requires true: remove it and set runAsNonRoot: true for the pod")
        }
    }

    /// Restricted: the pod sets `runAsNonRoot: true`, or every container does.
    func checkRunAsNonRootCoverage() {
        // A pod that sets false is reported as such; one that sets true covers every container.
        guard podContext.runAsNonRoot == .absent || podContext.runAsNonRoot == .null else { return }
        let uncovered = pod.containers.filter { $0.security.runAsNonRoot == .absent }
        guard !uncovered.isEmpty else { return }
        let names = uncovered.map(\.label).joined(separator: ", ")
        report(.podSecurityRunAsNonRoot, podContextPath / "runAsNonRoot",
               "\(names) may run as root; \(standardText) requires runAsNonRoot: true: set it in the pod's securityContext (with runAsUser, when the image's user is root)")
    }

    func checkSELinux(_ options: (type: String, user: String?, role: String?)?, at path: @autoclosure () -> FieldPath,
                      owner: @autoclosure () -> String) {
        guard let options else { return }
        let type = options.type
        if !Self.allowedSELinuxTypes(version).contains(type) {
            report(.podSecuritySELinux, path() / "type",
                   "\(owner()) asks for SELinux type \"\(type)\"; \(standardText) allows only \(Self.allowedSELinuxTypes(version).filter { !$0.isEmpty }.sorted().joined(separator: ", ")): remove the type")
        }
        for (field, value) in [("user", options.user), ("role", options.role)] where !(value ?? "").isEmpty {
            report(.podSecuritySELinux, path() / field,
                   "\(owner()) sets a custom SELinux \(field); \(standardText) forbids it: remove seLinuxOptions.\(field)")
        }
    }

    func checkAppArmorProfile(_ type: String?, at path: @autoclosure () -> FieldPath, owner: @autoclosure () -> String) {
        guard let type, type != "RuntimeDefault", type != "Localhost" else { return }
        report(.podSecurityAppArmor, path() / "type",
               "\(owner()) asks for AppArmor profile type \(type); \(standardText) allows only RuntimeDefault or Localhost: remove appArmorProfile to keep the runtime's default")
    }

    func checkCapabilities(_ context: SecurityFacts, at path: @autoclosure () -> FieldPath, owner: @autoclosure () -> String) {
        let restricted = level >= .restricted && !isWindows
        for (index, value) in context.capabilitiesAdded.enumerated() {
            let name = value.stringValue ?? ""
            let allowed = restricted ? name == "NET_BIND_SERVICE" : Self.baselineCapabilities.contains(name)
            guard !allowed else { continue }
            let permitted = restricted ? "only NET_BIND_SERVICE" : "only the runtime's default set (\(Self.baselineCapabilities.sorted().joined(separator: ", ")))"
            report(.podSecurityCapabilities, path() / "add" / index,
                   "\(owner()) adds capability \(name); \(standardText) allows adding \(permitted): remove it")
        }
        guard restricted else { return }
        if !context.dropsAll {
            report(.podSecurityCapabilities, path() / "drop",
                   "\(owner()) keeps the runtime's default capabilities; \(standardText) requires dropping them: set capabilities.drop: [ALL]")
        }
    }

    /// Baseline: not `Unconfined` anywhere. Restricted: `RuntimeDefault` or `Localhost`, from the
    /// container or, when it sets none, from the pod.
    func checkSeccomp(_ type: String?, at path: @autoclosure () -> FieldPath, owner: @autoclosure () -> String) {
        if type == "Unconfined" {
            report(.podSecuritySeccomp, path() / "type",
                   "\(owner()) runs without a seccomp profile (Unconfined); \(standardText) forbids it: set seccompProfile.type: RuntimeDefault")
            return
        }
        guard level >= .restricted, !isWindows, type == nil else { return }
        let podType = podContext.seccompType
        guard podType != "RuntimeDefault" && podType != "Localhost" else { return }
        report(.podSecuritySeccomp, path() / "type",
               "\(owner()) has no seccomp profile; \(standardText) requires RuntimeDefault or Localhost: set seccompProfile.type: RuntimeDefault in the pod's securityContext")
    }
}
