import Foundation
import GuardRules
import KubeClient
import KubeModel
import KubeRuntime
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle

/// Keeps the webhook's view of the cluster: caches of Namespaces (stage and tier labels),
/// PodDisruptionBudgets, GuardExceptions, ChangeApprovals, OdooEnvironments (a summary: which environments a
/// namespace holds, so a Secret of one is foreign to another, and what their autoscalers are judged by) and the GuardPolicy named ``policyName``,
/// each kept by a watcher (list, watch, resume, re-list after 410, back off). Once the context caches have
/// their first list, decisions use them instead of the context files; a valid cluster GuardPolicy
/// replaces the policy file (an invalid one is logged and the previous policy stays; a deleted one
/// gives way to the file after ``policyGoneGrace``). `/readyz`
/// answers 503 until then, so no review is decided on a half-known cluster.
public final class ClusterWatch: Service {
    /// The cluster.
    public let config: KubeConfig
    /// The GuardPolicy (cluster-scoped) that decisions use when it exists.
    public let policyName: String
    /// Namespaces.
    public let namespaces = ObjectStore()
    /// PodDisruptionBudgets.
    public let disruptionBudgets = ObjectStore()
    /// GuardExceptions.
    public let exceptions = ObjectStore()
    /// GuardPolicies.
    public let guardPolicies = ObjectStore()
    /// OdooEnvironments: metadata, `spec.stage`, the planned web replicas, `status.readyHistory` and
    /// `status.connectionBudget` only (which environments a namespace holds, the promotion evidence,
    /// and what an autoscaler of their Deployments is judged by).
    public let environments = ObjectStore(transform: ClusterWatch.environmentSummary, compact: true)
    /// ChangeApprovals (what a production change is judged with).
    public let approvals = ObjectStore()
    let policies: PolicyStore
    let metrics: WebhookMetrics
    let defaultStage: String
    let logger: Logger
    /// The cluster GuardPolicy in use, guarded so that ``applyPolicy(now:)`` runs one call at a time.
    private let applied = NIOLockedValueBox(AppliedPolicy())
    /// How long the named GuardPolicy may be missing before decisions fall back to the policy file.
    /// A Helm upgrade deletes and recreates the chart's default GuardPolicy (a hook) within about
    /// 0.1 s; that is no reason to switch policies twice and warn on every upgrade.
    public let policyGoneGrace: Duration

    /// A watch of `config`'s cluster feeding `policies`.
    public init(config: KubeConfig, policyName: String, policies: PolicyStore, metrics: WebhookMetrics, defaultStage: String,
                policyGoneGrace: Duration = .seconds(2), logger: Logger) {
        self.config = config
        self.policyGoneGrace = policyGoneGrace
        self.policyName = policyName
        self.policies = policies
        self.metrics = metrics
        self.defaultStage = defaultStage
        self.logger = logger
    }

    /// Whether every cache has its first list (the context in use is the cluster's).
    public var isSynced: Bool {
        namespaces.isReady && disruptionBudgets.isReady && exceptions.isReady && guardPolicies.isReady && environments.isReady && approvals.isReady
    }

    /// Watches until cancelled or gracefully shut down.
    public func run() async throws {
        let client = try KubeHTTPClient(config: config, logger: logger)
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.reflect(.namespaces, into: self.namespaces, client) }
                group.addTask { await self.reflect(.podDisruptionBudgets, into: self.disruptionBudgets, client) }
                group.addTask { await self.reflect(.guardExceptions, into: self.exceptions, client) }
                group.addTask { await self.reflect(.guardPolicies, into: self.guardPolicies, client) { self.applyPolicy() } }
                group.addTask {
                    // Falls back to the file once the GuardPolicy has been gone for the grace period.
                    while !Task.isCancelled {
                        do { try await Task.sleep(for: .milliseconds(250)) } catch { return }
                        self.applyPolicy()
                    }
                }
                group.addTask { await self.reflect(.odooEnvironments, into: self.environments, client) }
                group.addTask { await self.reflect(.changeApprovals, into: self.approvals, client) }
                group.addTask {
                    await self.namespaces.waitUntilReady()
                    await self.disruptionBudgets.waitUntilReady()
                    await self.exceptions.waitUntilReady()
                    await self.guardPolicies.waitUntilReady()
                    await self.environments.waitUntilReady()
                    await self.approvals.waitUntilReady()
                    guard !Task.isCancelled else { return }
                    self.policies.useClusterContext(ClusterContextProvider(
                        namespaces: self.namespaces, peers: [self.disruptionBudgets, self.exceptions, self.environments, self.approvals],
                        environments: self.environments, defaultStage: self.defaultStage))
                    self.logger.notice("cluster caches synced", metadata: [
                        "cluster": "\(self.config.source)", "namespaces": "\(self.namespaces.count)",
                        "poddisruptionbudgets": "\(self.disruptionBudgets.count)", "guardexceptions": "\(self.exceptions.count)",
                        "odooenvironments": "\(self.environments.count)", "changeapprovals": "\(self.approvals.count)",
                    ])
                }
                await group.waitForAll()
            }
        }
        try await client.shutdown()
    }

    /// What the webhook keeps of an OdooEnvironment.
    @Sendable static func environmentSummary(_ object: JSONValue) -> JSONValue {
        var summary = ObjectStore.metadataOnly(object)
        if let stage = object["spec"]?["stage"] { summary.set(stage, at: FieldPath([.key("spec"), .key("stage")])) }
        if let history = object["status"]?["readyHistory"] { summary.set(history, at: FieldPath([.key("status"), .key("readyHistory")])) }
        // What an autoscaler of its Deployments is judged by (`scaling.connection-budget`).
        if let replicas = object["spec"]?["replicas"] { summary.set(replicas, at: FieldPath([.key("spec"), .key("replicas")])) }
        if let maximum = object["spec"]?["scaling"]?["maxReplicas"] {
            summary.set(maximum, at: FieldPath([.key("spec"), .key("scaling"), .key("maxReplicas")]))
        }
        if let budget = object["status"]?["connectionBudget"] { summary.set(budget, at: FieldPath([.key("status"), .key("connectionBudget")])) }
        return summary
    }

    func reflect(_ resource: ResourceType, into store: ObjectStore, _ client: KubeHTTPClient, onChange: @Sendable () -> Void = {}) async {
        for await event in Watcher(api: client, resource: resource, logger: logger) {
            store.apply(event)
            onChange()
        }
    }

    /// Installs the named GuardPolicy when it changed and is valid; falls back to the file when it is gone.
    /// A GuardPolicy recreated within ``policyGoneGrace`` (a Helm upgrade's hook) never leaves the
    /// cluster's policy; the file takes over only once it has stayed gone that long. The watch and the
    /// grace's tick both call it: one at a time, each reading the store afresh, so the last call after
    /// a change always sees it.
    func applyPolicy(now: ContinuousClock.Instant = .now) {
        applied.withLockedValue { applied in
            guard let object = guardPolicies.get(ObjectKey(namespace: nil, name: policyName)) else {
                guard applied.resourceVersion != nil else { return }
                let since = applied.goneSince ?? now
                applied.goneSince = since
                guard now - since >= policyGoneGrace else { return }
                applied = AppliedPolicy()
                policies.useClusterPolicy(nil)
                logger.warning("the cluster GuardPolicy is gone; deciding with the policy file", metadata: [
                    "guardpolicy": "\(policyName)", "grace": "\(policyGoneGrace)"])
                return
            }
            applied.goneSince = nil
            let version = KubeObject(object).resourceVersion ?? ""
            guard applied.resourceVersion != version else { return }
            do {
                let policy = try GuardPolicy(json: object)
                let previous = policies.state.policyVersion
                policies.useClusterPolicy(policy)
                applied.resourceVersion = version
                metrics.recordPolicyReload(success: true)
                metrics.setPolicyVersion(policies.state.policyVersion, previous: previous)
                logger.notice("cluster GuardPolicy in use", metadata: ["guardpolicy": "\(policyName)", "policy.version": "\(policies.state.policyVersion)"])
            } catch {
                metrics.recordPolicyReload(success: false)
                logger.error("the cluster GuardPolicy is invalid; the previous policy stays in use", metadata: [
                    "guardpolicy": "\(policyName)", "k8s.resourceVersion": "\(version)", "error": "\(error)",
                ])
            }
        }
    }

    /// The cluster GuardPolicy in use: its resourceVersion (`nil` while the file's policy is), and
    /// since when it has been missing from the cache (`nil` while it is there).
    struct AppliedPolicy {
        var resourceVersion: String?
        var goneSince: ContinuousClock.Instant?
    }
}
