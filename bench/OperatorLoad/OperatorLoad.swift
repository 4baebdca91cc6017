import AsyncHTTPClient
import Foundation
import KubeAPITestServer
import KubeClient
import KubeModel
import Logging
import OdooPlan
import TestSupport

/// The operator's load benchmark (bench/REPORT.md): N OdooEnvironments, each in its own namespace,
/// created against the in-process API test server while `guard-operator` runs as a separate process
/// (so its resident memory is its own). Reports the time until every environment is planned and
/// applied (status written for its generation, not Degraded), the API writes, the time and writes of a
/// no-op resync of all of them (up to 1,000; above, the restart is that pass), and the operator's peak RSS.
///
/// Run: swift build -c release --product guard-operator && swift build -c release --product operator-load && .build/release/operator-load [N]
/// (`operator-load metrics [N]` measures the per-environment metrics alone, ``MetricsLoad``.)
/// With `OPERATOR_LOAD_KUBECONFIG` it runs against that cluster's kube-apiserver instead (``LoadTarget``):
/// a fresh control plane with the chart's, Traefik's and the policy-report CRDs applied.
/// (SwiftPM builds only the last `--product` of one command.)
@main
struct OperatorLoad {
    static func main() async throws {
        if CommandLine.arguments.dropFirst().first == "metrics" {
            return MetricsLoad.run(count: CommandLine.arguments.dropFirst(2).first.flatMap(Int.init) ?? 10_000)
        }
        let count = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 1000
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("guard-operator").path
        let logger: Logger = {
            var logger = Logger(label: "operator-load")
            logger.logLevel = .critical
            return logger
        }()
        if let path = ProcessInfo.processInfo.environment["OPERATOR_LOAD_KUBECONFIG"].flatMap({ $0.isEmpty ? nil : $0 }) {
            return try await run(count: count, binary: binary, logger: logger, target: RealClusterTarget(path: path))
        }
        try await KubeAPITestServer.serving(bookmarkInterval: .seconds(5)) { server in
            try await run(count: count, binary: binary, logger: logger, target: TestServerTarget(server: server))
        }
    }

    static func run(count: Int, binary: String, logger: Logger, target: some LoadTarget) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("operator-load-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let kubeconfig = try target.kubeconfig(in: directory)
        // Lists are paged and may be long at 10,000 environments: a generous deadline per page.
        let api = try KubeHTTPClient(config: target.config, logger: logger, requestTimeout: .seconds(120))
        let paged = ListOptions(limit: 500)
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        // A resync every 30 s measures the no-op pass quickly at 1,000 environments. Above that a pass
        // needs more CPU than 30 s of two cores hold (5–13 ms per no-op reconcile), and the operator would
        // do nothing but resync: it runs at its default period, and its restart is the no-op pass measured.
        let resync = count <= 1000 ? 30 : 600
        // The built-in configuration without the shared servers' admin Secrets: the benchmark has no
        // PostgreSQL or Redis to provision (the operator then only writes credentials), so no
        // environment waits on an unreachable database and requeues.
        let configuration = directory.appendingPathComponent("operator.yaml").path
        try OperatorConfiguration.builtInText.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.contains("adminSecret") }.joined(separator: "\n")
            .write(toFile: configuration, atomically: true, encoding: .utf8)
        func launch() throws -> (pid: pid_t, port: Int) {
            let port = try FreePort.next()
            let arguments = ["--kubeconfig", kubeconfig, "--config", configuration, "--leader-elect", "off", "--resolve-images", "off", "--host", "127.0.0.1",
                             "--port", String(port), "--workers", "8", "--resync-seconds", String(resync),
                             "--log-level", ProcessInfo.processInfo.environment["OPERATOR_LOG_LEVEL"] ?? "error"]
            // OPERATOR_WRAPPER (e.g. /usr/bin/heaptrack) runs the operator under a profiler; RSS figures are then the wrapper's.
            let wrapper = ProcessInfo.processInfo.environment["OPERATOR_WRAPPER"].flatMap { $0.isEmpty ? nil : $0 }
            let pid = try Subprocess.spawn(wrapper ?? binary, (wrapper == nil ? [] : [binary]) + arguments,
                                           log: directory.appendingPathComponent("operator.log").path)
            return (pid, port)
        }
        let (pid, port) = try launch()
        let first = Child(pid)
        defer { first.stop() }
        func get(_ path: String, port: Int = port) async -> String? {
            // At 10,000 environments /metrics carries about 25 series per environment (tens of MiB).
            guard let response = try? await http.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)"), timeout: .seconds(60)),
                  response.status == .ok, let body = try? await response.body.collect(upTo: 256 << 20) else { return nil }
            return String(buffer: body)
        }
        while await get("/readyz") == nil { try await Task.sleep(for: .milliseconds(100)) }
        let rss = PeakRSS(pid: pid)
        let polls = Polls(count: count)
        let cpu = ProcessCPU(pid: pid)

        // Namespaces first (a tenant's namespace exists before its environment).
        try await forEach(0..<count, width: 32) { index in
            _ = try await api.create(.namespaces, namespace: nil, object: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string("env-\(index)")]],
                                     options: WriteOptions())
        }
        let countsBefore = await target.requestCounts()
        let start = ContinuousClock.now
        let cpuStart = cpu.seconds()
        let selfStart = target.serverCPU()
        try await forEach(0..<count, width: 32) { index in
            _ = try await api.create(.odooEnvironments, namespace: "env-\(index)", object: environment(index), options: WriteOptions())
        }
        var applied = 0
        // A real API server with etcd uses about three times the CPU of the in-process one (1,000
        // environments: 170 s against 48 s), on the same two cores: its deadlines are longer.
        let slower = target is RealClusterTarget ? 3 : 1
        let applyDeadline = Duration.seconds(max(600, count / 10) * slower)
        while applied < count {
            try await Task.sleep(for: polls.status)
            rss.sample()
            applied = try await api.listAll(.odooEnvironments, namespace: nil, options: paged).items.filter { item in
                let status = item["status"]
                let degraded = status?["conditions"]?.arrayValue?.first { $0["type"] == "Degraded" }
                return status?["observedGeneration"] == item["metadata"]?["generation"] && degraded?["status"] == "False"
            }.count
            if ContinuousClock.now - start > applyDeadline { break }
        }
        let appliedIn = ContinuousClock.now - start
        // Let the last reconciles (status changes) finish.
        var counts = await target.requestCounts()
        while true {
            try await Task.sleep(for: .seconds(2))
            let now = await target.requestCounts()
            if RequestMix(from: counts, to: now).writes() == 0 { break }
            counts = now
        }
        let applyMix = RequestMix(from: countsBefore, to: counts)
        let createWrites = applyMix.writes() - count
        rss.sample()
        let applyCPU = cpu.seconds() - cpuStart
        let applySelfCPU = target.serverCPU() - selfStart

        // The next periodic resync reconciles every environment again; nothing changed, so nothing is written.
        func reconciles(port: Int = port) async -> Int {
            guard let text = await get("/metrics", port: port) else { return 0 }
            return text.split(separator: "\n").filter { $0.hasPrefix("odoo_guard_operator_reconcile_total{") }
                .compactMap { Int($0.split(separator: " ").last ?? "") }.reduce(0, +)
        }
        let base = await reconciles()
        var firstReconcile: ContinuousClock.Instant?
        var done = base
        let waitEnd = ContinuousClock.now + .seconds(Double(resync) * 2 + 60)
        while count <= 1000 && done < base + count && ContinuousClock.now < waitEnd {
            try await Task.sleep(for: polls.resync)
            done = await reconciles()
            if firstReconcile == nil && done > base { firstReconcile = .now }
            rss.sample()
        }
        let resyncIn = firstReconcile.map { ContinuousClock.now - $0 }
        let resyncCPU = cpu.seconds() - cpuStart - applyCPU
        let resyncWrites = RequestMix(from: counts, to: await target.requestCounts()).writes()
        let objects = await target.resourceVersion(api)
        // What the operator's caches hold at most: every watched object, serialized, without managedFields.
        var cachedBytes = 0
        var cachedObjects = 0
        for resource in [ResourceType.odooEnvironments, .namespaces, .resourceQuotas, .limitRanges, .networkPolicies, .configMaps, .secrets,
                         .persistentVolumeClaims, .services, .deployments, .podDisruptionBudgets] + ResourceType.traefik(group: "traefik.io") {
            for item in try await api.listAll(resource, namespace: nil, options: paged).items {
                var object = item
                _ = object.modify(at: "metadata") { metadata in
                    if case .object(var fields) = metadata { fields.removeValue(forKey: "managedFields"); metadata = .object(fields) }
                }
                cachedBytes += object.serializedBytes().count
                cachedObjects += 1
            }
        }
        // What a list of every Secret carries, in full and as the operator asks for it (issue #34).
        let secretsFull = try await api.listAll(.secrets, namespace: nil, options: paged).items.reduce(0) { $0 + $1.serializedBytes().count }
        let secretsMetadata = try await api.listAll(.secrets, namespace: nil, options: ListOptions(limit: 500, metadataOnly: true)).items
            .reduce(0) { $0 + $1.serializedBytes().count }
        // A restart with everything in place: the cold start of an operator that finds 1,000
        // environments, and its memory without the creation churn.
        first.stop()
        let restartCounts = await target.requestCounts()
        let restartStart = ContinuousClock.now
        let (second, secondPort) = try launch()
        let restarted = Child(second)
        defer { restarted.stop() }
        let restartRSS = PeakRSS(pid: second)
        let restartDeadline = Duration.seconds(max(300, count / 20) * slower)
        var restartReconciled = 0
        while restartReconciled < count && ContinuousClock.now - restartStart < restartDeadline {
            try await Task.sleep(for: polls.restart)
            restartReconciled = await reconciles(port: secondPort)
            restartRSS.sample()
        }
        let restartIn = ContinuousClock.now - restartStart
        let restartCPU = ProcessCPU(pid: second).seconds()
        try await Task.sleep(for: .seconds(2))
        restartRSS.sample()
        let restartMix = RequestMix(from: restartCounts, to: await target.requestCounts())
        // The background audit's first pass writes a PolicyReport per namespace and the
        // ClusterPolicyReport on start; the reconciler's writes are counted apart (0 when a
        // restart finds everything as planned).
        let restartWritten = restartMix.writes(excluding: RequestMix.notTheOperators.union(["policyreports", "clusterpolicyreports"]))
        let auditWritten = restartMix.writes() - restartWritten
        print("""
            operator-load: \(count) OdooEnvironments, guard-operator \(binary), on \(target is RealClusterTarget ? "the kube-apiserver of OPERATOR_LOAD_KUBECONFIG" : "the in-process API test server")
              planned and applied: \(applied)/\(count) in \(appliedIn)\(applied < count ? " (stopped at the deadline of \(applyDeadline))" : "") (\(createWrites) API writes by the operator; \(objects) resourceVersions in the server)
              reconciles while applying: \(base) (\(ProcessCPU.shown(Double(base) / Double(max(count, 1)))) per environment, periodic resyncs every \(resync) s included)
              no-op resync: \(count <= 1000 ? "\(done - base)/\(count) reconciles in \(resyncIn.map { "\($0)" } ?? "n/a"), \(resyncWrites) writes" : "not waited for above 1,000 environments (the restart below is the no-op pass)")
              watched objects: \(cachedObjects), \(cachedBytes / 1024) KiB serialized without managedFields
              Secrets listed: \(secretsFull / 1024) KiB in full, \(secretsMetadata / 1024) KiB as metadata (what the operator asks for)
              operator CPU (user + system): \(ProcessCPU.shown(applyCPU)) s to apply (\(ProcessCPU.shown(applyCPU * 1000 / Double(max(count, 1)))) ms per environment), \(ProcessCPU.shown(resyncCPU)) s through the resync; the API server \(ProcessCPU.shown(applySelfCPU)) s while applying (\(target is RealClusterTarget ? "kube-apiserver and etcd" : "in this process, with the benchmark's client")); the restarted operator \(ProcessCPU.shown(restartCPU)) s until its last reconcile
              operator RSS: peak \(rss.peakMiB) MiB, \(rss.currentMiB) MiB with every environment cached after the resync (\(rss.samples) samples)
              restart: \(min(restartReconciled, count))/\(count) environments reconciled \(restartIn) after start\(restartReconciled < count ? " (stopped at the deadline of \(restartDeadline))" : ""), \(restartWritten) reconciler writes (\(auditWritten) (Cluster)PolicyReports by the audit's first pass); RSS peak \(restartRSS.peakMiB) MiB, now \(restartRSS.currentMiB) MiB
              requests while applying (the benchmark's own creates and status lists included):
            \(applyMix.shown(per: count))
              requests of the restart:
            \(restartMix.shown(per: count))
            """)
        try await http.shutdown()
        try await api.shutdown()
    }

    static func environment(_ index: Int) -> JSONValue {
        [
            "apiVersion": "odooguard.io/v1alpha1", "kind": "OdooEnvironment",
            "metadata": ["name": .string("odoo\(index)"), "namespace": .string("env-\(index)")],
            "spec": [
                // Two workers: three replicas with the derived three would exceed the shared tier's connection budget (#21).
                "version": "17.0", "tier": "shared", "stage": "development", "replicas": .int(Int64(1 + index % 3)), "workers": 2,
                "image": .string("docker.io/library/odoo:17.0@sha256:" + String(repeating: "ab", count: 32)),
                "resources": ["requests": ["cpu": "250m", "memory": "512Mi"], "limits": ["memory": "1536Mi"]],
                "ingress": ["host": .string("odoo\(index).erp.example.com"), "tls": ["certResolver": "letsencrypt"]],
            ],
        ]
    }

    /// Runs `body` for every element, at most `width` at a time.
    static func forEach(_ range: Range<Int>, width: Int, _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = range.lowerBound
            while next < range.upperBound && next - range.lowerBound < width {
                let index = next
                group.addTask { try await body(index) }
                next += 1
            }
            while try await group.next() != nil {
                if next < range.upperBound {
                    let index = next
                    group.addTask { try await body(index) }
                    next += 1
                }
            }
        }
    }
}

/// How often the benchmark looks, so that looking stays a small part of the load at any N. Listing
/// every OdooEnvironment costs the API server (and this process) time proportional to N, and a
/// scrape of the operator's /metrics too (130 ms of the operator's CPU at 10,000): polled at a fixed
/// rate, they grew with N² and slowed what they measured. Up to 1,000 environments the intervals are
/// the ones earlier figures were measured with.
struct Polls {
    /// Between lists of every OdooEnvironment while applying.
    let status: Duration
    /// Between scrapes while waiting for the no-op resync.
    let resync: Duration
    /// Between scrapes while waiting for the restarted operator.
    let restart: Duration

    init(count: Int) {
        let scale = Double(max(count, 1000)) / 1000
        status = .seconds(2 * scale)
        resync = count <= 1000 ? .milliseconds(20) : .milliseconds(200 * scale)
        restart = count <= 1000 ? .milliseconds(100) : .milliseconds(200 * scale)
    }
}

/// A started operator, stopped (SIGTERM, reaped) at most once.
final class Child: @unchecked Sendable {
    private var pid: pid_t?
    init(_ pid: pid_t) { self.pid = pid }
    func stop() {
        if let pid { Subprocess.terminate(pid) }
        pid = nil
    }
}

/// The CPU time a process has used (user + system), from /proc/PID/stat: unlike wall-clock time it
/// does not count the time the operator waits for the in-process API server on the same cores.
struct ProcessCPU {
    let pid: pid_t

    /// Seconds used so far, or 0 when the process is gone.
    func seconds() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return 0 }
        // After the command's closing parenthesis: state is field 3, utime 14 and stime 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Seconds this benchmark process has used (its API server, client and polling).
    static func own() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    static func shown(_ value: Double) -> String { String(format: "%.1f", value) }
}

/// The peak resident set of a process, from /proc/PID/status (VmHWM, the kernel's own high-water mark).
final class PeakRSS: @unchecked Sendable {
    let pid: pid_t
    private(set) var peakKiB = 0
    private(set) var currentKiB = 0
    private(set) var samples = 0
    init(pid: pid_t) { self.pid = pid }

    func sample() {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return }
        for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") || line.hasPrefix("VmRSS:") {
            let kib = Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
            if line.hasPrefix("VmHWM:") {
                peakKiB = max(peakKiB, kib)
                samples += 1
            } else {
                currentKiB = kib
            }
        }
    }

    var peakMiB: String { String(format: "%.1f", Double(peakKiB) / 1024) }
    var currentMiB: String { String(format: "%.1f", Double(currentKiB) / 1024) }
}
