import Foundation
import GuardRules
import KubeClient
import KubeModel
import Logging
import ServiceLifecycle

/// The background audit (issue #24): admission judges changes; this judges what already exists.
/// Every ``Settings/interval``, and within ``Settings/policyPoll`` of a change of the cluster's
/// GuardPolicy, the leader lists each governed namespace's workloads, ConfigMaps, PDBs and
/// OdooEnvironments, judges them with ``PolicyReportBuilder`` and writes one PolicyReport per
/// namespace (and a ClusterPolicyReport for the governed Namespaces) — only where the content
/// changed.
///
/// It runs in the operator, not the webhook: the operator elects one leader (one writer, no
/// duplicate reports), already has the controller runtime and write access, while the webhook stays
/// stateless and read-only. Secrets are never listed: tenants' credentials are not read in bulk.
public struct BackgroundAudit: Service {
    /// When and how much.
    public struct Settings: Sendable {
        /// Full passes, at least this far apart.
        public var interval: Duration = .seconds(3600)
        /// How often the cluster's GuardPolicy is read to notice a change.
        public var policyPoll: Duration = .seconds(30)
        /// The cluster GuardPolicy judged by (the webhook's too).
        public var policyName = "default"
        /// Used while the cluster has no GuardPolicy of that name (see ``AuditPolicySelection``).
        public var fallbackPolicy: GuardPolicy?
        /// How long the cluster's GuardPolicy must stay gone before the fallback is used: with the
        /// default, the first poll that misses it keeps the policy and the next one switches.
        public var policyGoneGrace: Duration = .seconds(2)
        /// Most results per report.
        public var maximumResults = 1_000

        /// Settings.
        public init() {}
    }

    /// What one pass did.
    public struct Pass: Sendable, Equatable {
        /// Namespaces reported on.
        public var namespaces = 0
        /// Objects judged.
        public var objects = 0
        /// Reports created or replaced.
        public var writes = 0
        /// The largest report written, in bytes of JSON.
        public var largestReport = 0
        /// Namespaces whose objects or report could not be read or written (retried next pass).
        public var failures = 0
    }

    /// The kinds judged in each namespace; GuardExceptions are read as context only.
    static let audited: [ResourceType] = [.deployments, .statefulSets, .daemonSets, .cronJobs, .jobs, .pods, .configMaps,
                                          .podDisruptionBudgets, .odooEnvironments]

    let api: any KubernetesAPI
    let settings: Settings
    let isLeader: @Sendable () -> Bool
    let onPass: (@Sendable (Pass, Date) -> Void)?
    let logger: Logger
    /// The policy judged by without a cluster GuardPolicy: ``Settings/fallbackPolicy``, else the
    /// built-in one, decoded once rather than at every poll.
    let fallback: GuardPolicy

    /// An audit writing through `api` while `isLeader` says so.
    public init(api: any KubernetesAPI, settings: Settings, isLeader: @escaping @Sendable () -> Bool = { true },
                onPass: (@Sendable (Pass, Date) -> Void)? = nil, logger: Logger) {
        self.api = api
        self.settings = settings
        self.isLeader = isLeader
        self.onPass = onPass
        self.logger = logger
        fallback = settings.fallbackPolicy ?? (try? GuardPolicy.builtIn()) ?? GuardPolicy.empty
    }

    /// Passes until graceful shutdown: on start, every ``Settings/interval``, and when the policy changes.
    public func run() async throws {
        var lastVersion: String?
        var lastPass: ContinuousClock.Instant?
        var selection = AuditPolicySelection(grace: settings.policyGoneGrace)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            if isLeader() {
                let policy = await currentPolicy(&selection)
                let due = lastPass.map { ContinuousClock.now - $0 >= settings.interval } ?? true
                if due || policy.version != lastVersion {
                    let pass = await runPass(policy: policy, now: Date())
                    logger.info("background audit pass", metadata: [
                        "policy.version": "\(policy.version)", "namespaces": "\(pass.namespaces)", "objects": "\(pass.objects)",
                        "writes": "\(pass.writes)", "failures": "\(pass.failures)"])
                    lastVersion = policy.version
                    lastPass = .now
                }
            }
            let poll = settings.policyPoll
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: poll) } } catch { return }
        }
    }

    /// The policy to judge by after reading the cluster's GuardPolicy once (``AuditPolicySelection``).
    func currentPolicy(_ selection: inout AuditPolicySelection, now: ContinuousClock.Instant = .now) async -> GuardPolicy {
        let read = await readPolicy()
        let wasCluster = selection.fromCluster
        let (policy, outcome) = selection.update(read, fallback: fallback, now: now)
        switch (read, outcome) {
        case (.unreadable(let reason), .kept):
            logger.warning("cluster GuardPolicy unreadable; the audit keeps the policy in use", metadata: ["error": "\(reason)"])
        case (.unreadable(let reason), _):
            logger.warning("cluster GuardPolicy unreadable; the audit uses its fallback", metadata: ["error": "\(reason)"])
        case (.invalid(let reason), .kept):
            logger.warning("cluster GuardPolicy invalid; the audit keeps the policy in use", metadata: ["error": "\(reason)"])
        case (.invalid(let reason), _):
            logger.warning("cluster GuardPolicy invalid; the audit uses its fallback", metadata: ["error": "\(reason)"])
        case (.gone, .fallback) where wasCluster:
            logger.warning("the cluster GuardPolicy is gone; the audit uses its fallback", metadata: [
                "guardpolicy": "\(settings.policyName)", "grace": "\(settings.policyGoneGrace)"])
        case (.gone, .kept):
            logger.notice("cluster GuardPolicy missing; the audit keeps the policy in use for the grace period", metadata: [
                "guardpolicy": "\(settings.policyName)", "grace": "\(settings.policyGoneGrace)"])
        default:
            break
        }
        return policy
    }

    /// One read of the cluster's GuardPolicy.
    func readPolicy() async -> AuditPolicySelection.Read {
        let object: JSONValue?
        do throws(KubeClientError) {
            object = try await api.getIfExists(.guardPolicies, namespace: nil, name: settings.policyName)
        } catch {
            return .unreadable("\(error)")
        }
        guard let object else { return .gone }
        do throws(GuardRulesError) { return .found(try GuardPolicy(json: object)) } catch {
            return .invalid(error.description)
        }
    }
}
