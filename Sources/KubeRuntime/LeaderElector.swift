import Foundation
import KubeClient
import Logging
import NIOConcurrencyHelpers

/// Leader election on a `coordination.k8s.io/v1` Lease, with client-go's rules and defaults: a
/// candidate takes the lease when it is free or its holder has not renewed it for
/// `leaseDuration` (measured on the candidate's own clock from when it last saw the record change,
/// so clock skew between nodes does not matter); the leader renews every `retryPeriod` and gives
/// up leadership when it could not renew for `renewDeadline`. Writes are conditional on the
/// lease's resourceVersion, so two candidates can never both win.
public final class LeaderElector: Sendable {
    /// Timing and identity.
    public struct Configuration: Sendable {
        /// The lease's name (one per operator shard).
        public var leaseName: String
        /// The lease's namespace.
        public var namespace: String
        /// This candidate (pod name plus a random suffix, by convention).
        public var identity: String
        /// How long a lease stays valid without renewal.
        public var leaseDuration: Duration = .seconds(15)
        /// How long the leader keeps trying to renew before it steps down.
        public var renewDeadline: Duration = .seconds(10)
        /// The pause between attempts.
        public var retryPeriod: Duration = .seconds(2)

        /// A configuration with client-go's timings (15 s, 10 s, 2 s).
        public init(leaseName: String, namespace: String, identity: String) {
            self.leaseName = leaseName
            self.namespace = namespace
            self.identity = identity
        }
    }

    struct Observation {
        var holder: String?
        var renewTime: Date?
        var resourceVersion: String?
        var observedAt: ContinuousClock.Instant
    }

    /// The configuration.
    public let configuration: Configuration
    let leases: ResourceClient<Lease>
    let logger: Logger
    private let leading = NIOLockedValueBox(false)
    private let stopping = NIOLockedValueBox(false)
    private let observed = NIOLockedValueBox<Observation?>(nil)
    private let clock = ContinuousClock()

    /// An elector.
    /// - Throws: ``KubeRuntimeError`` `invalidConfiguration` when a name is empty or the timings
    ///   are inconsistent (client-go requires leaseDuration > renewDeadline > retryPeriod).
    public init(api: any KubernetesAPI, configuration: Configuration, logger: Logger) throws(KubeRuntimeError) {
        guard !configuration.leaseName.isEmpty, !configuration.namespace.isEmpty, !configuration.identity.isEmpty else {
            throw KubeRuntimeError(.invalidConfiguration, "leader election needs a lease name, a namespace and an identity")
        }
        guard configuration.leaseDuration > configuration.renewDeadline, configuration.renewDeadline > configuration.retryPeriod,
              configuration.retryPeriod > .zero else {
            throw KubeRuntimeError(.invalidConfiguration, "leader election needs leaseDuration > renewDeadline > retryPeriod > 0")
        }
        self.configuration = configuration
        leases = ResourceClient(api: api, namespace: configuration.namespace)
        self.logger = logger
    }

    /// Ends ``run(whileLeading:)`` gracefully: campaigning stops, the work is cancelled, and the
    /// lease is released (a cancelled task cannot reliably make that last API call).
    public func stop() { stopping.withLockedValue { $0 = true } }

    private var isStopping: Bool { stopping.withLockedValue { $0 } || Task.isCancelled }

    /// Whether this candidate holds the lease now.
    public var isLeader: Bool { leading.withLockedValue { $0 } }

    /// Campaigns, runs `body` while leading, and campaigns again when leadership is lost (`body` is
    /// cancelled at once). After ``stop()`` the lease is still renewed while `body` finishes (it is
    /// cancelled if it has not ended within `renewDeadline`), then released; returns then, or when
    /// the task is cancelled.
    public func run(whileLeading body: @escaping @Sendable () async throws -> Void) async {
        while !isStopping {
            guard await acquire() else { break }
            logger.info("became leader", metadata: ["lease": "\(configuration.namespace)/\(configuration.leaseName)",
                                                     "identity": "\(configuration.identity)"])
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    do { try await body() } catch {
                        self.logger.error("the leader's work failed", metadata: ["error": "\(error)"])
                    }
                }
                group.addTask { await self.keepRenewing() }
                group.addTask { await self.graceAfterStop() }
                // Whichever ends first: the work, lost leadership, or the grace period after stop().
                // The lease is renewed until the work has really ended, so no successor overlaps it.
                await group.next()
                group.cancelAll()
            }
            leading.withLockedValue { $0 = false }
            if isStopping { break }
            logger.warning("lost leadership", metadata: ["lease": "\(configuration.namespace)/\(configuration.leaseName)"])
        }
        await release()
    }

    /// Tries until the lease is ours; `false` when cancelled first.
    func acquire() async -> Bool {
        while !isStopping {
            if await tryAcquireOrRenew() {
                leading.withLockedValue { $0 = true }
                return true
            }
            try? await Task.sleep(for: configuration.retryPeriod)
        }
        return false
    }

    /// After ``stop()``, gives the work `renewDeadline` to end by itself; returns then (or never
    /// when not stopped, until cancelled).
    func graceAfterStop() async {
        while !stopping.withLockedValue({ $0 }) {
            do { try await Task.sleep(for: .milliseconds(50)) } catch { return }
        }
        try? await Task.sleep(for: configuration.renewDeadline)
    }

    /// Renews every retryPeriod; returns when a renewal has not succeeded within renewDeadline.
    func keepRenewing() async {
        var lastRenewal = clock.now
        while !Task.isCancelled {
            do { try await Task.sleep(for: configuration.retryPeriod) } catch { return }
            if await tryAcquireOrRenew() {
                lastRenewal = clock.now
            } else if clock.now - lastRenewal >= configuration.renewDeadline || observedHolder != configuration.identity {
                leading.withLockedValue { $0 = false }
                return
            }
        }
    }

    private var observedHolder: String? { observed.withLockedValue { $0?.holder } }

    /// One attempt: create the lease, renew our own, or take an expired one.
    func tryAcquireOrRenew() async -> Bool {
        let now = Date()
        let seconds = Int(configuration.leaseDuration.components.seconds)
        do {
            guard var lease = try await leases.getIfExists(configuration.leaseName) else {
                var fresh = Lease(name: configuration.leaseName, namespace: configuration.namespace)
                fresh.holderIdentity = configuration.identity
                fresh.leaseDurationSeconds = seconds
                fresh.acquireTime = now
                fresh.renewTime = now
                fresh.leaseTransitions = 0
                let created = try await leases.create(fresh)
                observe(created)
                return true
            }
            observe(lease)
            let holder = lease.holderIdentity ?? ""
            if !holder.isEmpty, holder != configuration.identity {
                let since = observed.withLockedValue { $0?.observedAt } ?? clock.now
                let duration = lease.leaseDurationSeconds.map { Duration.seconds($0) } ?? configuration.leaseDuration
                if clock.now - since < duration { return false }
            }
            if holder != configuration.identity {
                lease.acquireTime = now
                if !holder.isEmpty { lease.leaseTransitions += 1 }
            }
            lease.holderIdentity = configuration.identity
            lease.leaseDurationSeconds = seconds
            lease.renewTime = now
            let updated = try await leases.replace(lease)
            observe(updated)
            return true
        } catch {
            logger.debug("lease attempt failed", metadata: ["lease": "\(configuration.namespace)/\(configuration.leaseName)", "error": "\(error)"])
            return false
        }
    }

    private func observe(_ lease: Lease) {
        observed.withLockedValue { current in
            if current?.holder != lease.holderIdentity || current?.renewTime != lease.renewTime || current == nil {
                current = Observation(holder: lease.holderIdentity, renewTime: lease.renewTime,
                                      resourceVersion: lease.resourceVersion, observedAt: clock.now)
            }
        }
    }

    /// Gives the lease up (holder cleared, duration 1 s) so a successor need not wait it out.
    func release() async {
        guard observedHolder == configuration.identity else { return }
        do {
            guard var lease = try await leases.getIfExists(configuration.leaseName), lease.holderIdentity == configuration.identity else { return }
            lease.holderIdentity = nil
            lease.leaseDurationSeconds = 1
            lease.renewTime = Date()
            _ = try await leases.replace(lease)
            observed.withLockedValue { $0 = nil }
            logger.info("released leadership", metadata: ["lease": "\(configuration.namespace)/\(configuration.leaseName)"])
        } catch {
            logger.warning("could not release the lease", metadata: ["error": "\(error)"])
        }
    }
}
