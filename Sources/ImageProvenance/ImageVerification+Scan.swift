import Foundation
import GuardRules
import KubeModel

extension ImageVerification {
    /// What `guardctl verify-image` found of an image's vulnerability-scan attestation, judged as the
    /// `image.scan-attested` rule judges it (age, findings at or above the policy's severity).
    public struct ScanReport: Sendable {
        /// The registry's verdict on the attestations.
        public let verdict: ScanVerdict
        /// The policy it is judged by.
        public let policy: ScanAttestationPolicy
        /// When it was judged.
        public let now: Date
        /// Whether a failing scan fails the command (`--require-scan`).
        public let required: Bool

        /// The findings that refuse the image: at or above the severity (fixable only, with `ignoreUnfixed`).
        public var blocking: [ScanAttestation.Vulnerability] {
            guard case .attested(let attestation) = verdict else { return [] }
            return attestation.vulnerabilities.filter { $0.severity >= policy.severity && (!policy.ignoreUnfixed || $0.fixAvailable) }
        }

        /// Whole days since the scan finished, for an attested scan.
        public var ageDays: Int? {
            guard case .attested(let attestation) = verdict else { return nil }
            return Int(now.timeIntervalSince(attestation.finishedAt) / 86_400)
        }

        /// `passed`, `failed` (findings), `too_old`, or the verdict's kind (`missing`, `replayed`,
        /// `untrusted`, `malformed`, `unavailable`).
        public var result: String {
            switch verdict {
            case .attested(let attestation):
                let age = now.timeIntervalSince(attestation.finishedAt)
                if age > TimeInterval(policy.maxAgeDays) * 86_400 || age < -300 { return "too_old" }
                return blocking.isEmpty && attestation.omitted == 0 ? "passed" : "failed"
            case .missing: return "missing"
            case .replayed: return "replayed"
            case .untrusted: return "untrusted"
            case .malformed: return "malformed"
            case .unavailable: return "unavailable"
            }
        }

        /// The sentence of the report.
        public var explanation: String {
            var text = verdict.explanation
            if let ageDays { text += "; \(ageDays) day\(ageDays == 1 ? "" : "s") old (the policy accepts \(policy.maxAgeDays))" }
            let blocking = self.blocking
            if !blocking.isEmpty {
                let listed = blocking.prefix(5).map { "\($0.id) (\($0.severity)\($0.fixAvailable ? ", fix available" : ""))" }
                text += "; \(blocking.count) finding\(blocking.count == 1 ? "" : "s") at or above \(policy.severity): \(listed.joined(separator: ", "))"
                    + (blocking.count > listed.count ? ", …" : "")
            }
            return text
        }

        /// The exit status it asks for: 0 unless required and not passed (1), or unreachable (2).
        var exitCode: Int32 {
            guard required, result != "passed" else { return 0 }
            return result == "unavailable" ? 2 : 1
        }

        var json: JSONValue {
            var fields: JSONObject = ["result": .string(result), "reason": .string(explanation), "required": .bool(required),
                                      "severity": .string(policy.severity.description), "maxAgeDays": .int(Int64(policy.maxAgeDays))]
            if let ageDays { fields["ageDays"] = .int(Int64(ageDays)) }
            fields["findings"] = .array(blocking.map { .string($0.id) })
            return .object(fields)
        }
    }
}
