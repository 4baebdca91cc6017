import ArgumentParser
import GuardCheck
import KubeModel

/// `guardctl render`: the operator's plan of OdooEnvironments as YAML, without a cluster.
public struct Render: ParsableCommand {
    /// Its name, help and exit codes.
    public static let configuration = CommandConfiguration(
        abstract: "Print every object the operator would apply for OdooEnvironments, as YAML (no cluster needed).",
        discussion: """
            Generated Secrets are shown with <generated> values: the operator creates them once, in the cluster.
            With an OdooRelease among the inputs it prints the release's dry run instead: the cohorts in order, the
            environments each would switch and the gates each will wait on (approval, maintenance window, backup,
            upgrade Job) at --now.
            Exit status: 0 rendered (warnings on standard error), 2 invalid environment, configuration or usage.
            """)

    /// `-f`/`--file`: OdooEnvironment files or directories.
    @Option(name: [.customShort("f"), .long], help: "OdooEnvironment (or OdooRelease) file or directory (repeatable; - for standard input).")
    public var file: [String] = []

    /// `--config`: the operator configuration.
    @Option(name: .long, help: "Operator configuration file (YAML). Default: the embedded configuration.")
    public var config: String?

    /// `--policy`: the GuardPolicy the plan follows.
    @Option(name: .long, help: "GuardPolicy file whose tiers, Pod Security levels and node pools the plan follows, as the operator follows the cluster's. Default: none.")
    public var policy: String?

    /// `--namespace`: the namespace of environments that name none.
    @Option(name: .long, help: "Namespace of environments that name none.")
    public var namespace: String?

    /// `--now`: the time planned for.
    @Option(name: .long, help: "The time to plan for (RFC 3339), so a sleep schedule renders reproducibly. Default: now.")
    public var now: String?

    /// More inputs.
    @Argument(help: "More files or directories.")
    public var paths: [String] = []

    /// Options as parsed.
    public init() {}

    /// Refuses a `--now` that is not an RFC 3339 time.
    public func validate() throws {
        if let now, Timestamp.parse(now) == nil { throw ValidationError("--now must be an RFC 3339 time such as 2026-12-02T22:00:00Z") }
    }

    /// Renders, prints, exits with the outcome's status.
    public func run() throws {
        var options = RenderCommand.Options(inputs: file + paths, configurationPath: config, namespace: namespace)
        options.now = now.flatMap(Timestamp.parse)
        options.policyPath = policy
        let outcome = RenderCommand.run(options)
        Console.out(outcome.standardOutput)
        Console.err(outcome.standardError)
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
    }
}
