import KubeModel
import TraefikGen

/// The OdooEnvironment's sections that have a shape of their own: a cron window, the resources. (The
/// routing section, `spec.ingress`, is read by TraefikGen's `FieldReader.ingress`.)
extension FieldReader {
    /// What a window's `durationMinutes` is when absent.
    enum WindowDuration {
        /// This many minutes.
        case `default`(Int64)
        /// An error with this message.
        case required(String)
    }

    /// A `{schedule, durationMinutes}` window at `path` (`nil` when absent, unless `required`): the cron
    /// schedule parsed (its error followed by `example`), the duration within `durations`.
    mutating func cronWindow(_ value: JSONValue?, _ path: FieldPath, required: Bool = false, durations: ClosedRange<Int64>,
                             duration fallback: WindowDuration, example: String = "", otherKeys: [String] = []) -> CronWindow? {
        guard let window = object(value, path, required: required) else { return nil }
        unknownKeys(window, allowed: Set(["schedule", "durationMinutes"] + otherKeys), path)
        let text = string(window["schedule"], path / "schedule", required: true)
        var duration = bounded(window["durationMinutes"], path / "durationMinutes", durations, what: "minutes")
        if window["durationMinutes"] == nil {
            switch fallback {
            case .default(let minutes): duration = minutes
            case .required(let message): errors.append(.required(path / "durationMinutes", message))
            }
        }
        guard let text else { return nil }
        switch CronSchedule.parse(text) {
        case .success(let schedule):
            return duration.map { CronWindow(schedule: schedule, durationMinutes: Int($0)) }
        case .failure(let problem):
            errors.append(.invalid(path / "schedule", problem.message + example))
            return nil
        }
    }

    /// `spec.resources`: requests and limits, no request above its limit.
    mutating func resources(_ value: JSONValue?) -> (requests: [String: Quantity], limits: [String: Quantity]) {
        let resources = object(value, "spec.resources") ?? [:]
        unknownKeys(resources, allowed: ["requests", "limits"], "spec.resources")
        let requests = quantities(resources["requests"], "spec.resources.requests")
        let limits = quantities(resources["limits"], "spec.resources.limits")
        for (resource, limit) in limits {
            if let request = requests[resource], request > limit {
                errors.append(.invalid(FieldPath("spec.resources.requests") / resource, "\(request) is more than the limit \(limit)"))
            }
        }
        return (requests, limits)
    }
}
