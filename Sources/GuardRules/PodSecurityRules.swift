import KubeModel

/// The Pod Security Standards (`podsecurity.*`) over every pod template: Pods, workloads, Jobs,
/// CronJobs, and ephemeral containers. Judged at the level and version the namespace enforces (its
/// `pod-security.kubernetes.io/enforce` labels, else the policy's level for its stage), control by
/// control, as Pod Security Admission judges a pod after the API server's defaulting, so CI fails
/// where the cluster would and every finding names its field.
///
/// Not modelled: the relaxations for pods in a user namespace (`hostUsers: false`), which Pod
/// Security Admission applies only from v1.33 (and before behind an alpha gate); such a pod is
/// judged as any other.
enum PodSecurityRules {
    static func check(_ input: RuleInput, into findings: inout [Finding]) {
        guard let stage = input.stage, let pod = input.pod, pod.specIsObject else { return }
        let standard = input.policy.podSecurity.standard(for: input.context.namespace, stage: stage)
        guard standard.level > .privileged else { return }
        let check = PodSecurityCheck(pod: pod, object: input.object, level: standard.level, version: standard.version)
        check.run()
        findings += check.findings
    }
}
