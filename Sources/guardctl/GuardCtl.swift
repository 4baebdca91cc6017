import ArgumentParser
import CommandLineSupport
import Foundation
import GuardCheck
import GuardCtlCommands

/// `guardctl`: the offline tools of odoo-guard (check, render, policy). The subcommands that need the
/// network stack or X.509 — audit, evidence, verify-image, certs and `check --registry` — run in
/// `guardctl-full`, started with the same arguments. Parses arguments and calls the libraries.
@main
struct GuardCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guardctl",
        abstract: "Tools of odoo-guard: check manifests against a GuardPolicy, render an OdooEnvironment, verify the audit chain, verify image provenance, generate and rotate the webhook's certificates.",
        discussion: "audit, evidence, verify-image, certs and check --registry run in guardctl-full (swift build --product guardctl-full), which guardctl starts with the same arguments.",
        subcommands: [Check.self, Render.self, Policy.self, Audit.self, Evidence.self, VerifyImage.self, Certs.self])

    /// Hands a `guardctl-full` subcommand over before parsing (so its own help and errors show);
    /// otherwise runs with usage errors exiting 2 (not ArgumentParser's 64), as bad input does.
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let command = Companion.forwarded(arguments) { Companion.run(arguments, asking: command.rawValue) }
        await mainWithGuardExitCodes()
    }
}

/// `guardctl check`; with `--registry` it is run by `guardctl-full`, which makes the look-ups.
struct Check: ParsableCommand {
    static let configuration = CheckArguments.configuration

    @OptionGroup var arguments: CheckArguments

    func run() throws {
        if arguments.registry { Companion.run(Array(CommandLine.arguments.dropFirst()), asking: "check --registry") }
        try CheckArguments.finish(CheckCommand.run(arguments.options))
    }
}

/// Lists a `guardctl-full` subcommand in the help; `main` hands it over before parsing.
protocol ForwardedCommand: ParsableCommand {
    static var command: Companion.Command { get }
    var arguments: [String] { get }
}

extension ForwardedCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: command.rawValue, abstract: command.abstract + " (Runs in guardctl-full.)")
    }

    func run() throws { Companion.run([Self.command.rawValue] + arguments, asking: Self.command.rawValue) }
}

struct Audit: ForwardedCommand {
    static let command = Companion.Command.audit
    @Argument(parsing: .captureForPassthrough) var arguments: [String] = []
}

struct Evidence: ForwardedCommand {
    static let command = Companion.Command.evidence
    @Argument(parsing: .captureForPassthrough) var arguments: [String] = []
}

struct VerifyImage: ForwardedCommand {
    static let command = Companion.Command.verifyImage
    @Argument(parsing: .captureForPassthrough) var arguments: [String] = []
}

struct Certs: ForwardedCommand {
    static let command = Companion.Command.certs
    @Argument(parsing: .captureForPassthrough) var arguments: [String] = []
}
