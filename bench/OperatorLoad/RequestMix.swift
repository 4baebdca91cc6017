/// The API requests of a phase by method, resource and kind of read (list, watch, get by name), so a
/// run at two sizes shows which requests grow faster than the number of environments.
struct RequestMix {
    /// Counts by `METHOD resource kind`, from request-log lines (`METHOD path?query`).
    private(set) var counts: [String: Int] = [:]

    init<S: Sequence>(_ lines: S) where S.Element == String {
        for line in lines { counts[Self.key(line), default: 0] += 1 }
    }

    /// The requests between two snapshots of a target's counts.
    init(from before: [String: Int], to after: [String: Int]) {
        for (key, value) in after where value - before[key, default: 0] > 0 { counts[key] = value - before[key, default: 0] }
    }

    /// Resources whose writes are not the reconciler's: Events, and a real API server's own leases and
    /// Service IP allocations.
    static let notTheOperators: Set<String> = ["events", "leases", "ipaddresses"]

    /// Writes (anything but GET) outside `excluded` resources.
    func writes(excluding excluded: Set<String> = RequestMix.notTheOperators) -> Int {
        counts.filter { key, _ in
            let parts = key.split(separator: " ")
            return parts.count >= 2 && parts[0] != "GET" && !excluded.contains(String(parts[1]))
        }.values.reduce(0, +)
    }

    /// `GET secrets list`, `PATCH odooenvironments/status item`, `GET deployments watch`.
    static func key(_ line: String) -> String {
        let parts = line.split(separator: " ", maxSplits: 1)
        guard parts.count == 2 else { return line }
        let target = parts[1].split(separator: "?", maxSplits: 1)
        let query = target.count > 1 ? target[1] : ""
        var segments = target[0].split(separator: "/").map(String.init)
        // /api/v1/… or /apis/group/version/…
        segments.removeFirst(segments.first == "api" ? min(2, segments.count) : min(3, segments.count))
        if segments.first == "namespaces" && segments.count >= 3 { segments.removeFirst(2) }
        guard let resource = segments.first else { return "\(parts[0]) (root)" }
        let shape: String
        if query.contains("watch=true") || query.contains("watch=1") {
            shape = "watch"
        } else if segments.count == 1 {
            shape = "list"
        } else {
            shape = segments.count > 2 ? "\(segments[2]) item" : "item"
        }
        return "\(parts[0]) \(resource) \(shape)"
    }

    /// The counts, largest first, one per line with the count per environment.
    func shown(per environments: Int) -> String {
        counts.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.map { key, value in
            "    \(key): \(value) (\(String(format: "%.2f", Double(value) / Double(max(environments, 1)))) per environment)"
        }.joined(separator: "\n")
    }
}
