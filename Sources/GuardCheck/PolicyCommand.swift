import GuardRules
import OdooPlan

/// What `guardctl policy …` does, as library calls the tests use directly.
public enum PolicyCommand {
    /// `guardctl policy validate FILE`: every problem of a policy file with its field path.
    /// Exit code 0 when valid, 2 otherwise.
    public static func validate(_ path: String) -> CheckCommand.Outcome {
        let version: String
        do {
            version = try CheckCommand.loadPolicy(path).version
        } catch {
            return CheckCommand.Outcome(standardOutput: "", standardError: "error: \(error.message)\n", exitCode: 2)
        }
        return CheckCommand.Outcome(standardOutput: "\(path): valid (version \(version))\n", standardError: "", exitCode: 0)
    }

    /// `guardctl policy masking-sql [FILE]`: the SQL a staging refresh runs to mask the restored
    /// production data under the policy in `path` (the embedded default when `nil`), for review.
    /// Exit code 0, 1 when the policy turns masking off (nothing printed), 2 for an invalid policy.
    public static func maskingSQL(_ path: String?) -> CheckCommand.Outcome {
        let policy: GuardPolicy
        do {
            policy = try CheckCommand.loadPolicy(path)
        } catch {
            return CheckCommand.Outcome(standardOutput: "", standardError: "error: \(error.message)\n", exitCode: 2)
        }
        guard let sql = MaskingScript.sql(policy.dataMasking) else {
            return CheckCommand.Outcome(standardOutput: "", standardError: "\(path ?? "the embedded policy"): spec.dataMasking.enabled is false: refreshes do not mask\n", exitCode: 1)
        }
        return CheckCommand.Outcome(standardOutput: sql, standardError: "", exitCode: 0)
    }

    /// `guardctl policy default`: the embedded default policy as YAML.
    public static var defaultPolicyText: String { GuardPolicy.builtInDefaultText }
}
