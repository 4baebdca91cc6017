import Foundation

/// `spec.scaling`: web scales between a minimum and a maximum on CPU utilisation (an
/// `autoscaling/v2` HorizontalPodAutoscaler), with optional scheduled floors that raise the minimum
/// ahead of a known peak (clinic opening hours). The database connection budget is computed at the
/// maximum, so no scale-out can take the database past the role's or the tier's limit.
/// Pure: the minimum at a time is computed from the spec alone.
public struct Scaling: Sendable, Equatable {
    /// A window (read on ``clock``) during which web keeps at least ``minReplicas`` pods.
    public struct Floor: Sendable, Equatable {
        /// When it opens and how long it stays open.
        public var window: CronWindow
        /// The minimum while it is open.
        public var minReplicas: Int

        /// A floor.
        public init(window: CronWindow, minReplicas: Int) {
            self.window = window
            self.minReplicas = minReplicas
        }
    }

    /// The autoscaler's minimum outside every floor.
    public var minReplicas: Int
    /// The autoscaler's maximum: the connection budget and the quota are computed for it.
    public var maxReplicas: Int
    /// The average CPU utilisation (percent of the request) the autoscaler keeps web at.
    public var cpuUtilization: Int
    /// The clock the floors are read on (`spec.scaling.timeZone`, else the sleep schedule's, else UTC).
    public var clock: ZonedClock
    /// Scheduled floors.
    public var floors: [Floor]

    /// The utilisation target unless the spec sets one.
    public static let defaultCPUUtilization = 70
    /// The most web replicas (as for `spec.replicas`).
    public static let replicaRange: ClosedRange<Int64> = 1...50
    /// The most floors (the CRD's `maxItems`): each is evaluated on every reconcile.
    public static let maximumFloors = 20
    /// The longest floor: a day.
    public static let maximumFloorMinutes = 1440
    /// The fewest replicas production may scale down to: one pod can always be drained or fail.
    public static let productionMinimum = 2

    /// Scaling settings.
    public init(minReplicas: Int, maxReplicas: Int, cpuUtilization: Int = Scaling.defaultCPUUtilization, clock: ZonedClock = .utc, floors: [Floor] = []) {
        self.minReplicas = minReplicas
        self.maxReplicas = maxReplicas
        self.cpuUtilization = cpuUtilization
        self.clock = clock
        self.floors = floors
    }

    /// The autoscaler's minimum at `now`: the highest floor open then (never above the maximum), else
    /// ``minReplicas``; with the floor that sets it and when the minimum next changes.
    public func minimum(at now: Date) -> Minimum {
        var replicas = minReplicas
        var floor: Floor?
        var closes: Date?
        var changes: [Date] = []
        for candidate in floors {
            if let open = clock.openWindow(candidate.window, at: now) {
                changes.append(open.closes)
                if candidate.minReplicas > replicas {
                    replicas = candidate.minReplicas
                    floor = candidate
                    closes = open.closes
                }
            }
            if let next = clock.nextOpening(candidate.window, after: now) { changes.append(next) }
        }
        return Minimum(replicas: min(replicas, maxReplicas), floor: floor, until: closes, nextChange: changes.min())
    }

    /// The autoscaler's minimum at one time.
    public struct Minimum: Sendable, Equatable {
        /// The minimum.
        public var replicas: Int
        /// The floor that raises it, `nil` when it is ``Scaling/minReplicas``.
        public var floor: Floor?
        /// When that floor closes.
        public var until: Date?
        /// When the minimum may next change (a floor opens or closes), `nil` without floors.
        public var nextChange: Date?
    }
}
