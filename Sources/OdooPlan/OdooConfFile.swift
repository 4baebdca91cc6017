import KubeModel

/// The `odoo.conf` the operator writes to the environment's ConfigMap: the safe values odoo-guard
/// requires, the worker sizing, then the spec's overrides. No secret is ever part of it: the master
/// password is appended from the admin Secret by the pods' init container, and the database
/// credentials reach Odoo as environment variables from the database Secret.
public struct OdooConfFile: Sendable, Equatable {
    /// HTTP worker processes.
    public var workers: Int
    /// `limit_memory_soft`, bytes per worker: a worker above it is recycled after its request.
    public var limitMemorySoft: Int64
    /// `limit_memory_hard`, bytes per worker: a worker above it is killed at once.
    public var limitMemoryHard: Int64
    /// Every option, in file order.
    public var options: [(key: String, value: String)]
    /// `db_maxconn`: connections each web worker (and the main process) may hold.
    public var connectionsPerProcess: Int
    /// `db_maxconn_gevent`: connections the real-time (gevent) process may hold.
    public var connectionsGevent: Int

    /// A web worker handles one request at a time: its cursor and one nested (Odoo opens a second
    /// cursor for logging, mail queues and signalling). Measured on Odoo 17: a worker holds 1.
    static let defaultConnectionsPerProcess = 2
    /// The threaded server (`workers = 0`) serves requests concurrently in one process.
    static let threadedConnections = 8
    /// The gevent process: the bus listener plus concurrent websocket dispatches.
    static let defaultConnectionsGevent = 4
    /// Odoo's own ratio of `limit_time_cpu` (60 s) to `limit_time_real` (120 s).
    static let cpuToRealTime = 2
    /// Where addon images are copied, one directory per image.
    public static let addonsMount = "/mnt/odoo-guard-addons"

    /// The memory Odoo's processes outside the workers take (the main and gevent processes).
    static let baseMemory: Int64 = 256 << 20
    /// Odoo's deployment guide: an average worker under an 80 % light / 20 % heavy mix needs about
    /// 0.8 × 150 MB + 0.2 × 1 GB ≈ 340 MiB.
    static let memoryPerWorker: Int64 = 340 << 20
    /// Odoo's own defaults for `limit_memory_hard` (2560 MiB) and `limit_memory_soft` (2048 MiB),
    /// the ceilings of the derived values.
    static let odooDefaultHard: Int64 = 2560 << 20

    /// Derives the file from the environment and the memory limit and CPU the Odoo container gets.
    ///
    /// Workers follow Odoo's rule of thumb, `2 × CPUs + 1`, lowered until the workers fit the memory
    /// limit; `limit_memory_hard` shares the limit among the workers plus one (gevent), at most Odoo's
    /// default; `limit_memory_soft` is 80 % of it, the ratio of Odoo's defaults. `spec.workers` and
    /// `spec.config` values win over the derived ones.
    public init(environment: OdooEnvironment, cpu: Quantity?, memoryLimit: Quantity?) {
        let cores = min(1024, max(1, Int(clamping: ((cpu?.nanoValue ?? 1_000_000_000) + 999_999_999) / 1_000_000_000)))
        let memory = memoryLimit.map { Int64(clamping: $0.nanoValue / 1_000_000_000) } ?? (2 << 30)
        let fitting = max(1, Int((memory - OdooConfFile.baseMemory) / OdooConfFile.memoryPerWorker))
        let workers = environment.workers ?? min(2 * cores + 1, fitting)
        let hard = min(OdooConfFile.odooDefaultHard, max(64 << 20, (memory - OdooConfFile.baseMemory) / Int64(max(1, workers) + 1)))
        let soft = hard / 5 * 4
        self.workers = workers
        limitMemoryHard = hard
        limitMemorySoft = soft
        let database = environment.database.name
        var options: [(key: String, value: String)] = [
            ("data_dir", "/var/lib/odoo"),
            ("db_name", database),
            ("dbfilter", "^\(database)$"),
            ("list_db", "False"),
            ("proxy_mode", "True"),
            ("http_port", "8069"),
            (environment.majorVersion >= 16 ? "gevent_port" : "longpolling_port", "8072"),
            ("workers", String(workers)),
            ("max_cron_threads", "0"),
            ("limit_memory_soft", String(soft)),
            ("limit_memory_hard", String(hard)),
            ("db_sslmode", "prefer"),
            ("without_demo", "all"),
        ]
        let threaded = workers == 0
        options.append(("db_maxconn", String(threaded ? OdooConfFile.threadedConnections : OdooConfFile.defaultConnectionsPerProcess)))
        if environment.majorVersion >= 17 { options.append(("db_maxconn_gevent", String(OdooConfFile.defaultConnectionsGevent))) }
        options += OdooConfFile.timeLimits(environment.config)
        if !environment.addons.isEmpty {
            options.append(("addons_path", environment.addons.indices.map { "\(OdooConfFile.addonsMount)/\($0)" }.joined(separator: ",")))
        }
        // Shared sessions: the session_redis module (OCA/camptocamp) must be in the image; it reads
        // the ODOO_SESSION_REDIS_* variables the Deployments set.
        if environment.redis.enabled { options.append(("server_wide_modules", "base,web,session_redis")) }
        for key in environment.config.keys.sorted() {
            let value = environment.config[key] ?? ""
            if let index = options.firstIndex(where: { $0.key == key }) { options[index].value = value } else { options.append((key, value)) }
        }
        self.options = options
        func number(_ key: String, _ fallback: Int) -> Int { options.last { $0.key == key }.flatMap { Int($0.value) } ?? fallback }
        connectionsPerProcess = max(1, number("db_maxconn", OdooConfFile.defaultConnectionsPerProcess))
        // Odoo falls back to db_maxconn when db_maxconn_gevent is not set (and before 17.0).
        connectionsGevent = max(1, number("db_maxconn_gevent", connectionsPerProcess))
    }

    /// `limit_time_cpu` and `limit_time_real` kept in Odoo's ratio when the spec sets only one: a
    /// longer wall-clock limit alone would still kill CPU-bound requests at Odoo's 60 s.
    static func timeLimits(_ config: [String: String]) -> [(key: String, value: String)] {
        let cpu = config["limit_time_cpu"].flatMap { Int($0) }
        let real = config["limit_time_real"].flatMap { Int($0) }
        switch (cpu, real) {
        case (nil, let real?) where real > 0: return [("limit_time_cpu", String(max(1, real / cpuToRealTime)))]
        case (let cpu?, nil) where cpu > 0: return [("limit_time_real", String(cpu.multipliedReportingOverflow(by: cpuToRealTime).overflow ? Int.max : cpu * cpuToRealTime))]
        default: return []
        }
    }

    /// The modules Odoo loads in every process (`server_wide_modules`), `base` and `web` included.
    public var serverWideModules: [String] {
        (options.last { $0.key == "server_wide_modules" }?.value ?? "base,web").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Whether Odoo creates `unaccent` (`unaccent = True`).
    public var unaccent: Bool { options.last { $0.key == "unaccent" }.map { OdooOption.bool($0.value) == true } ?? false }

    /// The file's text.
    public var text: String {
        var lines = ["; Written by odoo-guard. Credentials are not in this file: the master password is appended",
                     "; from the admin Secret at start, the database login comes from the database Secret.", "[options]"]
        for option in options { lines.append("\(option.key) = \(option.value)") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Equal when the options are.
    public static func == (lhs: OdooConfFile, rhs: OdooConfFile) -> Bool { lhs.text == rhs.text }
}
