import KubeModel

/// How the policy uses the Pod Security Standards (`spec.podSecurity`): the level each stage's
/// namespaces enforce through Pod Security Admission, the pinned version, and how the webhook reports
/// the `podsecurity.*` rules.
public struct PodSecuritySettings: Sendable, Equatable {
    /// The enforced level per stage.
    public var levels: [Stage: PodSecurityLevel]
    /// The version written to the `*-version` labels and judged by.
    public var version: PodSecurityVersion
    /// The strictest mode the validating webhook gives a `podsecurity.*` finding. `warn` by default:
    /// Pod Security Admission enforces in the cluster, and the webhook names the control; `enforce`
    /// for clusters where the admission plugin is off.
    public var webhookMode: RuleMode

    /// Settings: restricted in production and staging, baseline in development, `v1.32`, warnings.
    public init(levels: [Stage: PodSecurityLevel] = [.production: .restricted, .staging: .restricted, .development: .baseline],
                version: PodSecurityVersion = PodSecurityVersion(label: "v1.32") ?? .latest, webhookMode: RuleMode = .warn) {
        self.levels = levels
        self.version = version
        self.webhookMode = webhookMode
    }

    /// The level a stage's namespaces enforce; a stage the policy does not name is restricted.
    public func level(forStage stage: Stage) -> PodSecurityLevel { levels[stage] ?? .restricted }

    /// The Pod Security Admission labels of a namespace in `stage`: its level enforced, `restricted`
    /// warned about and audited, every one pinned to ``version``.
    public func namespaceLabels(stage: Stage) -> [String: String] {
        let version = version.description
        return [
            GuardLabels.podSecurityEnforce: level(forStage: stage).rawValue, GuardLabels.podSecurityEnforceVersion: version,
            GuardLabels.podSecurityWarn: PodSecurityLevel.restricted.rawValue, GuardLabels.podSecurityWarnVersion: version,
            GuardLabels.podSecurityAudit: PodSecurityLevel.restricted.rawValue, GuardLabels.podSecurityAuditVersion: version,
        ]
    }

    /// The level and version pods of a namespace are judged at: the namespace's own enforce labels
    /// when they are valid (what the API server enforces), else the stage's.
    func standard(for namespace: NamespaceContext?, stage: Stage) -> (level: PodSecurityLevel, version: PodSecurityVersion) {
        let labels = namespace?.labels ?? [:]
        let level = labels[GuardLabels.podSecurityEnforce].flatMap(PodSecurityLevel.init(rawValue:)) ?? level(forStage: stage)
        let version = labels[GuardLabels.podSecurityEnforceVersion].flatMap(PodSecurityVersion.init(label:)) ?? self.version
        return (level, version)
    }
}
