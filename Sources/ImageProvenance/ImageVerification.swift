import Foundation
import GuardRules
import KubeModel
import Logging
import NIOSSL

/// `guardctl verify-image` as a library call: resolve one reference, check its signature with the
/// given keys (and those the policy trusts for its repository), read its vulnerability-scan
/// attestation with the keys trusted for scans, and report.
public struct ImageVerification: Sendable {
    /// The outcome, with the exit status the command uses.
    public struct Report: Sendable {
        /// The reference as given.
        public let image: String
        /// The digest checked (written or resolved), when known.
        public let digest: String?
        /// The resolution, when the reference had no digest.
        public let resolution: DigestResolution?
        /// The signature verdict, when keys were given.
        public let signature: SignatureVerdict?
        /// The keys checked against.
        public let keys: [String]
        /// The scan attestation, when a key is trusted for scans of the repository.
        public var scan: ScanReport?

        /// 0 verified (or resolved with no key to check), 1 rejected, 2 error (unreachable).
        public var exitCode: Int32 {
            if case .unavailable? = resolution { return 2 }
            if case .notFound? = resolution { return 1 }
            let signed: Int32
            switch signature {
            case nil, .verified?: signed = digest == nil ? 2 : 0
            case .unavailable?: signed = 2
            default: signed = 1
            }
            return max(signed, scan?.exitCode ?? 0)
        }

        /// `verified`, `resolved` (no key to check), `rejected` or `error`.
        public var verdict: String {
            switch exitCode {
            case 0: return signature == nil ? "resolved" : "verified"
            case 1: return "rejected"
            default: return "error"
            }
        }

        /// One line per fact, for people.
        public var text: String {
            var lines = ["image:     \(image)"]
            if let digest { lines.append("digest:    \(digest)") }
            switch resolution {
            case .notFound(let reason)?: lines.append("resolve:   not found: \(reason)")
            case .unavailable(let reason)?: lines.append("resolve:   registry unreachable: \(reason)")
            default: break
            }
            if let signature {
                lines.append("keys:      \(keys.joined(separator: ", "))")
                lines.append("signature: \(signature.isVerified ? "VERIFIED" : "REJECTED"): \(signature.explanation)")
            } else if digest != nil {
                lines.append("signature: not checked (no trusted key given or configured for this repository)")
            }
            if let scan {
                lines.append("scan:      \(scan.result.uppercased().replacingOccurrences(of: "_", with: " ")): \(scan.explanation)\(scan.required ? "" : " (reported; --require-scan makes it decide)")")
            } else if digest != nil {
                lines.append("scan:      not checked (no key trusted for scan attestations given or configured for this repository)")
            }
            lines.append("verdict:   \(verdict)")
            return lines.joined(separator: "\n") + "\n"
        }

        /// The same as JSON.
        public var json: String {
            var fields: JSONObject = ["image": .string(image), "verdict": .string(verdict)]
            if let digest { fields["digest"] = .string(digest) }
            switch resolution {
            case .notFound(let reason)?: fields["resolution"] = .object(["result": .string("not_found"), "reason": .string(reason)])
            case .unavailable(let reason)?: fields["resolution"] = .object(["result": .string("unavailable"), "reason": .string(reason)])
            case .resolved(let digest)?: fields["resolution"] = .object(["result": .string("resolved"), "digest": .string(digest)])
            case nil: break
            }
            if let signature {
                fields["signature"] = .object(["verified": .bool(signature.isVerified), "reason": .string(signature.explanation),
                                               "keys": .array(keys.map { .string($0) })])
            }
            if let scan { fields["scan"] = scan.json }
            return String(decoding: JSONValue.object(fields).serializedBytes(.sortedKeys), as: UTF8.self) + "\n"
        }
    }

    /// Resolves and verifies `image` with a service started for the call.
    /// - Parameters:
    ///   - keys: extra trusted keys (`--key` files).
    ///   - policy: the provenance settings and the keys it trusts per repository (`--policy`).
    ///   - insecureRegistries: extra registries spoken to over plain HTTP (`--insecure-registry`).
    ///   - scans: the scan attestation settings (`spec.scanAttestation` of `--policy`), `scanKeys` extra
    ///     keys trusted for scans (`--scan-key`), `requireScan` whether a failing scan fails the command.
    /// - Throws: ``ImageProvenanceError`` `invalidReference` for a reference that cannot be parsed.
    public static func verify(_ image: String, keys: [TrustedKey], policy: ProvenancePolicy, insecureRegistries: [String],
                              credentials: CredentialStore, trustRoots: [NIOSSLCertificate], logger: Logger,
                              scans: ScanAttestationPolicy = ScanAttestationPolicy(), scanKeys: [TrustedKey] = [], requireScan: Bool = false,
                              now: Date = Date()) async throws(ImageProvenanceError) -> Report {
        let reference: ImageReference
        do { reference = try ImageReference(parsing: image) } catch {
            throw ImageProvenanceError.invalidReference(error.message, cause: error)
        }
        var allKeys = keys
        for key in policy.keys(for: reference.name) where !allKeys.contains(key) { allKeys.append(key) }
        var settings = policy
        settings.insecureRegistries += insecureRegistries
        var allScanKeys = scanKeys
        for key in scans.keys(for: reference.name, provenance: policy) where !allScanKeys.contains(key) { allScanKeys.append(key) }
        let lookup = ImageLookup(image: image, reference: reference, resolve: !reference.hasDigest, verify: !allKeys.isEmpty, keys: allKeys,
                                 scan: !allScanKeys.isEmpty, scanKeys: allScanKeys, scanThreshold: scans.severity)
        let facts = await lookUp([lookup], policy: settings, credentials: credentials, trustRoots: trustRoots, logger: logger)
        let resolution = facts.resolutions[image]
        let digest = reference.digest ?? resolution?.digest
        let signature = digest.flatMap { facts.signatures[ImageProvenanceFacts.signatureKey(name: reference.name, digest: $0)] }
        var report = Report(image: image, digest: digest, resolution: resolution, signature: signature, keys: allKeys.map(\.description))
        if let digest, let verdict = facts.scans[ImageProvenanceFacts.signatureKey(name: reference.name, digest: digest)] {
            report.scan = ScanReport(verdict: verdict, policy: scans, now: now, required: requireScan)
        } else if requireScan, digest != nil {
            report.scan = ScanReport(verdict: .unavailable("no key is trusted for scan attestations of \(reference.name): give one with --scan-key or in the policy"),
                                     policy: scans, now: now, required: true)
        }
        return report
    }

    /// Makes `lookups` with a provenance service started for the call and stopped after it
    /// (`guardctl check --registry`, `guardctl verify-image`): the webhook's look-ups, in one process run.
    public static func lookUp(_ lookups: [ImageLookup], policy: ProvenancePolicy, credentials: CredentialStore,
                              trustRoots: [NIOSSLCertificate], logger: Logger) async -> ImageProvenanceFacts {
        let service = ImageProvenanceService(configuration: .init(additionalTrustRoots: trustRoots, cacheSize: max(16, lookups.count * 2)),
                                             logger: logger)
        return await withTaskGroup(of: ImageProvenanceFacts?.self) { group in
            group.addTask {
                do { try await service.run() } catch { logger.error("registry client stopped", metadata: ["error": "\(error)"]) }
                return nil
            }
            let facts = await service.facts(for: lookups, policy: policy, credentials: credentials)
            service.shutdown()
            for await _ in group {}
            return facts
        }
    }

    /// Reads PEM public key files (`--key`), naming each key after its file.
    /// - Throws: ``ImageProvenanceError`` `invalidInput` naming the file.
    public static func readKeys(_ paths: [String]) throws(ImageProvenanceError) -> [TrustedKey] {
        var keys: [TrustedKey] = []
        for path in paths {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ImageProvenanceError.invalidInput("key file \(path) cannot be read")
            }
            do { keys.append(try TrustedKey(name: URL(fileURLWithPath: path).lastPathComponent, pem: text)) } catch {
                throw ImageProvenanceError.invalidInput("key file \(path) is not a PEM ECDSA P-256 public key")
            }
        }
        return keys
    }

    /// Reads PEM CA certificates (`--ca-file`).
    /// - Throws: ``ImageProvenanceError`` `invalidInput` naming the file.
    public static func readCertificates(_ paths: [String]) throws(ImageProvenanceError) -> [NIOSSLCertificate] {
        var roots: [NIOSSLCertificate] = []
        for path in paths {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8),
                  let certificates = try? NIOSSLCertificate.fromPEMBytes(Array(text.utf8)), !certificates.isEmpty else {
                throw ImageProvenanceError.invalidInput("CA file \(path) holds no readable PEM certificate")
            }
            roots += certificates
        }
        return roots
    }

    /// Reads a `.dockerconfigjson` auth file (`--auth-file`).
    /// - Throws: ``ImageProvenanceError`` naming the file.
    public static func readCredentials(_ path: String?) throws(ImageProvenanceError) -> CredentialStore {
        guard let path else { return CredentialStore() }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ImageProvenanceError.invalidInput("auth file \(path) cannot be read")
        }
        return try CredentialStore(dockerConfig: Array(data), source: "auth file \(path)")
    }
}
