import ArgumentParser
import CommandLineSupport
import Foundation
import GuardCheck
import KubeModel

/// `guardctl`: offline tools of odoo-guard. Parses arguments and calls the libraries.
@main
struct GuardCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guardctl",
        abstract: "Tools of odoo-guard: check manifests against a GuardPolicy, render an OdooEnvironment, verify the audit chain, verify image provenance, generate and rotate the webhook's certificates.",
        subcommands: [Check.self, Render.self, Policy.self, Audit.self, Evidence.self, VerifyImage.self, Certs.self])

    /// Runs the command; usage errors exit with 2 (not ArgumentParser's 64), as bad input does.
    static func main() async { await mainWithGuardExitCodes() }
}

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check manifests against a GuardPolicy, as the admission webhook would.",
        discussion: "Exit status: 0 all allowed (warnings printed), 1 something denied, 2 usage error or unreadable input.")

    @Option(name: .long, help: "GuardPolicy file (YAML or JSON). Default: the embedded policy.")
    var policy: String?

    @Option(name: .long, help: "Stage for every namespace: development, staging or production.")
    var stage: String?

    @Option(name: .long, help: "Report format: text or json.")
    var output: String = "text"

    @Option(name: .long, help: "Decision time (RFC 3339), for reproducible exception expiry. Default: now.")
    var now: String?

    @Flag(name: .long, help: "Deny what the webhook would otherwise fill in: every needed mutation (resource defaults, credential injection, digest pinning, namespace labels) becomes a violation of its rule.")
    var denyMutations = false

    @Option(name: .customLong("as"), help: ArgumentHelp("User the manifests are applied as: a platform admin may change a governed namespace's labels.", valueName: "user"))
    var user = "guardctl"

    @Option(name: .long, help: ArgumentHelp("Cluster state that is consulted, not judged (repeatable): Namespaces, peers, OdooEnvironments whose status.readyHistory proves a promotion.", valueName: "path"))
    var context: [String] = []

    @Option(name: .customLong("as-group"), help: ArgumentHelp("A group of that user (repeatable), e.g. system:masters.", valueName: "group"))
    var groups: [String] = []

    @Flag(name: .long, help: "Skip documents that are not Kubernetes objects (no apiVersion or kind) with a warning; without it they are errors (exit 2).")
    var skipNonKubernetes = false

    @Flag(name: .long, help: "Look the images up in their registries as the webhook does (digests, cosign signatures, scan attestations), with the policy's provenance settings; without it those rules do not run.")
    var registry = false

    @Option(name: .long, help: ArgumentHelp("With --registry: PEM CA certificates trusted for registries besides the system's (repeatable).", valueName: "path"))
    var registryCaFile: [String] = []

    @Option(name: .long, help: ArgumentHelp("With --registry: a .dockerconfigjson with registry credentials.", valueName: "path"))
    var registryAuthFile: String?

    @Argument(help: "Files, directories (searched for *.yaml, *.yml, *.json) or - for standard input.")
    var paths: [String] = []

    func validate() throws {
        guard ReportFormatter.Format(rawValue: output) != nil else {
            throw ValidationError("--output must be text or json")
        }
        guard !paths.isEmpty else { throw ValidationError("name at least one file, directory or - for standard input") }
        try validateRegistryOptions()
    }

    func run() async throws {
        var options = CheckCommand.Options(
            paths: paths, policyPath: policy, stage: stage, format: ReportFormatter.Format(rawValue: output) ?? .text, now: now,
            denyMutations: denyMutations, user: UserInfo(username: user, groups: groups), contextPaths: context)
        options.skipNonKubernetes = skipNonKubernetes
        let outcome: CheckCommand.Outcome
        if registry {
            outcome = await CheckCommand.run(options, lookUp: try registryLookUp())
        } else {
            outcome = CheckCommand.run(options)
        }
        Console.out(outcome.standardOutput)
        Console.err(outcome.standardError)
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
    }
}

struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print every object the operator would apply for OdooEnvironments, as YAML (no cluster needed).",
        discussion: """
            Generated Secrets are shown with <generated> values: the operator creates them once, in the cluster.
            Exit status: 0 rendered (warnings on standard error), 2 invalid environment, configuration or usage.
            """)

    @Option(name: [.customShort("f"), .long], help: "OdooEnvironment file or directory (repeatable; - for standard input).")
    var file: [String] = []

    @Option(name: .long, help: "Operator configuration file (YAML). Default: the embedded configuration.")
    var config: String?

    @Option(name: .long, help: "Namespace of environments that name none.")
    var namespace: String?

    @Argument(help: "More files or directories.")
    var paths: [String] = []

    func run() throws {
        let outcome = RenderCommand.run(RenderCommand.Options(inputs: file + paths, configurationPath: config, namespace: namespace))
        Console.out(outcome.standardOutput)
        Console.err(outcome.standardError)
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
    }
}

struct Policy: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show or validate GuardPolicies.", subcommands: [ShowDefault.self, Validate.self])

    struct ShowDefault: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "default", abstract: "Print the embedded default GuardPolicy.")
        func run() throws { Console.out(PolicyCommand.defaultPolicyText) }
    }

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Validate a GuardPolicy file, listing every problem.")
        @Argument(help: "The policy file.") var file: String
        func run() throws {
            let outcome = PolicyCommand.validate(file)
            Console.out(outcome.standardOutput)
            Console.err(outcome.standardError)
            if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
        }
    }
}
