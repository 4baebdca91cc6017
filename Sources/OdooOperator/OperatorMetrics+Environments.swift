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
    /// One environment's series: its labels and the value of each gauge it exports, rendered at each
    /// scrape (``emitEnvironments(into:)``). They are plain values, not the registry's gauges: the
    /// registry copies a family's whole table of label sets to add or remove one series, so
    /// registering every environment cost time growing with the square of their number (and about
    /// 400 bytes per series).
    struct EnvironmentSeries: Sendable {
        let namespace: String
        let name: String
        let stage: String
        /// Whether each condition of ``EnvironmentStatus/conditionTypes`` is True, in that order.
        var conditions: [Bool]
        /// The value of each ``EnvironmentGauge`` (indexed by its raw value); `nil` when not exported.
        var values: [Double?]
        /// The sleep record, whose pod-hours saved are brought up to date at each scrape.
        var sleep: SleepStatus?
    }

    /// The per-environment gauges besides the conditions, in the order a scrape lists them.
    enum EnvironmentGauge: Int, CaseIterable {
        case lastBackup, rpo, lastRestoreCheck, restoreFailed, runningSince, deployments, failureRatio, restoreTime, availability, sleeping, podHoursSaved

        var descriptor: MetricNameDescriptor {
            switch self {
            case .lastBackup: return OperatorMetrics.lastBackupName
            case .rpo: return OperatorMetrics.rpoName
            case .lastRestoreCheck: return OperatorMetrics.lastRestoreCheckName
            case .restoreFailed: return OperatorMetrics.restoreFailedName
            case .runningSince: return OperatorMetrics.runningSinceName
            case .deployments: return OperatorMetrics.deploymentsName
            case .failureRatio: return OperatorMetrics.failureRatioName
            case .restoreTime: return OperatorMetrics.restoreTimeName
            case .availability: return OperatorMetrics.availabilityName
            case .sleeping: return OperatorMetrics.sleepingName
            case .podHoursSaved: return OperatorMetrics.podHoursSavedName
            }
        }
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
    /// also `type`), for the metrics reference: a scrape has them only once an environment exists.
    public static var environmentMetrics: [MetricNameDescriptor] {
        [conditionName, lastBackupName, rpoName, lastRestoreCheckName, restoreFailedName, runningSinceName, deploymentsName, failureRatioName,
         restoreTimeName, availabilityName, sleepingName, podHoursSavedName]
    }

    /// Records an environment's conditions, backups and RPO after a reconcile. Idempotent: the same
    /// status sets the same values; a stage change replaces the series. Constant time: the series are
    /// rendered at the scrape.
    public func recordEnvironment(_ key: ObjectKey, stage: String, status: EnvironmentStatus, rpoHours: Int?, now: Date = Date()) {
        var values = [Double?](repeating: nil, count: EnvironmentGauge.allCases.count)
        func set(_ gauge: EnvironmentGauge, _ value: Double?) { values[gauge.rawValue] = value }
        set(.lastBackup, status.backups.lastBackupTime?.timeIntervalSince1970)
        set(.rpo, rpoHours.map { Double($0) * 3600 })
        set(.lastRestoreCheck, status.backups.lastRestoreCheckTime?.timeIntervalSince1970)
        set(.restoreFailed, status.backups.restoreFailure == nil ? 0 : 1)
        set(.runningSince, status.readyHistory.last.flatMap { $0.readyUntil == nil ? $0.readySince.timeIntervalSince1970 : nil })
        if !status.readyHistory.isEmpty {
            let delivery = DeliveryFigures(history: status.readyHistory, changes: status.changeHistory, asOf: now)
            set(.deployments, delivery.deploymentsPerDay)
            set(.failureRatio, delivery.changeFailureRate)
            set(.restoreTime, delivery.meanTimeToRestore)
            set(.availability, delivery.availability)
        }
        if let record = status.sleep {
            set(.sleeping, record.state == .sleeping ? 1 : 0)
            set(.podHoursSaved, record.podHoursSaved(at: now))
        }
        let conditions = EnvironmentStatus.conditionTypes.map { type in status.conditions.first { $0.type == type }?.status == .true }
        let entry = EnvironmentSeries(namespace: key.namespace ?? "", name: key.name, stage: stage, conditions: conditions, values: values,
                                      sleep: status.sleep)
        series.withLockedValue { $0[key] = entry }
    }

    /// Brings the pod-hours saved of sleeping environments up to `now` (a sleep lasts hours without a reconcile).
    public func refreshSleep(now: Date = Date()) {
        let slot = EnvironmentGauge.podHoursSaved.rawValue
        series.withLockedValue { all in
            // In place, by index: iterating the table while changing it would copy all of it.
            var index = all.values.startIndex
            while index != all.values.endIndex {
                if let record = all.values[index].sleep, all.values[index].values[slot] != nil {
                    all.values[index].values[slot] = record.podHoursSaved(at: now)
                }
                all.values.formIndex(after: &index)
            }
        }
    }

    /// Removes an environment's series (deleted, or no longer this instance's to reconcile).
    public func forgetEnvironment(_ key: ObjectKey) {
        series.withLockedValue { _ = $0.removeValue(forKey: key) }
    }

    /// Removes every environment's series: a standby that lost the lease must not keep reporting
    /// what it saw as leader (alerts would fire on stale values).
    public func forgetEnvironments() {
        series.withLockedValue { $0.removeAll() }
        ready.withLockedValue { $0.removeAll() }
        environmentsReady.set(Int64(0))
    }

    /// Writes every environment's series as Prometheus text: each family's `# HELP` and `# TYPE`
    /// once, then one line per environment (by namespace and name) that has a value for it, written
    /// as the registry writes its own gauges. Families without a series are left out.
    func emitEnvironments(into buffer: inout [UInt8]) {
        // A copy of the table (one reference) so reconciles are not held up while the text is written.
        let all = series.withLockedValue { $0 }
        guard !all.isEmpty else { return }
        let entries = all.values.sorted { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
        let condition = Self.conditionName
        Self.family(condition, into: &buffer)
        for entry in entries {
            for (index, type) in EnvironmentStatus.conditionTypes.enumerated() where index < entry.conditions.count {
                Self.line(condition.name, entry, type: type, value: entry.conditions[index] ? 1 : 0, into: &buffer)
            }
        }
        for gauge in EnvironmentGauge.allCases {
            let descriptor = gauge.descriptor
            let name = descriptor.name
            var started = false
            for entry in entries {
                guard let value = entry.values[gauge.rawValue] else { continue }
                if !started { Self.family(descriptor, into: &buffer); started = true }
                Self.line(name, entry, type: nil, value: value, into: &buffer)
            }
        }
    }

    private static func family(_ descriptor: MetricNameDescriptor, into buffer: inout [UInt8]) {
        buffer.append(contentsOf: "# HELP \(descriptor.name) ".utf8)
        for byte in (descriptor.helpText ?? "").utf8 {
            if byte == UInt8(ascii: "\\") { buffer.append(contentsOf: #"\\"#.utf8) } else if byte != UInt8(ascii: "\n") { buffer.append(byte) }
        }
        buffer.append(contentsOf: "\n# TYPE \(descriptor.name) gauge\n".utf8)
    }

    private static func line(_ name: String, _ entry: EnvironmentSeries, type: String?, value: Double, into buffer: inout [UInt8]) {
        buffer.append(contentsOf: name.utf8)
        label("namespace", entry.namespace, first: true, into: &buffer)
        label("environment", entry.name, first: false, into: &buffer)
        label("stage", entry.stage, first: false, into: &buffer)
        if let type { label("type", type, first: false, into: &buffer) }
        buffer.append(contentsOf: "} \(value)\n".utf8)
    }

    /// `name="value"`, the value escaped as the text format requires (backslash, quote, line feed).
    private static func label(_ name: String, _ value: String, first: Bool, into buffer: inout [UInt8]) {
        buffer.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
        buffer.append(contentsOf: name.utf8)
        buffer.append(contentsOf: #"=""#.utf8)
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): buffer.append(contentsOf: #"\\"#.utf8)
            case UInt8(ascii: "\""): buffer.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\n"): buffer.append(contentsOf: #"\n"#.utf8)
            default: buffer.append(byte)
            }
        }
        buffer.append(UInt8(ascii: "\""))
    }
}
