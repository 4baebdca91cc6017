import Foundation
import KubeModel
import KubeRuntime
import OdooOperator
import OdooPlan
import Testing

/// The per-environment gauges the chart's alerts read: set from a status, replaced on a stage change,
/// removed with the environment and when the replica stops leading.
@Suite struct OperatorMetricsTests {
    static func status(degraded: Bool, backup: Date?, restoreFailed: Bool = false) -> EnvironmentStatus {
        var status = EnvironmentStatus(environment: nil, generation: 1, desired: nil, imageSource: nil, observation: .offline(), facts: EnvironmentFacts(),
                                       problem: degraded ? .init(reason: "Refused", message: "the webhook refused a write") : nil)
        status.backups = BackupObservation(lastBackupTime: backup, restoreFailure: restoreFailed ? "no tables" : nil)
        return status
    }

    static func lines(_ metrics: OperatorMetrics, containing text: String) -> [String] {
        metrics.registry.emitToString().split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") && $0.contains(text) }
    }

    @Test func environmentSeriesFollowTheStatusAndGoAway() {
        let metrics = OperatorMetrics()
        let key = ObjectKey(namespace: "clinic-prod", name: "clinic")
        let backup = Date(timeIntervalSince1970: 1_764_000_000)
        metrics.recordEnvironment(key, stage: "production", status: Self.status(degraded: true, backup: backup, restoreFailed: true), rpoHours: 24)
        let labels = #"namespace="clinic-prod",environment="clinic",stage="production""#
        #expect(Self.lines(metrics, containing: "environment_condition{").contains { $0.contains(#"type="Degraded""#) && $0.hasSuffix(" 1.0") })
        #expect(Self.lines(metrics, containing: "environment_last_backup_timestamp_seconds{") == ["odoo_guard_operator_environment_last_backup_timestamp_seconds{\(labels)} 1764000000.0"])
        #expect(Self.lines(metrics, containing: "environment_backup_rpo_seconds{") == ["odoo_guard_operator_environment_backup_rpo_seconds{\(labels)} 86400.0"])
        #expect(Self.lines(metrics, containing: "environment_restore_check_failed{").first?.hasSuffix(" 1.0") == true)

        // Moved to staging, without a known backup: the production series and the backup time are gone.
        metrics.recordEnvironment(key, stage: "staging", status: Self.status(degraded: false, backup: nil), rpoHours: 72)
        #expect(Self.lines(metrics, containing: #"stage="production""#).isEmpty)
        #expect(Self.lines(metrics, containing: "last_backup_timestamp").isEmpty)
        #expect(Self.lines(metrics, containing: "environment_backup_rpo_seconds{").first?.hasSuffix(" 259200.0") == true)

        let other = ObjectKey(namespace: "pharmacy", name: "pharmacy")
        metrics.recordEnvironment(other, stage: "development", status: Self.status(degraded: false, backup: backup), rpoHours: 168)
        metrics.forget(key)
        #expect(Self.lines(metrics, containing: #"environment="clinic""#).isEmpty)
        #expect(!Self.lines(metrics, containing: #"environment="pharmacy""#).isEmpty)
        metrics.forgetEnvironments()
        #expect(Self.lines(metrics, containing: "odoo_guard_operator_environment_").isEmpty, "a standby exports no environment series")
    }

    @Test func podHoursSavedGrowWhileAsleepAndStopWhenAwake() {
        let metrics = OperatorMetrics()
        let key = ObjectKey(namespace: "pharmacy-staging", name: "pharmacy")
        let since = Date(timeIntervalSince1970: 1_764_000_000)
        var status = Self.status(degraded: false, backup: nil)
        status.sleep = SleepStatus(state: .sleeping, since: since, until: nil, stoppedPods: 3, podHoursSavedBefore: 10)
        metrics.recordEnvironment(key, stage: "staging", status: status, rpoHours: 72, now: since.addingTimeInterval(3600))
        #expect(Self.lines(metrics, containing: "environment_sleeping{").first?.hasSuffix(" 1.0") == true)
        #expect(Self.lines(metrics, containing: "environment_sleep_pod_hours_saved{").first?.hasSuffix(" 13.0") == true)
        // No reconcile happens during a sleep: the scrape brings the figure up to date.
        metrics.refreshSleep(now: since.addingTimeInterval(2 * 3600))
        #expect(Self.lines(metrics, containing: "environment_sleep_pod_hours_saved{").first?.hasSuffix(" 16.0") == true)
        status.sleep = SleepStatus(state: .awake, since: since.addingTimeInterval(3 * 3600), until: nil, podHoursSavedBefore: 19)
        metrics.recordEnvironment(key, stage: "staging", status: status, rpoHours: 72, now: since.addingTimeInterval(5 * 3600))
        metrics.refreshSleep(now: since.addingTimeInterval(9 * 3600))
        #expect(Self.lines(metrics, containing: "environment_sleeping{").first?.hasSuffix(" 0.0") == true)
        #expect(Self.lines(metrics, containing: "environment_sleep_pod_hours_saved{").first?.hasSuffix(" 19.0") == true)
    }
}
