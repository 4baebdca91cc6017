import Foundation
import GuardRules
import ImageProvenance
import KubeClient
import KubeRuntime
import Logging
import OdooPlan
import PolicyAudit
import ServiceLifecycle

/// `guard-operator` as its flags describe it, wired: the files read, the cluster client made, the
/// services in start order. `guard-operator`'s main only parses flags and calls ``build(_:logger:)``
/// and ``run(logger:)``; the tests call the same two.
public struct OperatorLaunch: Sendable {
    /// What the flags say, before any file is read or connection made.
    public struct Options: Sendable {
        /// Kubeconfig path (`nil`: KUBECONFIG, else in-cluster, else ~/.kube/config).
        public var kubeconfig: String?
        /// The operator configuration file (`nil`: the embedded one).
        public var configFile: String?
        /// The GuardPolicy file the plan is checked against (`nil`: the embedded policy; ``skipPolicy``: none).
        public var policyFile: String?
        /// The value of ``policyFile`` that skips the pre-apply check.
        public static let skipPolicy = "none"
        /// Only this namespace (`nil`: all).
        public var namespace: String?
        /// Only environments with these labels (a shard).
        public var labelSelector: String?
        /// Concurrent reconciles.
        public var workers = 4
        /// Whether only the holder of a Lease reconciles.
        public var leaderElection = true
        /// The Lease's namespace (`nil`: the kubeconfig's, or `odoo-guard` when that is `default`).
        public var leaseNamespace: String?
        /// The Lease's name (one per shard).
        public var leaseName = "guard-operator"
        /// Whether image tags are resolved to digests in the registry (else only pinned images pass).
        public var resolveImages = true
        /// Health and metrics address.
        public var host = "0.0.0.0"
        /// Health and metrics port (0: any free one).
        public var port = 8080
        /// Seconds between full re-checks (at least 10).
        public var resyncSeconds = 600
        /// Seconds between background audit passes (0: no audit).
        public var auditInterval = 3600
        /// The cluster GuardPolicy the audit judges by.
        public var policyName = "default"
        /// This instance's name in the Lease and in Events.
        public var identity: String

        /// Options with the flags' defaults.
        public init(identity: String) {
            self.identity = identity
        }

        /// `POD_NAME`, else host name and process id.
        public static var defaultIdentity: String {
            let process = ProcessInfo.processInfo
            return process.environment["POD_NAME"] ?? process.hostName + "-" + String(process.processIdentifier)
        }
    }

    /// The operator.
    public let service: OperatorService
    /// What runs, in start order (the registry client first when images are resolved).
    public let services: [any Service]
    /// The cluster client (closed by ``run(logger:)``).
    public let client: KubeHTTPClient

    /// Reads the files and makes the client: nothing runs yet.
    /// - Throws: ``OperatorError`` `invalidConfiguration` naming the flag or file that is wrong (a
    ///   kubeconfig, configuration or policy that cannot be read or decoded).
    public static func build(_ options: Options, logger: Logger) async throws(OperatorError) -> OperatorLaunch {
        let kube: KubeConfig
        var settings: OperatorService.Settings
        do {
            // The files first: a wrong one is named whatever the cluster configuration.
            settings = OperatorService.Settings(configuration: try configuration(options.configFile), policy: try policy(options.policyFile))
            kube = try KubeConfig.resolve(explicitPath: options.kubeconfig)
        } catch let error as OperatorError {
            throw error
        } catch {
            throw OperatorError.invalidConfiguration("\(error)", cause: error)
        }
        settings.namespace = options.namespace
        settings.labelSelector = options.labelSelector
        settings.workers = options.workers
        settings.host = options.host
        settings.port = options.port
        settings.resyncPeriod = .seconds(max(10, options.resyncSeconds))
        if options.auditInterval > 0 {
            var audit = BackgroundAudit.Settings()
            audit.interval = .seconds(options.auditInterval)
            audit.policyName = options.policyName
            audit.fallbackPolicy = settings.policy
            settings.audit = audit
        }
        // Its own namespace: the planned NetworkPolicies let its pods reach /web/login for releases.
        settings.configuration.operatorNamespace = kube.namespace == "default" ? "odoo-guard" : kube.namespace
        if options.leaderElection {
            let namespace = options.leaseNamespace ?? (kube.namespace == "default" ? "odoo-guard" : kube.namespace)
            settings.leaderElection = LeaderElector.Configuration(leaseName: options.leaseName, namespace: namespace, identity: options.identity)
        }
        let client: KubeHTTPClient
        do { client = try KubeHTTPClient(config: kube, logger: logger) } catch {
            throw OperatorError.invalidConfiguration("\(kube.source): \(error.message)", cause: error)
        }
        let provenance = options.resolveImages ? ImageProvenanceService(logger: logger) : nil
        let images: any ImageResolving = provenance.map { RegistryImageResolver(service: $0) } ?? PinnedOnlyImageResolver()
        let service: OperatorService
        do {
            service = try OperatorService(api: client, settings: settings, images: images, identity: options.identity, logger: logger)
        } catch {
            try? await client.shutdown()
            throw error
        }
        var services = service.services()
        if let provenance { services.insert(provenance, at: 0) }
        return OperatorLaunch(service: service, services: services, client: client)
    }

    /// Runs the services until SIGTERM or SIGINT (graceful, within the settings' grace period) or a
    /// failure, then closes the client.
    /// - Throws: what stopped a service.
    public func run(logger: Logger) async throws {
        var group = ServiceGroupConfiguration(services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        group.maximumGracefulShutdownDuration = service.settings.shutdownGracePeriod
        group.maximumCancellationDuration = .seconds(1)
        do {
            try await ServiceGroup(configuration: group).run()
        } catch {
            try? await client.shutdown()
            throw error
        }
        try? await client.shutdown()
    }

    /// The configuration file decoded, or the embedded configuration.
    static func configuration(_ path: String?) throws -> OperatorConfiguration {
        guard let path else { return try OperatorConfiguration.builtIn() }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw OperatorError.invalidConfiguration("--config \(path): cannot be read: \(error.localizedDescription)", cause: error)
        }
        return try OperatorConfiguration.decode(yaml: text, source: path)
    }

    /// The policy file decoded, the embedded policy, or none.
    static func policy(_ path: String?) throws -> GuardPolicy? {
        switch path {
        case Options.skipPolicy?: return nil
        case let path?:
            let text: String
            do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
                throw OperatorError.invalidConfiguration("--policy \(path): cannot be read: \(error.localizedDescription)", cause: error)
            }
            return try GuardPolicy(text: text)
        case nil: return try GuardPolicy.builtIn()
        }
    }
}
