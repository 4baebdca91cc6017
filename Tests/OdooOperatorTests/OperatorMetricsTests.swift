import Foundation
import KubeModel
import KubeRuntime
@testable import OdooOperator
import OdooPlan
import Prometheus
import TestSupport
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
        metrics.emitToString().split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") && $0.contains(text) }
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

/// The per-environment series are written by the operator, not by the registry: their lines must be
/// the ones the registry's own gauges would write, and the scrape must stay valid Prometheus text.
@Suite struct EnvironmentSeriesTextTests {
    static func status(sleeping: Bool, history: Bool) -> EnvironmentStatus {
        var status = OperatorMetricsTests.status(degraded: !sleeping, backup: Date(timeIntervalSince1970: 1_764_000_000.5))
        if history {
            status.readyHistory = [ReadyPeriod(image: "registry.example.com/odoo/odoo@sha256:1", readySince: Date(timeIntervalSince1970: 1_763_990_000),
                                               readyUntil: Date(timeIntervalSince1970: 1_763_995_000)),
                                   ReadyPeriod(image: "registry.example.com/odoo/odoo@sha256:1", readySince: Date(timeIntervalSince1970: 1_763_999_000))]
        }
        if sleeping { status.sleep = SleepStatus(state: .sleeping, since: Date(timeIntervalSince1970: 1_764_000_000), until: nil, stoppedPods: 2) }
        return status
    }

    /// The sample lines of a scrape, sorted (the registry lists its families in no fixed order).
    static func samples(_ text: String) -> [String] {
        text.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") }.sorted()
    }

    @Test("every line is the line the registry's gauge would write, label values escaped alike")
    func linesAreTheRegistrysLines() {
        let metrics = OperatorMetrics()
        let expected = PrometheusCollectorRegistry()
        let now = Date(timeIntervalSince1970: 1_764_003_600)
        let cases: [(ObjectKey, String, EnvironmentStatus, Int?)] = [
            (ObjectKey(namespace: "clinic-prod", name: "clinic"), "production", Self.status(sleeping: false, history: true), 24),
            (ObjectKey(namespace: "pharmacy", name: "pharmacy"), "staging", Self.status(sleeping: true, history: false), nil),
            // Label values the text format must escape: a backslash, a quote and a line feed.
            (ObjectKey(namespace: #"odd\ns"#, name: "a\"b\nc"), "development", Self.status(sleeping: true, history: true), 168),
        ]
        for (key, stage, status, rpo) in cases {
            metrics.recordEnvironment(key, stage: stage, status: status, rpoHours: rpo, now: now)
            let labels = [("namespace", key.namespace ?? ""), ("environment", key.name), ("stage", stage)]
            for type in EnvironmentStatus.conditionTypes {
                let on = status.conditions.first { $0.type == type }?.status == .true
                expected.makeGauge(descriptor: OperatorMetrics.conditionName, labels: labels + [("type", type)]).set(on ? 1.0 : 0.0)
            }
            func gauge(_ descriptor: MetricNameDescriptor, _ value: Double?) {
                if let value { expected.makeGauge(descriptor: descriptor, labels: labels).set(value) }
            }
            gauge(OperatorMetrics.lastBackupName, status.backups.lastBackupTime?.timeIntervalSince1970)
            gauge(OperatorMetrics.rpoName, rpo.map { Double($0) * 3600 })
            gauge(OperatorMetrics.restoreFailedName, status.backups.restoreFailure == nil ? 0 : 1)
            gauge(OperatorMetrics.runningSinceName, status.readyHistory.last.flatMap { $0.readyUntil == nil ? $0.readySince.timeIntervalSince1970 : nil })
            if !status.readyHistory.isEmpty {
                let delivery = DeliveryFigures(history: status.readyHistory, changes: status.changeHistory, asOf: now)
                gauge(OperatorMetrics.deploymentsName, delivery.deploymentsPerDay)
                gauge(OperatorMetrics.failureRatioName, delivery.changeFailureRate)
                gauge(OperatorMetrics.restoreTimeName, delivery.meanTimeToRestore)
                gauge(OperatorMetrics.availabilityName, delivery.availability)
            }
            if let sleep = status.sleep {
                gauge(OperatorMetrics.sleepingName, sleep.state == .sleeping ? 1 : 0)
                gauge(OperatorMetrics.podHoursSavedName, sleep.podHoursSaved(at: now))
            }
        }
        let scrape = metrics.emitToString()
        let environment = Self.samples(scrape).filter { $0.hasPrefix("odoo_guard_operator_environment_") }
        #expect(environment == Self.samples(expected.emitToString()))
        #expect(environment.count == 3 * 6 + (3 + 3 + 2) + 2 + 2 * 4 + 2 * 2, "conditions, backup + restore failed + RPO, running since, DORA, sleep")
        // Each family with a series is declared once, before its first line; one without (no restore
        // rehearsal in these statuses) is not declared at all.
        let lines = scrape.split(separator: "\n")
        #expect(!lines.contains { $0.contains("environment_last_restore_check_timestamp_seconds") })
        for name in OperatorMetrics.environmentMetrics.map(\.name) where lines.contains(where: { $0.hasPrefix("\(name){") }) {
            #expect(lines.filter { $0 == "# TYPE \(name) gauge" }.count == 1, "\(name)")
            let declared = lines.firstIndex { $0 == "# TYPE \(name) gauge" } ?? lines.endIndex
            #expect(lines.firstIndex { $0.hasPrefix("\(name){") }.map { $0 > declared } ?? false, "\(name)")
        }
    }

    @Test("promtool reads the scrape with environments, odd label values included")
    func promtoolReadsTheScrape() throws {
        let promtool = ExecutablePath.onPath("promtool")
        let metrics = OperatorMetrics()
        metrics.recordEnvironment(ObjectKey(namespace: "clinic-prod", name: "clinic"), stage: "production",
                                  status: Self.status(sleeping: true, history: true), rpoHours: 24)
        metrics.recordEnvironment(ObjectKey(namespace: #"odd\ns"#, name: "a\"b\nc"), stage: "staging", status: Self.status(sleeping: false, history: false), rpoHours: nil)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("operator-scrape-\(UUID().uuidString).prom")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(metrics.emitToString().utf8).write(to: file)
        let result = try Subprocess.run("/bin/sh", ["-c", "\(promtool) check metrics < \(file.path)"])
        // promtool's lint names style issues (exit 3); a parse error is exit 1.
        #expect(result.status != 1 && !result.output.contains("error while linting"), "\(result.output)")
    }
}
