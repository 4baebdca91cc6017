import ArgumentParser
import GuardCheck
import GuardRules
import ImageProvenance
import Logging

extension Check {
    /// The registry look-ups of `--registry`: the credentials and CAs given, a provenance service
    /// started for the run. Unreadable files are usage errors (exit 2), named.
    func registryLookUp() throws -> CheckCommand.ImageLookUp {
        var logger = Logger(label: "guardctl")
        logger.logLevel = .critical
        do {
            let credentials = try ImageVerification.readCredentials(registryAuthFile)
            let roots = try ImageVerification.readCertificates(registryCaFile)
            let frozen = logger
            return { lookups, policy in
                await ImageVerification.lookUp(lookups, policy: policy, credentials: credentials, trustRoots: roots, logger: frozen)
            }
        } catch {
            Console.err("guardctl check: \(error)\n")
            throw ExitCode(2)
        }
    }

    /// `--registry-ca-file` and `--registry-auth-file` only mean something with `--registry`.
    func validateRegistryOptions() throws {
        if !registry && (!registryCaFile.isEmpty || registryAuthFile != nil) {
            throw ValidationError("--registry-ca-file and --registry-auth-file need --registry")
        }
    }
}
