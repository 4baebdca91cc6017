import ArgumentParser
import GuardCheck
import GuardCtlCommands
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
            let credentials = try ImageVerification.readCredentials(arguments.registryAuthFile)
            let roots = try ImageVerification.readCertificates(arguments.registryCaFile)
            let frozen = logger
            return { lookups, policy in
                await ImageVerification.lookUp(lookups, policy: policy, credentials: credentials, trustRoots: roots, logger: frozen)
            }
        } catch {
            Console.err("guardctl check: \(error)\n")
            throw ExitCode(2)
        }
    }
}
