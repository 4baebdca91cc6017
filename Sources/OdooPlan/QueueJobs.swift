import Foundation
import KubeModel

/// `spec.jobs`: OCA's `queue_job` run by a worker Deployment of its own, apart from web.
///
/// The worker pod loads `queue_job` server-wide, so its job runner starts: one connection of its own
/// that `LISTEN`s for new jobs, dispatching each to the pod's own HTTP workers
/// (`/queue_job/runjob` on 127.0.0.1), at most each channel's capacity at once. Web and cron run with
/// the runner disabled (`ODOO_QUEUE_JOB_CHANNELS=root:0`), so a job never takes a worker from a user.
/// One worker pod at a time: `queue_job` allows one runner per database.
public struct QueueJobs: Sendable, Equatable {
    /// The worker pod's Odoo HTTP workers: jobs that can run at once.
    public var workers: Int
    /// The channels and their capacities, as `queue_job` reads them (`root:2,root.import:1`).
    public var channels: String

    /// The module that runs them.
    public static let module = "queue_job"
    /// The longest `channels` text (the CRD's `maxLength`).
    public static let maximumChannelsLength = 1000
    /// The most workers of the worker pod.
    public static let workerRange: ClosedRange<Int64> = 1...16

    /// Background jobs.
    public init(workers: Int, channels: String) {
        self.workers = workers
        self.channels = channels
    }

    /// The capacity of `root` in `channels` (its jobs at once over every channel).
    public var rootCapacity: Int { QueueJobs.capacities(channels)?.first { $0.name == "root" }?.capacity ?? 0 }

    /// `text` as `name:capacity` entries, `nil` when one is malformed: a name is `root` or
    /// `root.` followed by dot-separated words of letters, digits and `_`; a capacity is 1 to 64.
    public static func capacities(_ text: String) -> [(name: String, capacity: Int)]? {
        // The CRD's maxLength: longer text is refused before it is split (each entry is compared with the others).
        guard text.utf8.count <= maximumChannelsLength else { return nil }
        var result: [(String, Int)] = []
        for entry in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = entry.trimmingCharacters(in: .whitespaces).split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let capacity = Int(parts[1]), (1...64).contains(capacity) else { return nil }
            let name = String(parts[0])
            let words = name.split(separator: ".", omittingEmptySubsequences: false)
            guard words.first == "root", words.count <= 8,
                  words.allSatisfy({ !$0.isEmpty && $0.count <= 64 && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") } }),
                  !result.contains(where: { $0.0 == name }) else { return nil }
            result.append((name, capacity))
        }
        return result
    }
}

extension FieldReader {
    /// `spec.jobs`: the worker pod's workers (1 to 16, default 1) and the channels (default
    /// `root:<workers>`), `root` listed, with no more at once than there are workers.
    mutating func queueJobs(_ value: JSONValue?) -> QueueJobs? {
        let path = FieldPath("spec.jobs")
        guard let object = self.object(value, path) else { return nil }
        unknownKeys(object, allowed: ["workers", "channels"], path)
        let workers = bounded(object["workers"], path / "workers", QueueJobs.workerRange, what: "workers").map(Int.init) ?? 1
        let channels = string(object["channels"], path / "channels") ?? "root:\(workers)"
        guard let entries = QueueJobs.capacities(channels) else {
            errors.append(.invalid(path / "channels", "\"\(channels.prefix(80))\"\(channels.count > 80 ? "…" : "") must be channel:capacity entries separated by commas, such as root:2,root.import:1 (names start with root; capacities 1 to 64; each channel once; at most \(QueueJobs.maximumChannelsLength) characters)"))
            return nil
        }
        guard let root = entries.first(where: { $0.name == "root" }) else {
            errors.append(.invalid(path / "channels", "\"\(channels)\" must give root a capacity, such as root:\(workers)"))
            return nil
        }
        if root.capacity > workers {
            errors.append(.invalid(path / "channels", "root:\(root.capacity) runs \(root.capacity) jobs at once, but the worker pod has \(workers) worker\(workers == 1 ? "" : "s") (each running job holds one): raise spec.jobs.workers to \(root.capacity) or lower root's capacity"))
        }
        return QueueJobs(workers: workers, channels: channels)
    }
}
