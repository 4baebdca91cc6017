import Logging
import ServiceLifecycle

/// Polls the certificate, key, policy and context files and reloads what changed. A failed reload is
/// logged with its cause, counted, and not retried until the files change again; the old
/// certificate or policy keeps serving meanwhile.
struct ReloadWatcher: Service {
    let certificates: CertificateStore
    let policies: PolicyStore
    let metrics: WebhookMetrics
    let interval: Duration
    let logger: Logger

    func run() async throws {
        var certificateSeen = CertificateStore.fingerprints(certificates.certificateFile, certificates.privateKeyFile)
        var policySeen = PolicyStore.fingerprints(policies.policyFile, policies.contextFiles)
        metrics.setPolicyVersion(policies.state.policyVersion, previous: nil)
        metrics.certificateExpiry.set(to: certificates.loaded.notValidAfter.timeIntervalSince1970)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { return }
            let certificateNow = CertificateStore.fingerprints(certificates.certificateFile, certificates.privateKeyFile)
            if certificateNow != certificateSeen {
                certificateSeen = certificateNow
                reloadCertificate()
            }
            let policyNow = PolicyStore.fingerprints(policies.policyFile, policies.contextFiles)
            if policyNow != policySeen {
                policySeen = policyNow
                reloadPolicy()
            }
        }
    }

    func reloadCertificate() {
        do {
            try certificates.reload()
            let loaded = certificates.loaded
            metrics.recordCertificateReload(success: true)
            metrics.certificateExpiry.set(to: loaded.notValidAfter.timeIntervalSince1970)
            logger.notice("serving certificate reloaded", metadata: [
                "certificate.subject": .string(loaded.subject), "certificate.notValidAfter": .string("\(loaded.notValidAfter)"),
            ])
        } catch {
            metrics.recordCertificateReload(success: false)
            logger.error("serving certificate not reloaded; the previous one keeps serving", metadata: [
                "file": .string(certificates.certificateFile), "error": .string(error.description),
            ])
        }
    }

    func reloadPolicy() {
        let previous = policies.state.policyVersion
        do {
            try policies.reload()
            let version = policies.state.policyVersion
            metrics.recordPolicyReload(success: true)
            metrics.setPolicyVersion(version, previous: previous)
            logger.notice("policy reloaded", metadata: ["policy.version": .string(version), "policy.previousVersion": .string(previous)])
        } catch {
            metrics.recordPolicyReload(success: false)
            // The error names the file at fault: the policy or one of the context files, read together.
            logger.error("policy and context not reloaded; the previous ones stay in force", metadata: [
                "files": .string(([policies.policyFile] + policies.contextFiles).joined(separator: ", ")), "policy.version": .string(previous),
                "error": .string(error.description),
            ])
        }
    }
}
