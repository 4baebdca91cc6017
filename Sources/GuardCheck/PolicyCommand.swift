import GuardRules

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

    /// `guardctl policy default`: the embedded default policy as YAML.
    public static var defaultPolicyText: String { GuardPolicy.builtInDefaultText }
}
