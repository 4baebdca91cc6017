import Crypto
import Foundation
import KubeModel

/// The background audit's reports, decided without I/O: the objects that exist in a namespace are
/// judged again by the current policy (as if created now), and the results become one
/// `wgpolicyk8s.io/v1alpha2` PolicyReport per namespace (a ClusterPolicyReport for governed
/// Namespaces), the format Kyverno writes and Policy Reporter reads.
///
/// Bounded: one report per namespace; findings aggregated per (rule, object); at most
/// ``maximumResults`` results (failures first) with the summary still counting all; and a report
/// whose content did not change is not rewritten (its hash, without timestamps, is kept in an
/// annotation; an unchanged result keeps its first timestamp).
public struct PolicyReportBuilder: Sendable {
    /// The report's name in each namespace (and the ClusterPolicyReport's).
    public static let reportName = "odoo-guard"
    /// The requester the audit judges existing objects as.
    public static let auditUser = UserInfo(username: "system:serviceaccount:odoo-guard:background-audit", groups: ["system:serviceaccounts"])
    /// Rules about a change, not a state (who changes what, with which approval, promoted from
    /// where, scanned when): judged at admission only.
    public static let changeOnlyRules: Set<RuleID> = Set(RuleID.changeControlRules + [.odooChangeReference, .namespaceLabelsLocked])

    /// The policy judged by.
    public let evaluator: GuardEvaluator
    /// The time of the audit.
    public let now: Date
    /// Most results per report.
    public let maximumResults: Int

    /// A builder.
    public init(policy: GuardPolicy, now: Date, maximumResults: Int = 1_000) {
        evaluator = GuardEvaluator(policy: policy)
        self.now = now
        self.maximumResults = maximumResults
    }

    /// What to write for one report: nothing when the existing one says the same.
    public enum Write: Sendable, Equatable {
        /// Create this report.
        case create(JSONValue)
        /// Replace the existing report with this one (carries its resourceVersion).
        case update(JSONValue)
    }

    /// The report of one namespace's objects. `objects` are what is judged (workloads, ConfigMaps,
    /// PDBs, OdooEnvironments); `peers` adds what they are judged with (GuardExceptions).
    /// - Returns: the write, or `nil` when `existing` already says the same.
    public func namespaceReport(_ namespace: NamespaceContext, objects: [KubeObject], peers: [KubeObject] = [],
                                existing: JSONValue?) -> Write? {
        let context = EvaluationContext(namespace: namespace, peers: objects + peers, now: now)
        let found = objects.filter(Self.isAudited).flatMap { results(for: $0, context: context) }
        return write(kind: "PolicyReport", namespace: namespace.name, results: found, existing: existing)
    }

    /// The ClusterPolicyReport of the governed Namespaces.
    public func clusterReport(namespaces: [KubeObject], existing: JSONValue?) -> Write? {
        let found = namespaces.flatMap { results(for: $0, context: EvaluationContext(namespace: nil, now: now)) }
        return write(kind: "ClusterPolicyReport", namespace: nil, results: found, existing: existing)
    }

    /// Objects made by Kubernetes' controllers from a template that is judged itself (a Deployment's
    /// ReplicaSets and Pods, a CronJob's Jobs) are not reported twice.
    static func isAudited(_ object: KubeObject) -> Bool {
        !object.ownerReferences.contains { $0.controller }
    }
}
