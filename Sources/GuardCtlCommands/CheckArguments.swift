import ArgumentParser
import GuardCheck
import KubeModel

/// The options of `guardctl check`, shared by the light `guardctl` (which hands `--registry` runs to
/// `guardctl-full`) and `guardctl-full` (which makes the registry look-ups itself).
public struct CheckArguments: ParsableArguments {
    /// `--policy`: the GuardPolicy file.
    @Option(name: .long, help: "GuardPolicy file (YAML or JSON). Default: the embedded policy.")
    public var policy: String?

    /// `--stage`: the stage of every namespace.
    @Option(name: .long, help: "Stage for every namespace: development, staging or production.")
    public var stage: String?

    /// `--output`: text or json.
    @Option(name: .long, help: "Report format: text or json.")
    public var output: String = "text"

    /// `--now`: the decision time.
    @Option(name: .long, help: "Decision time (RFC 3339), for reproducible exception expiry. Default: now.")
    public var now: String?

    /// `--deny-mutations`: needed mutations are violations.
    @Flag(name: .long, help: "Deny what the webhook would otherwise fill in: every needed mutation (resource defaults, credential injection, digest pinning, namespace labels) becomes a violation of its rule.")
    public var denyMutations = false

    /// `--as`: the user applying the manifests.
    @Option(name: .customLong("as"), help: ArgumentHelp("User the manifests are applied as: a platform admin may change a governed namespace's labels.", valueName: "user"))
    public var user = "guardctl"

    /// `--context`: cluster state consulted, not judged.
    @Option(name: .long, help: ArgumentHelp("Cluster state that is consulted, not judged (repeatable): Namespaces, peers, OdooEnvironments whose status.readyHistory proves a promotion.", valueName: "path"))
    public var context: [String] = []

    /// `--as-group`: that user's groups.
    @Option(name: .customLong("as-group"), help: ArgumentHelp("A group of that user (repeatable), e.g. system:masters.", valueName: "group"))
    public var groups: [String] = []

    /// `--skip-non-kubernetes`: skip documents without apiVersion or kind.
    @Flag(name: .long, help: "Skip documents that are not Kubernetes objects (no apiVersion or kind) with a warning; without it they are errors (exit 2).")
    public var skipNonKubernetes = false

    /// `--registry`: make the registry look-ups first.
    @Flag(name: .long, help: "Look the images up in their registries as the webhook does (digests, cosign signatures, scan attestations), with the policy's provenance settings; without it those rules do not run. Runs in guardctl-full.")
    public var registry = false

    /// `--registry-ca-file`: CA certificates for registries.
    @Option(name: .long, help: ArgumentHelp("With --registry: PEM CA certificates trusted for registries besides the system's (repeatable).", valueName: "path"))
    public var registryCaFile: [String] = []

    /// `--registry-auth-file`: registry credentials.
    @Option(name: .long, help: ArgumentHelp("With --registry: a .dockerconfigjson with registry credentials.", valueName: "path"))
    public var registryAuthFile: String?

    /// The inputs.
    @Argument(help: "Files, directories (searched for *.yaml, *.yml, *.json) or - for standard input.")
    public var paths: [String] = []

    /// Options as parsed.
    public init() {}

    /// The configuration of `guardctl check`.
    public static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check manifests against a GuardPolicy, as the admission webhook would.",
        discussion: "Exit status: 0 all allowed (warnings printed), 1 something denied, 2 usage error or unreadable input.")

    /// Refuses an unknown format, no input, and registry options without `--registry`.
    public func validate() throws {
        guard ReportFormatter.Format(rawValue: output) != nil else {
            throw ValidationError("--output must be text or json")
        }
        guard !paths.isEmpty else { throw ValidationError("name at least one file, directory or - for standard input") }
        if !registry && (!registryCaFile.isEmpty || registryAuthFile != nil) {
            throw ValidationError("--registry-ca-file and --registry-auth-file need --registry")
        }
    }

    /// The library's options for these arguments.
    public var options: CheckCommand.Options {
        var options = CheckCommand.Options(
            paths: paths, policyPath: policy, stage: stage, format: ReportFormatter.Format(rawValue: output) ?? .text, now: now,
            denyMutations: denyMutations, user: UserInfo(username: user, groups: groups), contextPaths: context)
        options.skipNonKubernetes = skipNonKubernetes
        return options
    }

    /// Prints the outcome's report and warnings.
    /// - Throws: `ExitCode` with the outcome's status when it is not 0.
    public static func finish(_ outcome: CheckCommand.Outcome) throws {
        Console.out(outcome.standardOutput)
        Console.err(outcome.standardError)
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
    }
}
