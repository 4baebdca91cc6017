/// A level of the Kubernetes Pod Security Standards, as Pod Security Admission's namespace labels
/// name it. Ordered from least to most strict.
public enum PodSecurityLevel: String, Sendable, Hashable, CaseIterable, Comparable {
    /// No restriction.
    case privileged
    /// Prevents known privilege escalations; allows the default pod.
    case baseline
    /// Current pod hardening practice: non-root, no escalation, seccomp, dropped capabilities.
    case restricted

    /// Orders by strictness.
    public static func < (lhs: PodSecurityLevel, rhs: PodSecurityLevel) -> Bool {
        allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
    }
}
