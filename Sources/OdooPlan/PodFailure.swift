import Foundation
import KubeModel

/// A container of an environment's web or cron pod that exited with an error, as its pod reports
/// it: what makes an environment `Degraded` although every object is applied.
public struct PodFailure: Sendable, Equatable {
    /// The pod.
    public var pod: String
    /// The container (an init container included).
    public var container: String
    /// Its exit status.
    public var exitCode: Int64
    /// Its termination message (the check's sentence, or the end of its log).
    public var message: String

    /// The init container that writes odoo.conf and checks the server-wide modules.
    public static let configContainer = "config"
    /// Its exit status when a server-wide module is missing.
    public static let missingModuleExit = 3

    /// A failure.
    public init(pod: String, container: String, exitCode: Int64, message: String) {
        self.pod = pod
        self.container = container
        self.exitCode = exitCode
        self.message = message
    }

    /// The failures a pod reports: containers not running now whose current or previous run exited
    /// non-zero (one that crashed once and runs again is not a failure).
    public static func of(pod: PodView) -> [PodFailure] {
        pod.containers.compactMap { container in
            guard !container.running,
                  let ended = [container.terminated, container.lastTerminated].compactMap({ $0 }).first(where: { $0.exitCode != 0 }) else { return nil }
            let message = (ended.message ?? ended.reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            return PodFailure(pod: pod.name, container: container.name, exitCode: ended.exitCode, message: String(message.suffix(600)))
        }
    }

    /// The failures of a pod as the API returned it.
    public static func of(pod: JSONValue) -> [PodFailure] { of(pod: PodView(pod)) }

    /// `ServerWideModuleMissing` when the config check found a missing module, `PodsFailing` otherwise.
    public var reason: String {
        container == PodFailure.configContainer && exitCode == Int64(PodFailure.missingModuleExit)
            ? EnvironmentCondition.serverWideModuleMissing : EnvironmentCondition.podsFailing
    }

    /// For the status: `pod P: container C exited N: message`.
    public var description: String {
        "pod \(pod): container \(container) exited \(exitCode)\(message.isEmpty ? "" : ": " + message)"
    }
}
