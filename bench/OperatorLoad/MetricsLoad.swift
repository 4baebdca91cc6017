import Foundation
import KubeRuntime
import OdooOperator
import OdooPlan

/// `operator-load metrics [N]`: the operator's per-environment metrics alone, without an API server:
/// the time to record N environments once (a first reconcile of each), to record them all again (a
/// resync), to render one scrape, and the resident memory they add.
enum MetricsLoad {
    static func run(count: Int) {
        let metrics = OperatorMetrics()
        let before = residentKiB()
        var status = EnvironmentStatus(environment: nil, generation: 1, desired: nil, imageSource: nil, observation: .offline(),
                                       facts: EnvironmentFacts(), problem: nil)
        status.backups = BackupObservation(lastBackupTime: Date(timeIntervalSince1970: 1_764_000_000))
        let keys = (0..<count).map { ObjectKey(namespace: "env-\($0)", name: "odoo\($0)") }
        func recordAll() -> Duration {
            ContinuousClock().measure {
                for key in keys { metrics.recordEnvironment(key, stage: "development", status: status, rpoHours: 168) }
            }
        }
        let first = recordAll()
        let again = recordAll()
        var bytes = 0
        let scrape = ContinuousClock().measure {
            var buffer: [UInt8] = []
            metrics.emit(into: &buffer)
            bytes = buffer.count
        }
        let added = residentKiB() - before
        print("""
            operator-load metrics: \(count) environments
              first record of each: \(first), again: \(again); one scrape: \(scrape) (\(bytes / 1024) KiB); resident memory added: \(added / 1024) MiB
            """)
    }

    static func residentKiB() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        let line = text.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
        return Int(line?.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
}
