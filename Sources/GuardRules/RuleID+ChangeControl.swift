/// Production change control.
extension RuleID {
    /// A ChangeApproval is created by an approver, names its change and target, expires in time, and is never edited.
    public static let approvalValid: RuleID = "approval.valid"
    /// Mutation: a new ChangeApproval's `spec.approver` is the authenticated user who creates it.
    public static let approvalApproverStamp: RuleID = "approval.approver-stamp"
    /// Mutation: a new GuardException's or ChangeApproval's `spec.expiresIn` (a duration such as `30d`)
    /// becomes `spec.expiresAt`, counted from the time of the request.
    public static let expiryStamp: RuleID = "expiry.stamp"
    /// A high-risk production change needs a live ChangeApproval for its change reference and digests, by someone else.
    public static let odooChangeApproved: RuleID = "odoo.change-approved"

    /// A production environment runs only digests a lower stage's environment of its group ran Ready for the soak time.
    public static let imagePromoted: RuleID = "image.promoted"

    /// A new image in a stage that requires it carries a trusted, recent vulnerability-scan attestation
    /// without findings at or above the policy's severity (unless a GuardException names them).
    public static let imageScanAttested: RuleID = "image.scan-attested"

    /// An OdooRestore of mode Refresh goes into a non-production environment, with the policy's data masking on.
    public static let restoreMaskedRefresh: RuleID = "restore.masked-refresh"
    /// An OdooRestore whose source is in another namespace is created by a platform admin.
    public static let restoreCrossNamespace: RuleID = "restore.cross-namespace"

    /// The change-control rules.
    public static let changeControlRules: [RuleID] = [.approvalValid, .approvalApproverStamp, .expiryStamp, .odooChangeApproved, .imagePromoted,
                                                      .imageScanAttested, .restoreMaskedRefresh, .restoreCrossNamespace]
}
