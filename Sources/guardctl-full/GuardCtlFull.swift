import ArgumentParser
import CommandLineSupport
import GuardCheck
import GuardCtlCommands

/// `guardctl-full`: every subcommand of `guardctl`, with those that need PostgreSQL, registries or
/// X.509 (audit, evidence, verify-image, certs, `check --registry`). The light `guardctl` starts it for
/// those; release images ship both. Parses arguments and calls the libraries.
@main
struct GuardCtlFull: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guardctl",
        abstract: "Tools of odoo-guard: check manifests against a GuardPolicy, render an OdooEnvironment, verify the audit chain, verify image provenance, generate and rotate the webhook's certificates.",
        discussion: "This is guardctl-full: the same commands as guardctl, with the ones guardctl hands over to it.",
        subcommands: [Check.self, Render.self, Policy.self, Audit.self, Evidence.self, VerifyImage.self, Certs.self])

    /// Runs the command; usage errors exit with 2 (not ArgumentParser's 64), as bad input does.
    static func main() async { await mainWithGuardExitCodes() }
}

/// `guardctl check`, with `--registry` making the webhook's registry look-ups first.
struct Check: AsyncParsableCommand {
    static let configuration = CheckArguments.configuration

    @OptionGroup var arguments: CheckArguments

    func run() async throws {
        if arguments.registry {
            try CheckArguments.finish(await CheckCommand.run(arguments.options, lookUp: try registryLookUp()))
        } else {
            try CheckArguments.finish(CheckCommand.run(arguments.options))
        }
    }
}
