import ArgumentParser
import CertKit
import Foundation
import GuardCheck
import GuardCtlCommands
import KubeModel

/// `guardctl certs`: the webhook's CA and serving certificate as files (see `certs/README.md`).
struct Certs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: Companion.Command.certs.abstract,
        subcommands: [Generate.self, Rotate.self])

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a CA (ECDSA P-256, 10 years), a serving certificate for a Service (1 year) and the base64 caBundle.",
            discussion: """
                Files in --out: ca.crt, ca.key, tls.crt, tls.key (mode 0600 for keys) and caBundle. The serving \
                certificate names svc, svc.ns, svc.ns.svc and svc.ns.svc.<cluster domain>, plus every --ip.
                Exit status: 0 written, 2 bad input or files that exist (without --force).
                """)

        @Option(name: .long, help: "The webhook's Service name.") var service: String
        @Option(name: .long, help: "The Service's namespace.") var namespace: String
        @Option(name: .long, help: "Directory to write to (created if missing).") var out: String
        @Option(name: .long, help: "Cluster DNS domain.") var clusterDomain: String = "cluster.local"
        @Option(name: .long, help: "Extra IP address SAN, e.g. 127.0.0.1 for a webhook registered by URL (repeatable).") var ip: [String] = []
        @Option(name: .long, help: "CA lifetime in days.") var caValidityDays: Int = 3650
        @Option(name: .long, help: "Serving certificate lifetime in days.") var validityDays: Int = 365
        @Flag(name: .long, help: "Replace existing files, CA included (every caBundle must then be updated).") var force = false

        func validate() throws {
            guard DNSLabel.isValid(service) else { throw ValidationError("--service \"\(service)\" is not a DNS label (a Service name)") }
            guard DNSLabel.isValid(namespace) else { throw ValidationError("--namespace \"\(namespace)\" is not a DNS label (a namespace name)") }
            guard caValidityDays >= 1, validityDays >= 1 else { throw ValidationError("--ca-validity-days and --validity-days must be at least 1") }
            guard validityDays <= caValidityDays else { throw ValidationError("--validity-days must not exceed --ca-validity-days") }
        }

        func run() throws {
            let names = CertificateAuthority.serviceDNSNames(service: service, namespace: namespace, clusterDomain: clusterDomain)
            let outcome = try Certs.handle("generate") { () throws(CertKitError) in
                try CertificateDirectory(path: out).generate(dnsNames: names, ipAddresses: ip, caValidity: Double(caValidityDays) * 86_400,
                                                             validity: Double(validityDays) * 86_400, force: force)
            }
            Console.out("wrote \(out): CA and serving certificate for \(outcome.names.joined(separator: ", ")), valid until \(Certs.text(outcome.notValidAfter))\n")
        }

    }

    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Renew the serving certificate with the same CA when it expires within --renew-before-days.",
            discussion: """
                Keeps the certificate's names; the CA and caBundle do not change, so the webhook configurations need no \
                update and a running guard-webhook picks the new pair up from its files. Nothing is written while the \
                certificate is valid for longer than the margin (unless --force).
                Exit status: 0 renewed or still valid, 2 missing or invalid files, or a CA that expires within the margin.
                """)

        @Option(name: .long, help: "Directory written by certs generate.") var dir: String
        @Option(name: .long, help: "Renew when the certificate expires within this many days.") var renewBeforeDays: Int = 30
        @Option(name: .long, help: "New serving certificate lifetime in days (never past the CA's expiry).") var validityDays: Int = 365
        @Flag(name: .long, help: "Renew now, whatever the expiry.") var force = false

        func validate() throws {
            guard renewBeforeDays >= 0 else { throw ValidationError("--renew-before-days must not be negative") }
            guard validityDays > renewBeforeDays else { throw ValidationError("--validity-days must exceed --renew-before-days, or every run renews") }
        }

        func run() throws {
            let outcome = try Certs.handle("rotate") { () throws(CertKitError) in
                try CertificateDirectory(path: dir).rotate(renewBefore: Double(renewBeforeDays) * 86_400,
                                                           validity: Double(validityDays) * 86_400, force: force)
            }
            let until = Certs.text(outcome.notValidAfter)
            Console.out(outcome.renewed ? "renewed \(dir)/tls.crt: valid until \(until)\n"
                                        : "\(dir)/tls.crt is valid until \(until), beyond the \(renewBeforeDays)-day margin: nothing to do\n")
        }
    }

    static func handle(_ verb: String, _ body: () throws(CertKitError) -> CertificateDirectory.Outcome) throws -> CertificateDirectory.Outcome {
        do { return try body() } catch {
            Console.err("guardctl certs \(verb): \(error)\n")
            throw ExitCode(2)
        }
    }

    static func text(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
}
