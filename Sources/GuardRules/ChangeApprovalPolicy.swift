import KubeModel

/// Production change control (`spec.changeApproval`): who may approve, whether the approver must be
/// someone other than the deployer, how long an approval may live, and which spec fields are low-risk
/// (a change reference suffices) — every other field of a production OdooEnvironment is high-risk and
/// needs a live ChangeApproval.
public struct ChangeApprovalPolicy: Sendable, Equatable {
    /// Groups whose members may create ChangeApprovals.
    public var approverGroups: [String]
    /// Whether the approver must not be the user making the change.
    public var requireDistinctApprover: Bool
    /// Longest time an approval may run, from its creation, in days.
    public var maxDays: Int
    /// Spec fields (dotted paths below `spec`) whose changes need only a change reference.
    public var lowRiskFields: [String] {
        didSet { lowRiskPaths = lowRiskFields.map { $0.split(separator: ".").map(String.init) } }
    }
    /// ``lowRiskFields`` as path tokens.
    private(set) var lowRiskPaths: [[String]]

    /// The defaults: the `odooguard:change-approvers` group approves, never for their own change, for
    /// at most 14 days; replicas, workers, resources and the ingress allowlist are low-risk.
    public init(approverGroups: [String] = ["odooguard:change-approvers"], requireDistinctApprover: Bool = true, maxDays: Int = 14,
                lowRiskFields: [String] = ["replicas", "workers", "resources", "ingress.adminAllowlist"]) {
        self.approverGroups = approverGroups
        self.requireDistinctApprover = requireDistinctApprover
        self.maxDays = maxDays
        self.lowRiskFields = lowRiskFields
        lowRiskPaths = lowRiskFields.map { $0.split(separator: ".").map(String.init) }
    }

    /// Whether a change at `tokens` (below `spec`) is low-risk.
    func isLowRisk(_ tokens: [String]) -> Bool { lowRiskPaths.contains { tokens.starts(with: $0) } }
}
