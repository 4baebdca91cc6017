import KubeModel

/// What a Job's pod says about it: the termination message of one of its containers (a JSON report
/// on success, the end of the log with `FallbackToLogsOnError` on failure). Pure: the observer reads
/// the pods, the decision and the status read the reports.
public enum JobReport {
    /// The longest message kept: the status shows the end of the log, where the error is.
    public static let maxMessage = 600

    /// The termination message of the first of `containers` that has one in `pod`; with `failedOnly`,
    /// of the first that exited non-zero (saying so when it left no message).
    public static func message(of pod: PodView, containers: [JobContainer], failedOnly: Bool = false) -> String? {
        for container in containers {
            guard let ended = pod.container(container.rawValue)?.terminated else { continue }
            if failedOnly && ended.exitCode == 0 { continue }
            let message = (ended.message ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard !message.isEmpty else {
                if failedOnly { return "container \(container.rawValue) exited \(ended.exitCode)" }
                continue
            }
            return String(message.suffix(maxMessage))
        }
        return nil
    }

    /// Why a backup or rehearsal Job failed: its failed container's message, else its `Failed` condition.
    public static func failure(of job: JobView, pod: PodView?) -> String {
        if let pod, let message = message(of: pod, containers: JobContainer.backupAndRehearsal, failedOnly: true) { return "Job \(job.name): \(message)" }
        return "Job \(job.name): \(job.failure ?? "failed")"
    }

    /// The newest of `pods` (by creation time) per Job, read from the `job-name` label the Job controller sets.
    public static func newestByJob(_ pods: [PodView]) -> [String: PodView] {
        var result: [String: PodView] = [:]
        for pod in pods {
            guard let job = pod.labels[jobNameLabel] else { continue }
            if let known = result[job], known.creationTimestamp >= pod.creationTimestamp { continue }
            result[job] = pod
        }
        return result
    }

    /// The label the Job controller puts on its pods.
    public static let jobNameLabel = "job-name"
}
