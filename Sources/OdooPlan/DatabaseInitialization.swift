import Foundation
import KubeModel

/// Where the tenant database's initialisation stands. Odoo initialises only databases it created
/// itself; the operator's database is empty until its init Job (`<base>-init-<hash>`) has installed
/// `spec.database.initModules`. Web and cron run no pod before that, so no process ever caches a
/// half-made registry. Once recorded in `status.databaseInitialized` it is never run again; the Job
/// itself also refuses to touch a database whose `base` module is installed.
public enum DatabaseInitialization: Sendable, Equatable {
    /// Initialised by Job `job` at `time` (recorded in the status).
    case initialized(job: String, time: Date)
    /// The Job `job` is to be started once the database step reports the database usable.
    case pending(job: String)
    /// The Job `job` runs.
    case running(job: String)
    /// The Job `job` failed; `message` is the end of its log.
    case failed(job: String, message: String)

    /// The Job's name.
    public var job: String {
        switch self {
        case .initialized(let job, _), .pending(let job), .running(let job), .failed(let job, _): job
        }
    }

    /// Whether the database is initialised.
    public var isInitialized: Bool {
        if case .initialized = self { return true }
        return false
    }

    /// The state recorded in a status (`status.databaseInitialized: {job, time}`), `nil` when absent.
    public init?(recorded status: JSONValue?) {
        guard let record = status?["databaseInitialized"], let job = record["job"]?.stringValue,
              let time = record["time"]?.stringValue.flatMap(Timestamp.parse) else { return nil }
        self = .initialized(job: job, time: time)
    }

    /// The status field, `nil` unless initialised.
    public var recordJSON: JSONValue? {
        guard case .initialized(let job, let time) = self else { return nil }
        return ["job": .string(job), "time": .string(Timestamp.format(time))]
    }
}
