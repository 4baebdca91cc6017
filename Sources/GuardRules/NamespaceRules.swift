import KubeModel

/// The namespace guard: a governed namespace (one whose old or new labels carry `odooguard.io/stage`)
/// keeps its stage, tier and Pod Security labels unless a platform admin changes them, and never
/// enforces a Pod Security level below its stage's. The mutation gives a governed namespace the Pod
/// Security labels of its stage where it lacks them, so Pod Security Admission applies from its
/// first moment, before the operator writes them.
enum NamespaceRules {
    /// What one Namespace request changes.
    struct Change {
        let operation: AdmissionOperation
        let old: [String: String]
        let new: [String: String]
        let policy: GuardPolicy
        /// The stage the new labels govern by (unknown names count as production).
        let stage: Stage

        var labelsPath: FieldPath { FieldPath("metadata") / "labels" }
    }

    /// The Pod Security labels of `stage` that `labels` lack (empty when it has them all, or has no stage).
    static func missingPodSecurityLabels(_ labels: [String: String], stage: Stage, policy: GuardPolicy) -> [String: String] {
        guard labels[GuardLabels.stage] != nil else { return [:] }
        return policy.podSecurity.namespaceLabels(stage: stage).filter { labels[$0.key] == nil }
    }

    /// The findings for a requester who is not a platform admin.
    static func check(_ change: Change) -> [Finding] {
        var findings: [Finding] = []
        let expected = change.policy.podSecurity.namespaceLabels(stage: change.stage)
        let minimum = change.policy.podSecurity.level(forStage: change.stage)
        let enforced = change.new[GuardLabels.podSecurityEnforce]
        // A namespace entering governance is judged as if created.
        let enforceChanged = change.operation == .create || change.old[GuardLabels.stage] == nil
            || enforced != change.old[GuardLabels.podSecurityEnforce]
        var levelReported = false
        if change.new[GuardLabels.stage] != nil, enforceChanged, let enforced {
            if let level = PodSecurityLevel(rawValue: enforced), level >= minimum {
                // At or above the stage's level: allowed.
            } else {
                levelReported = true
                findings.append(Finding(rule: .namespacePodSecurityLevel, path: change.labelsPath / GuardLabels.podSecurityEnforce, message:
                    "\(GuardLabels.podSecurityEnforce)=\(enforced) is below the \(minimum.rawValue) level that stage \(change.stage) requires; only a platform admin may lower it: remove the label (the webhook sets \(minimum.rawValue)) or set \(minimum.rawValue)"))
            }
        }
        guard change.operation == .update, change.old[GuardLabels.stage] != nil else { return findings }
        for key in [GuardLabels.stage, GuardLabels.tier] where change.old[key] != change.new[key] {
            let what = change.new[key].map { "changing it to \($0)" } ?? "removing it"
            let from = change.old[key].map { "\"\($0)\"" } ?? "unset"
            findings.append(Finding(rule: .namespaceLabelsLocked, path: change.labelsPath / key, message:
                "\(key) is \(from) on this governed namespace; \(what) changes which rules govern it, which only a platform admin may do: keep \(from == "unset" ? "it unset" : key + "=" + (change.old[key] ?? "")), or ask a platform admin"))
        }
        for key in GuardLabels.podSecurityLabels where change.old[key] != change.new[key] && change.new[key] != expected[key] {
            if key == GuardLabels.podSecurityEnforce && levelReported { continue }
            let value = change.new[key].map { "set to \"\($0)\"" } ?? "removed"
            findings.append(Finding(rule: .namespaceLabelsLocked, path: change.labelsPath / key, message:
                "\(key) is \(value) on a governed namespace; only a platform admin may change the Pod Security labels: keep \(key)=\(change.old[key] ?? expected[key] ?? ""), the value stage \(change.stage) sets"))
        }
        return findings
    }
}
