/// The Pod Security Standards controls and the namespace guard.
extension RuleID {
    /// Baseline: no Windows HostProcess pods or containers.
    public static let podSecurityHostProcess: RuleID = "podsecurity.host-process"
    /// Baseline: no `hostNetwork`, `hostPID` or `hostIPC`.
    public static let podSecurityHostNamespaces: RuleID = "podsecurity.host-namespaces"
    /// Baseline: no privileged containers.
    public static let podSecurityPrivileged: RuleID = "podsecurity.privileged"
    /// Baseline: no capability beyond the runtime's default set; restricted: drop `ALL`, add at most `NET_BIND_SERVICE`.
    public static let podSecurityCapabilities: RuleID = "podsecurity.capabilities"
    /// Baseline: no `hostPath` volumes.
    public static let podSecurityHostPathVolumes: RuleID = "podsecurity.host-path-volumes"
    /// Baseline: no `hostPort`.
    public static let podSecurityHostPorts: RuleID = "podsecurity.host-ports"
    /// Baseline: AppArmor profiles may not be overridden or disabled.
    public static let podSecurityAppArmor: RuleID = "podsecurity.apparmor"
    /// Baseline: SELinux type limited to container types; no custom user or role.
    public static let podSecuritySELinux: RuleID = "podsecurity.selinux"
    /// Baseline: the default `/proc` masks (`procMount: Default`).
    public static let podSecurityProcMount: RuleID = "podsecurity.proc-mount"
    /// Baseline: seccomp not `Unconfined`; restricted: `RuntimeDefault` or `Localhost` set explicitly.
    public static let podSecuritySeccomp: RuleID = "podsecurity.seccomp"
    /// Baseline: only the safe, namespaced sysctls.
    public static let podSecuritySysctls: RuleID = "podsecurity.sysctls"
    /// Restricted: only configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected and secret volumes.
    public static let podSecurityVolumeTypes: RuleID = "podsecurity.volume-types"
    /// Restricted: `allowPrivilegeEscalation: false` in every container.
    public static let podSecurityAllowPrivilegeEscalation: RuleID = "podsecurity.allow-privilege-escalation"
    /// Restricted: `runAsNonRoot: true` for the pod or every container.
    public static let podSecurityRunAsNonRoot: RuleID = "podsecurity.run-as-non-root"
    /// Restricted: no `runAsUser: 0`.
    public static let podSecurityRunAsUser: RuleID = "podsecurity.run-as-user"

    /// A governed namespace's stage, tier and Pod Security labels change only by a platform admin.
    public static let namespaceLabelsLocked: RuleID = "namespace.labels-locked"
    /// A governed namespace may not enforce a Pod Security level below its stage's, unless a platform admin sets it.
    public static let namespacePodSecurityLevel: RuleID = "namespace.pod-security-level"
    /// Mutation: a governed namespace gets the Pod Security labels of its stage where it lacks them.
    public static let namespacePodSecurityLabels: RuleID = "namespace.pod-security-labels"

    /// The Pod Security controls, baseline first, in the standard's order.
    public static let podSecurityRules: [RuleID] = [
        .podSecurityHostProcess, .podSecurityHostNamespaces, .podSecurityPrivileged, .podSecurityCapabilities,
        .podSecurityHostPathVolumes, .podSecurityHostPorts, .podSecurityAppArmor, .podSecuritySELinux, .podSecurityProcMount,
        .podSecuritySeccomp, .podSecuritySysctls,
        .podSecurityVolumeTypes, .podSecurityAllowPrivilegeEscalation, .podSecurityRunAsNonRoot, .podSecurityRunAsUser,
    ]

    /// The namespace guard's rules.
    public static let namespaceRules: [RuleID] = [.namespaceLabelsLocked, .namespacePodSecurityLevel, .namespacePodSecurityLabels]

    /// Whether the rule is a Pod Security control.
    public var isPodSecurity: Bool { rawValue.hasPrefix("podsecurity.") }
}

