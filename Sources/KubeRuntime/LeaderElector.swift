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
    private let standingBox = NIOLockedValueBox(Standing.campaigning)
    private let clock = ContinuousClock()

    /// Where this candidate stands, for readiness and metrics.
    public enum Standing: Sendable, Equatable {
        /// No attempt has finished yet.
        case campaigning
        /// This candidate holds the lease.
        case leading
        /// Another candidate holds a valid lease; this one waits (a healthy standby).
        case standby(holder: String)
        /// The lease cannot be read or written: `reason` is the API's answer with what to do,
        /// `attempts` the failed attempts in a row since `since`.
        case failing(reason: String, since: Date, attempts: Int)
    }

    /// Where this candidate stands now.
    public var standing: Standing { standingBox.withLockedValue { $0 } }

    /// An elector.
    /// - Throws: ``KubeRuntimeError`` `invalidConfiguration` when a name is empty or the timings
    ///   are inconsistent (client-go requires leaseDuration > renewDeadline > retryPeriod).
    public init(api: any KubernetesAPI, configuration: Configuration, logger: Logger) throws(KubeRuntimeError) {
        guard !configuration.leaseName.isEmpty, !configuration.namespace.isEmpty, !configuration.identity.isEmpty else {
            throw KubeRuntimeError.invalidConfiguration("leader election needs a lease name, a namespace and an identity")
        }
        guard configuration.leaseDuration > configuration.renewDeadline, configuration.renewDeadline > configuration.retryPeriod,
              configuration.retryPeriod > .zero else {
            throw KubeRuntimeError.invalidConfiguration("leader election needs leaseDuration > renewDeadline > retryPeriod > 0")
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
                succeeded(holder: configuration.identity)
                return true
            }
            observe(lease)
            let holder = lease.holderIdentity ?? ""
            if !holder.isEmpty, holder != configuration.identity {
                let since = observed.withLockedValue { $0?.observedAt } ?? clock.now
                let duration = lease.leaseDurationSeconds.map { Duration.seconds($0) } ?? configuration.leaseDuration
                if clock.now - since < duration {
                    succeeded(holder: holder)
                    return false
                }
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
            succeeded(holder: configuration.identity)
            return true
        } catch {
            failed(error)
            return false
        }
    }

    /// Records a failed attempt and says so at warning, with a backoff: after the 1st, 2nd, 4th,
    /// 8th… failure in a row, so a lasting problem is repeated less and less often but never silent.
    private func failed(_ failure: any Error) {
        let lease = "\(configuration.namespace)/\(configuration.leaseName)"
        var reason = "\(failure)"
        if let error = failure as? KubeClientError, error == .notFound {
            reason = "namespace \(configuration.namespace) does not exist (\(error.message)); create it, or choose the Lease's namespace with --leader-election-namespace"
        } else if let error = failure as? KubeClientError, error == .forbidden {
            reason = "\(error.message); grant get, create and update on leases.coordination.k8s.io in namespace \(configuration.namespace)"
        }
        let attempts = standingBox.withLockedValue { standing -> Int in
            var count = 1
            var since = Date()
            if case .failing(_, let first, let previous) = standing {
                count = previous + 1
                since = first
            }
            standing = .failing(reason: reason, since: since, attempts: count)
            return count
        }
        if attempts & (attempts - 1) == 0 {
            logger.warning("cannot take or renew the leader Lease; not reconciling", metadata: [
                "lease": "\(lease)", "attempts": "\(attempts)", "error": "\(reason)"])
        }
    }

    /// Records a successful read or write of the lease: leading, or standing by behind `holder`.
    private func succeeded(holder: String?) {
        let leading = holder == configuration.identity
        let previous = standingBox.withLockedValue { standing -> Standing in
            let before = standing
            standing = leading ? .leading : .standby(holder: holder ?? "")
            return before
        }
        if case .failing(_, _, let attempts) = previous {
            logger.notice("the leader Lease is reachable again", metadata: ["lease": "\(configuration.namespace)/\(configuration.leaseName)",
                                                                           "failedAttempts": "\(attempts)"])
        }
        if !leading, previous != .standby(holder: holder ?? "") {
            logger.info("standing by: another instance leads", metadata: ["lease": "\(configuration.namespace)/\(configuration.leaseName)",
                                                                         "holder": "\(holder ?? "")"])
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
