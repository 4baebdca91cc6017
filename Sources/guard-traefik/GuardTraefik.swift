import ArgumentParser
import CommandLineSupport
import Foundation
import GuardCheck
import TraefikGen

/// `guard-traefik`: Traefik middlewares and routes for Odoo environments. Parses arguments and calls
/// the library.
@main
struct GuardTraefik: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guard-traefik",
        abstract: "Generate Traefik middlewares, routes and TLS options for Odoo environments.",
        discussion: """
            Inputs are OdooEnvironments or compact routing specs (YAML or JSON). Every input is validated \
            before anything is written.
            Exit status: 0 written, 1 the output could not be written, 2 invalid input or options.
            """)

    @Option(name: .long, help: "Traefik generation: v3 (traefik.io) or v2 (traefik.containo.us).")
    var target: String = "v3"

    @Option(name: .long, help: "crd (Kubernetes objects) or file (file-provider dynamic configuration).")
    var format: String = "crd"

    @Option(name: .long, help: "Write one file per environment into this directory instead of standard output.")
    var out: String?

    @Option(name: .long, help: "Namespace for inputs that do not name one.")
    var namespace: String?

    @Option(name: .customLong("web-entrypoint"), help: "The plain-HTTP entry point (redirected to HTTPS).")
    var webEntryPoint: String = "web"

    @Option(name: .customLong("secure-entrypoint"), help: "The HTTPS entry point.")
    var secureEntryPoint: String = "websecure"

    @Option(name: .long, help: "File format: the host Odoo listens on.")
    var upstream: String = "127.0.0.1"

    @Option(name: .customLong("cert-dir"), help: "File format: where certificates of TLS Secrets are (<dir>/<namespace>/<secret>/tls.crt).")
    var certDir: String = "/etc/traefik/certs"

    @Option(name: [.customShort("f"), .long], help: "An input file or directory (repeatable; - for standard input), as kubectl and guardctl render take it.")
    var file: [String] = []

    @Argument(help: "Files, directories (searched for *.yaml, *.yml, *.json) or - for standard input; the same as -f.")
    var inputs: [String] = []

    /// Runs the command; usage errors exit with 2 (not ArgumentParser's 64), as bad input does.
    static func main() { mainWithGuardExitCodes() }

    func run() throws {
        let defaults = RoutingDefaults(namespace: namespace, webEntryPoint: webEntryPoint, secureEntryPoint: secureEntryPoint, upstreamHost: upstream)
        let outcome = TraefikCommand.run(TraefikCommand.Options(
            inputs: file + inputs, target: target, format: format, outputDirectory: out, defaults: defaults, certificateDirectory: certDir))
        Console.out(outcome.standardOutput)
        Console.err(outcome.standardError)
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
    }
}
