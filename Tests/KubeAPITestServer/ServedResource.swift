import KubeClient
import KubeModel

/// A resource the test server serves, with the strategy facts the real API server has for it.
struct ServedResource: Sendable {
    /// Group, version, resource, kind, scope.
    var type: ResourceType
    /// Whether it has a `status` subresource: writes to the main resource ignore `status`, writes
    /// to `/status` change only `status`
    /// (https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#status-subresource).
    var hasStatus: Bool
    /// Whether `metadata.generation` is kept: set to 1 on create and bumped on changes outside
    /// `metadata` (and `status`) (https://kubernetes.io/docs/reference/using-api/api-concepts/ and
    /// the CRD status-subresource documentation).
    var tracksGeneration: Bool

    /// Every resource the server knows.
    static let all: [ServedResource] = [
        ServedResource(type: .namespaces, hasStatus: true, tracksGeneration: false),
        ServedResource(type: .configMaps, hasStatus: false, tracksGeneration: false),
        ServedResource(type: .secrets, hasStatus: false, tracksGeneration: false),
        ServedResource(type: .services, hasStatus: true, tracksGeneration: false),
        ServedResource(type: ResourceType(group: "", version: "v1", resource: "serviceaccounts", kind: "ServiceAccount", namespaced: true),
                       hasStatus: false, tracksGeneration: false),
        ServedResource(type: .persistentVolumeClaims, hasStatus: true, tracksGeneration: false),
        ServedResource(type: .resourceQuotas, hasStatus: true, tracksGeneration: false),
        ServedResource(type: .limitRanges, hasStatus: false, tracksGeneration: false),
        ServedResource(type: .deployments, hasStatus: true, tracksGeneration: true),
        ServedResource(type: .statefulSets, hasStatus: true, tracksGeneration: true),
        ServedResource(type: .cronJobs, hasStatus: true, tracksGeneration: true),
        ServedResource(type: .jobs, hasStatus: true, tracksGeneration: true),
        ServedResource(type: .pods, hasStatus: true, tracksGeneration: false),
        ServedResource(type: .podDisruptionBudgets, hasStatus: true, tracksGeneration: true),
        ServedResource(type: .horizontalPodAutoscalers, hasStatus: true, tracksGeneration: true),
        ServedResource(type: .networkPolicies, hasStatus: false, tracksGeneration: true),
        ServedResource(type: .leases, hasStatus: false, tracksGeneration: false),
        ServedResource(type: .events, hasStatus: false, tracksGeneration: false),
        ServedResource(type: .guardPolicies, hasStatus: false, tracksGeneration: true),
        ServedResource(type: .guardExceptions, hasStatus: false, tracksGeneration: true),
        ServedResource(type: .changeApprovals, hasStatus: false, tracksGeneration: true),
        ServedResource(type: .odooEnvironments, hasStatus: true, tracksGeneration: true),
        ServedResource(type: .odooReleases, hasStatus: true, tracksGeneration: true),
        ServedResource(type: .odooRestores, hasStatus: true, tracksGeneration: true),
        // CloudNativePG, its Barman Cloud plugin and the Prometheus Operator, as their CRDs serve them.
        ServedResource(type: .cnpgClusters, hasStatus: true, tracksGeneration: true),
        ServedResource(type: .cnpgPoolers, hasStatus: true, tracksGeneration: true),
        ServedResource(type: .cnpgScheduledBackups, hasStatus: true, tracksGeneration: true),
        ServedResource(type: .barmanObjectStores, hasStatus: true, tracksGeneration: true),
        ServedResource(type: .podMonitors, hasStatus: false, tracksGeneration: true),
        ServedResource(type: .daemonSets, hasStatus: true, tracksGeneration: true),
        ServedResource(type: .replicaSets, hasStatus: true, tracksGeneration: true),
        // Policy Reporter's and Kyverno's report CRDs (no status subresource, no generation bump rules of note).
        ServedResource(type: .policyReports, hasStatus: false, tracksGeneration: true),
        ServedResource(type: .clusterPolicyReports, hasStatus: false, tracksGeneration: true),
        // What the Helm chart installs besides the above (chart tests install and upgrade it here).
        ServedResource(type: ResourceType(group: "rbac.authorization.k8s.io", version: "v1", resource: "clusterroles", kind: "ClusterRole", namespaced: false),
                       hasStatus: false, tracksGeneration: false),
        ServedResource(type: ResourceType(group: "rbac.authorization.k8s.io", version: "v1", resource: "clusterrolebindings", kind: "ClusterRoleBinding",
                                          namespaced: false), hasStatus: false, tracksGeneration: false),
        ServedResource(type: ResourceType(group: "rbac.authorization.k8s.io", version: "v1", resource: "roles", kind: "Role", namespaced: true),
                       hasStatus: false, tracksGeneration: false),
        ServedResource(type: ResourceType(group: "rbac.authorization.k8s.io", version: "v1", resource: "rolebindings", kind: "RoleBinding", namespaced: true),
                       hasStatus: false, tracksGeneration: false),
        customResourceDefinitionsServed,
        ServedResource(type: ResourceType(group: "admissionregistration.k8s.io", version: "v1", resource: "mutatingwebhookconfigurations",
                                          kind: "MutatingWebhookConfiguration", namespaced: false), hasStatus: false, tracksGeneration: true),
        ServedResource(type: ResourceType(group: "admissionregistration.k8s.io", version: "v1", resource: "validatingwebhookconfigurations",
                                          kind: "ValidatingWebhookConfiguration", namespaced: false), hasStatus: false, tracksGeneration: true),
    ] + ResourceType.traefik(group: "traefik.io").map { ServedResource(type: $0, hasStatus: false, tracksGeneration: true) }

    /// The served resource for an API path's group, version and plural name.
    static func find(group: String, version: String, resource: String) -> ServedResource? {
        all.first { $0.type.group == group && $0.type.version == version && $0.type.resource == resource }
    }

    /// The name of the CustomResourceDefinition that defines this resource (`plural.group`), for the
    /// groups a server started with ``KubeAPITestServer/serving(bookmarkInterval:customResourcesNeedDefinitions:_:)``
    /// serves only once their CRD exists; `nil` for built-in and always-served resources.
    var definition: String? { type.group == "odooguard.io" ? "\(type.resource).\(type.group)" : nil }

    /// The CustomResourceDefinitions resource.
    static let customResourceDefinitionsServed = ServedResource(type: .customResourceDefinitions, hasStatus: true, tracksGeneration: true)

    /// The served resource with store key `id`.
    static func find(id: String) -> ServedResource? { all.first { $0.id == id } }

    /// `resource.group` as the API names it in messages (`configmaps`, `deployments.apps`).
    var qualifiedName: String { type.description }
    /// A key for the store.
    var id: String { Self.id(type) }

    /// The store key of a resource type.
    static func id(_ type: ResourceType) -> String { "\(type.group)/\(type.resource)" }
}

extension ResourceType {
    /// `apiextensions.k8s.io/v1` CustomResourceDefinitions (cluster-scoped).
    static let customResourceDefinitions = ResourceType(group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions",
                                                        kind: "CustomResourceDefinition", namespaced: false)
}
