/// The catalogue of kinds odoo-guard reads, writes or judges: group, version, kind, plural and scope
/// written once, so no code guesses a plural or maps a kind back by scanning caches.
extension ResourceType {
    /// `v1 namespaces`.
    public static let namespaces = ResourceType(group: "", version: "v1", resource: "namespaces", kind: "Namespace", namespaced: false)
    /// `v1 configmaps`.
    public static let configMaps = ResourceType(group: "", version: "v1", resource: "configmaps", kind: "ConfigMap", namespaced: true)
    /// `v1 secrets`.
    public static let secrets = ResourceType(group: "", version: "v1", resource: "secrets", kind: "Secret", namespaced: true)
    /// `v1 services`.
    public static let services = ResourceType(group: "", version: "v1", resource: "services", kind: "Service", namespaced: true)
    /// `apps/v1 deployments`.
    public static let deployments = ResourceType(group: "apps", version: "v1", resource: "deployments", kind: "Deployment", namespaced: true)
    /// `policy/v1 poddisruptionbudgets`.
    public static let podDisruptionBudgets = ResourceType(group: "policy", version: "v1", resource: "poddisruptionbudgets",
                                                          kind: "PodDisruptionBudget", namespaced: true)
    /// `coordination.k8s.io/v1 leases`.
    public static let leases = ResourceType(group: "coordination.k8s.io", version: "v1", resource: "leases", kind: "Lease", namespaced: true)
    /// `events.k8s.io/v1 events`.
    public static let events = ResourceType(group: "events.k8s.io", version: "v1", resource: "events", kind: "Event", namespaced: true)
    /// `odooguard.io/v1alpha1 guardpolicies` (cluster-scoped).
    public static let guardPolicies = ResourceType(group: "odooguard.io", version: "v1alpha1", resource: "guardpolicies",
                                                   kind: "GuardPolicy", namespaced: false)
    /// `odooguard.io/v1alpha1 guardexceptions`.
    public static let guardExceptions = ResourceType(group: "odooguard.io", version: "v1alpha1", resource: "guardexceptions",
                                                     kind: "GuardException", namespaced: true)
    /// `odooguard.io/v1alpha1 changeapprovals`.
    public static let changeApprovals = ResourceType(group: "odooguard.io", version: "v1alpha1", resource: "changeapprovals",
                                                     kind: "ChangeApproval", namespaced: true)
    /// `odooguard.io/v1alpha1 odooenvironments`.
    public static let odooEnvironments = ResourceType(group: "odooguard.io", version: "v1alpha1", resource: "odooenvironments",
                                                      kind: "OdooEnvironment", namespaced: true)
    /// `odooguard.io/v1alpha1 odooreleases` (cluster-scoped).
    public static let odooReleases = ResourceType(group: "odooguard.io", version: "v1alpha1", resource: "odooreleases",
                                                  kind: "OdooRelease", namespaced: false)
    /// `v1 persistentvolumeclaims`.
    public static let persistentVolumeClaims = ResourceType(group: "", version: "v1", resource: "persistentvolumeclaims",
                                                            kind: "PersistentVolumeClaim", namespaced: true)
    /// `v1 resourcequotas`.
    public static let resourceQuotas = ResourceType(group: "", version: "v1", resource: "resourcequotas", kind: "ResourceQuota", namespaced: true)
    /// `v1 limitranges`.
    public static let limitRanges = ResourceType(group: "", version: "v1", resource: "limitranges", kind: "LimitRange", namespaced: true)
    /// `networking.k8s.io/v1 networkpolicies`.
    public static let networkPolicies = ResourceType(group: "networking.k8s.io", version: "v1", resource: "networkpolicies",
                                                     kind: "NetworkPolicy", namespaced: true)

    /// `v1 pods`.
    public static let pods = ResourceType(group: "", version: "v1", resource: "pods", kind: "Pod", namespaced: true)
    /// `apps/v1 statefulsets`.
    public static let statefulSets = ResourceType(group: "apps", version: "v1", resource: "statefulsets", kind: "StatefulSet", namespaced: true)
    /// `batch/v1 cronjobs`.
    public static let cronJobs = ResourceType(group: "batch", version: "v1", resource: "cronjobs", kind: "CronJob", namespaced: true)
    /// `batch/v1 jobs`.
    public static let jobs = ResourceType(group: "batch", version: "v1", resource: "jobs", kind: "Job", namespaced: true)

    /// Traefik's `IngressRoute`, `Middleware` and `TLSOption` in an API group (`traefik.io` for v3,
    /// `traefik.containo.us` for v2).
    public static func traefik(group: String) -> [ResourceType] {
        [("ingressroutes", "IngressRoute"), ("middlewares", "Middleware"), ("tlsoptions", "TLSOption")].map {
            ResourceType(group: group, version: "v1alpha1", resource: $0.0, kind: $0.1, namespaced: true)
        }
    }

    /// Every built-in kind of the catalogue (the Traefik kinds depend on the configured API group).
    public static let catalogue: [ResourceType] = [
        .namespaces, .configMaps, .secrets, .services, .deployments, .podDisruptionBudgets, .leases, .events, .guardPolicies,
        .guardExceptions, .changeApprovals, .odooEnvironments, .odooReleases, .persistentVolumeClaims, .resourceQuotas, .limitRanges, .networkPolicies, .pods,
        .statefulSets, .cronJobs, .jobs, .replicaSets, .daemonSets, .serviceAccounts, .ingresses, .horizontalPodAutoscalers, .odooRestores,
    ] + cloudNativePG + traefik(group: "traefik.io") + traefik(group: "traefik.containo.us")

    /// `apps/v1 replicasets`.
    public static let replicaSets = ResourceType(group: "apps", version: "v1", resource: "replicasets", kind: "ReplicaSet", namespaced: true)
    /// `wgpolicyk8s.io/v1alpha2` PolicyReports (Kyverno's and Policy Reporter's format), written by the background audit.
    public static let policyReports = ResourceType(group: "wgpolicyk8s.io", version: "v1alpha2", resource: "policyreports",
                                                   kind: "PolicyReport", namespaced: true)
    /// `wgpolicyk8s.io/v1alpha2` ClusterPolicyReports, for cluster-scoped objects (governed Namespaces).
    public static let clusterPolicyReports = ResourceType(group: "wgpolicyk8s.io", version: "v1alpha2", resource: "clusterpolicyreports",
                                                          kind: "ClusterPolicyReport", namespaced: false)
    /// `apps/v1 daemonsets`.
    public static let daemonSets = ResourceType(group: "apps", version: "v1", resource: "daemonsets", kind: "DaemonSet", namespaced: true)
    /// `v1 serviceaccounts`.
    public static let serviceAccounts = ResourceType(group: "", version: "v1", resource: "serviceaccounts", kind: "ServiceAccount", namespaced: true)
    /// `networking.k8s.io/v1 ingresses`.
    public static let ingresses = ResourceType(group: "networking.k8s.io", version: "v1", resource: "ingresses", kind: "Ingress", namespaced: true)
    /// `autoscaling/v2 horizontalpodautoscalers`.
    public static let horizontalPodAutoscalers = ResourceType(group: "autoscaling", version: "v2", resource: "horizontalpodautoscalers",
                                                              kind: "HorizontalPodAutoscaler", namespaced: true)
    /// `odooguard.io/v1alpha1 odoorestores`.
    public static let odooRestores = ResourceType(group: "odooguard.io", version: "v1alpha1", resource: "odoorestores", kind: "OdooRestore", namespaced: true)
    /// CloudNativePG's `postgresql.cnpg.io/v1 clusters`.
    public static let cnpgClusters = ResourceType(group: "postgresql.cnpg.io", version: "v1", resource: "clusters", kind: "Cluster", namespaced: true)
    /// CloudNativePG's `postgresql.cnpg.io/v1 poolers` (PgBouncer).
    public static let cnpgPoolers = ResourceType(group: "postgresql.cnpg.io", version: "v1", resource: "poolers", kind: "Pooler", namespaced: true)
    /// CloudNativePG's `postgresql.cnpg.io/v1 scheduledbackups`.
    public static let cnpgScheduledBackups = ResourceType(group: "postgresql.cnpg.io", version: "v1", resource: "scheduledbackups",
                                                          kind: "ScheduledBackup", namespaced: true)
    /// The Barman Cloud plugin's `barmancloud.cnpg.io/v1 objectstores`.
    public static let barmanObjectStores = ResourceType(group: "barmancloud.cnpg.io", version: "v1", resource: "objectstores", kind: "ObjectStore", namespaced: true)
    /// The Prometheus Operator's `monitoring.coreos.com/v1 podmonitors`.
    public static let podMonitors = ResourceType(group: "monitoring.coreos.com", version: "v1", resource: "podmonitors", kind: "PodMonitor", namespaced: true)

    /// The CloudNativePG kinds a dedicated environment's database is made of (watched when the
    /// configuration names CloudNativePG).
    public static let cloudNativePG: [ResourceType] = [.cnpgClusters, .cnpgPoolers, .cnpgScheduledBackups, .barmanObjectStores, .podMonitors]

    /// The catalogue's resource of `gvk`, `nil` for a kind it does not hold.
    public static func known(_ gvk: GroupVersionKind, in resources: [ResourceType] = catalogue) -> ResourceType? {
        resources.first { $0.kind == gvk.kind && $0.group == gvk.group && $0.version == gvk.version }
    }

    /// The resource of `gvk`: the catalogue's, or for a kind it does not hold (a tenant's own CRD) a
    /// namespaced resource with the plural the API machinery guesses (see ``plural(of:)``).
    public static func of(_ gvk: GroupVersionKind) -> ResourceType {
        known(gvk) ?? ResourceType(group: gvk.group, version: gvk.version, resource: plural(of: gvk.kind), kind: gvk.kind, namespaced: true)
    }

    /// The plural resource name of `kind` as `k8s.io/apimachinery`'s `UnsafeGuessKindToResource` forms
    /// it: lower case; a final `s` takes `es`, a final `y` becomes `ies`, a name ending in `endpoints`
    /// stays as it is, anything else takes `s`.
    public static func plural(of kind: String) -> String {
        let lower = kind.lowercased()
        if lower.isEmpty || lower.hasSuffix("endpoints") { return lower }
        if lower.hasSuffix("s") { return lower + "es" }
        if lower.hasSuffix("y") { return lower.dropLast() + "ies" }
        return lower + "s"
    }
}
