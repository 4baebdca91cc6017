import KubeModel

/// `restore.masked-refresh` and `restore.cross-namespace`: an OdooRestore that would put patient
/// data where it must not go is refused when it is applied, before the operator sees it.
enum RestoreRules {
    static func check(_ input: RuleInput, into findings: inout [Finding]) {
        // Judged when created: the spec never changes afterwards (a CEL rule of the CRD), and a label
        // added later by its tenant is no new request for data.
        guard input.object.apiVersion == "odooguard.io/v1alpha1", input.object.kind == "OdooRestore", input.request.operation == .create else { return }
        let spec = input.object.raw["spec"]
        if spec?["mode"]?.stringValue == "Refresh" {
            if input.stage == .production {
                findings.append(Finding(rule: .restoreMaskedRefresh, path: "spec.mode", message:
                    "a Refresh copies another environment's data into this one, and this namespace is production: restore production only from its own backups (mode Restore)"))
            } else if !input.policy.dataMasking.enabled {
                findings.append(Finding(rule: .restoreMaskedRefresh, path: "spec.mode", message:
                    "the GuardPolicy's spec.dataMasking is off, so the refreshed copy would keep its patients' names, emails and phone numbers: turn masking on, or have a GuardException for \(RuleID.restoreMaskedRefresh) approved"))
            }
        }
        if let source = spec?["source"]?["namespace"]?.stringValue, source != input.object.namespace,
           !input.policy.platformAdmins.includes(input.request.userInfo) {
            findings.append(Finding(rule: .restoreCrossNamespace, path: "spec.source.namespace", message:
                "the source is in namespace \(source), another tenant's: only a platform admin may restore across namespaces (\(input.request.userInfo.username) is not one); ask one to apply this OdooRestore"))
        }
    }
}
