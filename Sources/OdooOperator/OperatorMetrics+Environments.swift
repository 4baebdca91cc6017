import Foundation
import KubeModel
import KubeRuntime
import OdooPlan
import Prometheus

/// Per-environment gauges, for the chart's alerts and dashboards. Labels: `namespace`, `environment`,
/// `stage` (the operator's ServiceMonitor keeps them with `honorLabels`).
///
/// | metric | labels | value |
/// | --- | --- | --- |
/// | `odoo_guard_operator_environment_condition` | + `type` | 1 while the condition is True |
/// | `odoo_guard_operator_environment_last_backup_timestamp_seconds` | | Unix time of the last good backup |
/// | `odoo_guard_operator_environment_backup_rpo_seconds` | | the stage's RPO |
/// | `odoo_guard_operator_environment_last_restore_check_timestamp_seconds` | | Unix time of the last good restore rehearsal |
/// | `odoo_guard_operator_environment_restore_check_failed` | | 1 while the newest rehearsal failed |
/// | `odoo_guard_operator_environment_running_since_timestamp_seconds` | | Unix time since the current digests run Ready (changes at each release) |
/// | `odoo_guard_operator_environment_deployments_per_day` | | DORA: releases per day over the last 30 days of `readyHistory` |
/// | `odoo_guard_operator_environment_change_failure_ratio` | | DORA: failed releases over releases |
/// | `odoo_guard_operator_environment_time_to_restore_seconds` | | DORA: mean time to restore (only once an outage was restored) |
/// | `odoo_guard_operator_environment_availability_ratio` | | DORA: share of the window spent Ready |
/// | `odoo_guard_operator_environment_sleeping` | | with `spec.schedule`: 1 while asleep (web and cron at 0) |
/// | `odoo_guard_operator_environment_sleep_pod_hours_saved` | | with `spec.schedule`: Odoo pod-hours its sleeps saved, the current one included (as of the scrape) |
extension OperatorMetrics {
    /// What one environment's series are, so a change of stage or a deletion removes the old ones.
    struct EnvironmentSeries: Sendable {
        let labels: [(String, String)]
        let gauges: [Gauge]
        /// The sleep record and the gauge of its pod-hours, refreshed at each scrape.
        var sleep: (record: SleepStatus, podHours: Gauge)?
    }

    static var conditionName: MetricNameDescriptor { name("environment_condition", "", "1 while the OdooEnvironment's condition (type) is True") }
    static var lastBackupName: MetricNameDescriptor { name("environment_last_backup_timestamp", "seconds", "Unix time of the OdooEnvironment's last good backup") }
    static var rpoName: MetricNameDescriptor { name("environment_backup_rpo", "seconds", "The recovery point objective of the OdooEnvironment's stage") }
    static var lastRestoreCheckName: MetricNameDescriptor { name("environment_last_restore_check_timestamp", "seconds",
                                           "Unix time of the OdooEnvironment's last good restore rehearsal") }
    static var runningSinceName: MetricNameDescriptor {
        name("environment_running_since_timestamp", "seconds", "Unix time since which the OdooEnvironment runs its current digests Ready")
    }
    static var deploymentsName: MetricNameDescriptor { name("environment_deployments_per_day", "", "Releases per day of the OdooEnvironment over 30 days (DORA)") }
    static var failureRatioName: MetricNameDescriptor { name("environment_change_failure_ratio", "", "Failed releases over releases of the OdooEnvironment (DORA)") }
    static var restoreTimeName: MetricNameDescriptor {
        name("environment_time_to_restore", "seconds", "Mean time the OdooEnvironment took to be Ready again after an outage (DORA)")
    }
    static var availabilityName: MetricNameDescriptor { name("environment_availability_ratio", "", "Share of the last 30 days the OdooEnvironment was Ready") }
    static var sleepingName: MetricNameDescriptor { name("environment_sleeping", "", "1 while the OdooEnvironment sleeps (web and cron scaled to 0 by spec.schedule)") }
    static var podHoursSavedName: MetricNameDescriptor {
        name("environment_sleep_pod_hours_saved", "", "Odoo pod-hours the OdooEnvironment's sleeps saved, the current one included")
    }
    static var restoreFailedName: MetricNameDescriptor { name("environment_restore_check_failed", "", "1 while the OdooEnvironment's newest restore rehearsal failed") }

    /// Every per-environment gauge (labels `namespace`, `environment`, `stage`; the condition gauge
    /// also `type`), for the metrics reference: they are registered only once an environment exists.
    public static var environmentMetrics: [MetricNameDescriptor] {
        [conditionName, lastBackupName, rpoName, lastRestoreCheckName, restoreFailedName, runningSinceName, deploymentsName, failureRatioName,
         restoreTimeName, availabilityName, sleepingName, podHoursSavedName]
    }

    /// Records an environment's conditions, backups and RPO after a reconcile. Idempotent: the same
    /// status sets the same values; a stage change replaces the series.
    public func recordEnvironment(_ key: ObjectKey, stage: String, status: EnvironmentStatus, rpoHours: Int?, now: Date = Date()) {
        let labels = [("namespace", key.namespace ?? ""), ("environment", key.name), ("stage", stage)]
        var gauges: [Gauge] = []
        func gauge(_ descriptor: MetricNameDescriptor, _ extra: [(String, String)] = [], _ value: Double?) {
            guard let value else { return }
            let made = registry.makeGauge(descriptor: descriptor, labels: labels + extra)
            made.set(value)
            gauges.append(made)
        }
        for type in EnvironmentStatus.conditionTypes {
            gauge(Self.conditionName, [("type", type)], status.conditions.first { $0.type == type }?.status == .true ? 1 : 0)
        }
        gauge(Self.lastBackupName, [], status.backups.lastBackupTime?.timeIntervalSince1970)
        gauge(Self.rpoName, [], rpoHours.map { Double($0) * 3600 })
        gauge(Self.lastRestoreCheckName, [], status.backups.lastRestoreCheckTime?.timeIntervalSince1970)
        gauge(Self.restoreFailedName, [], status.backups.restoreFailure == nil ? 0 : 1)
        gauge(Self.runningSinceName, [], status.readyHistory.last.flatMap { $0.readyUntil == nil ? $0.readySince.timeIntervalSince1970 : nil })
        if !status.readyHistory.isEmpty {
            let delivery = DeliveryFigures(history: status.readyHistory, changes: status.changeHistory, asOf: now)
            gauge(Self.deploymentsName, [], delivery.deploymentsPerDay)
            gauge(Self.failureRatioName, [], delivery.changeFailureRate)
            gauge(Self.restoreTimeName, [], delivery.meanTimeToRestore)
            gauge(Self.availabilityName, [], delivery.availability)
        }
        var sleep: (record: SleepStatus, podHours: Gauge)?
        if let record = status.sleep {
            gauge(Self.sleepingName, [], record.state == .sleeping ? 1 : 0)
            gauge(Self.podHoursSavedName, [], record.podHoursSaved(at: now))
            if let podHours = gauges.last { sleep = (record, podHours) }
        }
        let previous = series.withLockedValue { all in
            defer { all[key] = EnvironmentSeries(labels: labels, gauges: gauges, sleep: sleep) }
            return all[key]
        }
        // Series that existed before and are not set now (another stage, a backup time no longer known).
        let kept = Set(gauges.map(ObjectIdentifier.init))
        for old in previous?.gauges ?? [] where !kept.contains(ObjectIdentifier(old)) { registry.unregisterGauge(old) }
    }

    /// Brings the pod-hours saved of sleeping environments up to `now` (a sleep lasts hours without a reconcile).
    public func refreshSleep(now: Date = Date()) {
        let sleeping = series.withLockedValue { all in all.values.compactMap(\.sleep) }
        for (record, gauge) in sleeping { gauge.set(record.podHoursSaved(at: now)) }
    }

    /// Removes an environment's series (deleted, or no longer this instance's to reconcile).
    public func forgetEnvironment(_ key: ObjectKey) {
        let removed = series.withLockedValue { $0.removeValue(forKey: key) }
        for gauge in removed?.gauges ?? [] { registry.unregisterGauge(gauge) }
    }

    /// Removes every environment's series: a standby that lost the lease must not keep reporting
    /// what it saw as leader (alerts would fire on stale values).
    public func forgetEnvironments() {
        let all = series.withLockedValue { all in
            defer { all.removeAll() }
            return all
        }
        for entry in all.values { for gauge in entry.gauges { registry.unregisterGauge(gauge) } }
        ready.withLockedValue { $0.removeAll() }
        environmentsReady.set(Int64(0))
    }
}
