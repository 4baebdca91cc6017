import ArgumentParser
import GuardCheck
import GuardCtlCommands
import GuardRules
import ImageProvenance
import Logging

/// `guardctl verify-image`: resolve an image, check its cosign signature and read its scan
/// attestation, as the webhook would.
struct VerifyImage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-image",
        abstract: Companion.Command.verifyImage.abstract,
        discussion: "Exit status: 0 verified (or resolved, with no key to check), 1 rejected, 2 error (unreachable registry, bad reference or input).")

    @Argument(help: "Image reference (registry/repository:tag or @sha256:…).") var image: String
    @Option(name: .long, help: "PEM public key file trusted for this image (repeatable).") var key: [String] = []
    @Option(name: .long, help: "Registry host:port spoken to over plain HTTP (repeatable).") var insecureRegistry: [String] = []
    @Option(name: .long, help: "GuardPolicy file: its provenance settings and the keys it trusts for the repository.") var policy: String?
    @Option(name: .long, help: "PEM CA certificates trusted for the registry besides the system's (repeatable).") var caFile: [String] = []
    @Option(name: .long, help: "A .dockerconfigjson with registry credentials.") var authFile: String?
    @Option(name: .long, help: "PEM public key file trusted for vulnerability-scan attestations (repeatable).") var scanKey: [String] = []
    @Flag(name: .long, help: "Fail (exit 1) unless a trusted scan attestation is young enough and has no finding at or above the policy's severity.")
    var requireScan = false
    @Option(name: .long, help: "Output: text or json.") var output: String = "text"

    func validate() throws {
        guard ["text", "json"].contains(output) else { throw ValidationError("--output must be text or json") }
    }

    func run() async throws {
        var logger = Logger(label: "guardctl")
        logger.logLevel = .critical
        do {
            let loaded = try policy.map { try CheckCommand.loadPolicy($0) }
            let report = try await ImageVerification.verify(
                image, keys: try ImageVerification.readKeys(key), policy: loaded?.provenance ?? ProvenancePolicy(), insecureRegistries: insecureRegistry,
                credentials: try ImageVerification.readCredentials(authFile), trustRoots: try ImageVerification.readCertificates(caFile),
                logger: logger, scans: loaded?.scanAttestation ?? ScanAttestationPolicy(), scanKeys: try ImageVerification.readKeys(scanKey),
                requireScan: requireScan)
            Console.out(output == "json" ? report.json : report.text)
            if report.exitCode != 0 { throw ExitCode(report.exitCode) }
        } catch let error as ImageProvenanceError {
            Console.err("guardctl verify-image: \(error)\n")
            throw ExitCode(2)
        } catch let error as GuardCheckError {
            Console.err("guardctl verify-image: \(error)\n")
            throw ExitCode(2)
        }
    }
}
