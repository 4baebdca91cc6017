import GuardRules
import KubeModel

/// `docs/reference/rules.md`: every rule of the catalogue with its mode per stage under a policy
/// (the embedded default), whether a GuardException may waive it, and the fix.
public enum RulesReference {
    /// The page for `policy`.
    public static func page(policy: GuardPolicy) -> String {
        var text = GeneratedPage.header(title: "Rules", source: "the rule catalogue (Sources/GuardRules/RuleCatalogue*.swift) and the embedded default GuardPolicy")
        text += """
        Every rule has a stable id, a mode per stage (`enforce` denies, `warn` returns a warning, `audit`
        only records; a mutation is `on` unless its mode is `audit`) and messages that name the field path
        and the fix. Secret values are never echoed. The modes below are the embedded default policy's
        (`guardctl policy default`); a GuardPolicy's `spec.rules` and `spec.stages.<stage>.modes` change
        them. Rules marked *cannot be waived* are in `exceptions.nonExemptibleRules`: no GuardException
        covers them. The `podsecurity.*` controls judge at the namespace's Pod Security level; in the
        validating webhook they warn (`podSecurity.webhookMode`), since Pod Security Admission enforces
        them there. How to change a mode, waive a rule or approve a change: [the policy guide](../policy/README.md).


        """
        for area in areas {
            text += "## \(area)\n\n| id | kind | production | staging | development | requires | fix |\n| --- | --- | --- | --- | --- | --- | --- |\n"
            for entry in RuleCatalogue.entries where entry.area == area {
                let modes = [Stage.production, .staging, .development].map { mode(entry, policy: policy, stage: $0) }
                let waiver = policy.exceptions.nonExemptibleRules.contains(entry.id) ? "; cannot be waived" : ""
                let level = entry.podSecurityLevel.map { " (\($0))" } ?? ""
                text += "| `\(entry.id)` | \(entry.kind.rawValue)\(level)\(waiver) | \(modes.joined(separator: " | ")) | \(cell(entry.checks)) | \(cell(entry.fix)) |\n"
            }
            text += "\n"
        }
        return text
    }

    /// The areas in catalogue order.
    static var areas: [String] {
        var seen: [String] = []
        for entry in RuleCatalogue.entries where !seen.contains(entry.area) { seen.append(entry.area) }
        return seen
    }

    /// The mode of `entry` in `stage`, `off` where the stage's settings switch the rule off.
    static func mode(_ entry: RuleDescription, policy: GuardPolicy, stage: Stage) -> String {
        let mode = policy.mode(of: entry.id, stage: stage)
        if let settings = policy.stages[stage], !applies(entry.id, settings) { return "off" }
        if entry.kind == .mutation { return mode == .audit ? "off" : "on" }
        if entry.area == "podsecurity" { return "\(mode.rawValue) at the namespace's level" }
        return mode.rawValue
    }

    /// Whether the stage's settings turn the rule on (the provenance rules run only where asked).
    static func applies(_ rule: RuleID, _ settings: StagePolicy) -> Bool {
        switch rule {
        case .imageDigestPinned: settings.requireDigest
        case .imageDigestResolve: settings.resolveDigests
        case .imageSignatureRequired: settings.requireSignatures
        case .imageScanAttested: settings.requireScanAttestation
        case .imageRegistryAllowed: !settings.allowedRegistries.isEmpty
        default: true
        }
    }

    /// A table cell: pipes escaped, one line.
    static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
