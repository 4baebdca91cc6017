import Foundation
import KubeRuntime
import NIOConcurrencyHelpers
import PolicyAudit
import Prometheus

/// The operator's Prometheus metrics, in a registry of its own.
///
/// | metric | labels |
/// | --- | --- |
/// | `odoo_guard_operator_reconcile_total` | `result` (success, error) |
/// | `odoo_guard_operator_reconcile_duration_seconds` (histogram) | `result` |
/// | `odoo_guard_operator_workqueue_depth` | |
/// | `odoo_guard_operator_environments`, `odoo_guard_operator_environments_ready` | |
/// | `odoo_guard_operator_managed_objects` | |
/// | `odoo_guard_operator_api_writes_total` | |
/// | `odoo_guard_operator_leader` (1 while leading) | |
/// | `odoo_guard_operator_leader_lease_failures` (failed Lease attempts in a row) | |
/// | `odoo_guard_operator_policy_report_writes_total`, `odoo_guard_operator_background_audit_last_pass_timestamp_seconds`, `odoo_guard_operator_background_audit_failures` | |
/// | `odoo_guard_operator_environment_*` (conditions, backups, RPO; see ``recordEnvironment(_:stage:status:rpoHours:now:)``) | `namespace`, `environment`, `stage` |
public final class OperatorMetrics: Sendable {
    /// The registry of the operator's own metrics; `/metrics` renders it and then the per-environment
    /// series (``emit(into:)``).
    public let registry = PrometheusCollectorRegistry()
    static let buckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30),
    ]

    static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "odoo_guard_operator", metricName: metric, unitName: unit, helpText: help)
    }

    private let totals: [String: Counter]
    private let durations: [String: DurationHistogram]
    private let writes: Counter
    let queueDepth: Gauge
    let environments: Gauge
    let environmentsReady: Gauge
    let managedObjects: Gauge
    let leader: Gauge
    let leaseFailures: Gauge
    let auditWrites: Counter
    let auditLastPass: Gauge
    let auditFailures: Gauge
    let ready = NIOLockedValueBox(Set<ObjectKey>())
    /// Each environment's series (``recordEnvironment(_:stage:status:rpoHours:now:)``).
    let series = NIOLockedValueBox([ObjectKey: EnvironmentSeries]())

    /// A registry with every metric declared (a scrape shows zeros before the first reconcile).
    public init() {
        var totals: [String: Counter] = [:]
        var durations: [String: DurationHistogram] = [:]
        for result in ["success", "error"] {
            totals[result] = registry.makeCounter(descriptor: Self.name("reconcile", "total", "Reconciles of OdooEnvironments, by result"),
                                                  labels: [("result", result)])
            durations[result] = registry.makeDurationHistogram(descriptor: Self.name("reconcile_duration", "seconds", "Time of one reconcile, by result"),
                                                               labels: [("result", result)], buckets: Self.buckets)
        }
        self.totals = totals
        self.durations = durations
        writes = registry.makeCounter(descriptor: Self.name("api_writes", "total", "Creates, applies, patches and deletes sent to the API (Events excluded)"))
        queueDepth = registry.makeGauge(descriptor: Self.name("workqueue", "depth", "OdooEnvironments waiting to be reconciled"))
        environments = registry.makeGauge(descriptor: Self.name("environments", "", "OdooEnvironments in the cache"))
        environmentsReady = registry.makeGauge(descriptor: Self.name("environments_ready", "", "OdooEnvironments whose Ready condition is True"))
        managedObjects = registry.makeGauge(descriptor: Self.name("managed_objects", "", "Cached objects labelled app.kubernetes.io/managed-by=odoo-guard"))
        leader = registry.makeGauge(descriptor: Self.name("leader", "", "1 while this instance holds the leader lease"))
        leaseFailures = registry.makeGauge(descriptor: Self.name("leader_lease_failures", "", "failed attempts in a row to read or write the leader lease (0 when it answers)"))
        auditWrites = registry.makeCounter(descriptor: Self.name("policy_report_writes", "total", "PolicyReports created or replaced by the background audit"))
        auditLastPass = registry.makeGauge(descriptor: Self.name("background_audit_last_pass_timestamp", "seconds", "Unix time of the background audit's last pass"))
        auditFailures = registry.makeGauge(descriptor: Self.name("background_audit_failures", "", "Namespaces the last background audit pass could not report on"))
    }

    /// Writes a scrape: the registry's metrics, then every environment's series.
    public func emit(into buffer: inout [UInt8]) {
        registry.emit(into: &buffer)
        emitEnvironments(into: &buffer)
    }

    /// A scrape as text (``emit(into:)``).
    public func emitToString() -> String {
        var buffer: [UInt8] = []
        emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    /// Records one reconcile.
    public func recordReconcile(duration: Duration, failed: Bool) {
        let result = failed ? "error" : "success"
        totals[result]?.increment()
        durations[result]?.record(duration)
    }

    /// Records a background audit pass.
    public func recordAuditPass(_ pass: BackgroundAudit.Pass, at time: Date) {
        auditWrites.increment(by: Int64(pass.writes))
        auditLastPass.set(time.timeIntervalSince1970)
        auditFailures.set(Int64(pass.failures))
    }

    /// Records API writes.
    public func recordWrites(_ count: Int) { writes.increment(by: Int64(count)) }

    /// Records whether an environment is ready.
    public func recordStatus(ready isReady: Bool, key: ObjectKey) {
        let count = ready.withLockedValue { set in
            if isReady { set.insert(key) } else { set.remove(key) }
            return set.count
        }
        environmentsReady.set(Int64(count))
    }

    /// Forgets an environment that is gone.
    public func forget(_ key: ObjectKey) {
        environmentsReady.set(Int64(ready.withLockedValue { $0.remove(key); return $0.count }))
        forgetEnvironment(key)
    }
}
