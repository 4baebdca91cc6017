/// A core/v1 Pod as decisions read it: its name, when it was created, and how each of its containers
/// (init containers first) last ended.
public struct PodView: Sendable, Equatable {
    /// How a container run ended.
    public struct Termination: Sendable, Equatable {
        /// `exitCode` (0 when absent).
        public var exitCode: Int64
        /// `message`: the termination message (a report, or the log's tail with `FallbackToLogsOnError`).
        public var message: String?
        /// `reason` (`Error`, `OOMKilled`, `Completed`).
        public var reason: String?
    }

    /// One container's state.
    public struct ContainerState: Sendable, Equatable {
        /// The container's name.
        public var name: String
        /// Whether it runs now.
        public var running: Bool
        /// How its current run ended, when it did.
        public var terminated: Termination?
        /// How its previous run ended, when it did.
        public var lastTerminated: Termination?
        /// `restartCount`: how often the kubelet restarted it.
        public var restartCount: Int64 = 0
        /// `state.waiting.reason` (`CrashLoopBackOff`, `ImagePullBackOff`), when it waits.
        public var waitingReason: String?
        /// `image` as the kubelet reports it.
        public var image: String?
    }

    /// `metadata.name`.
    public var name: String
    /// `metadata.labels`.
    public var labels: [String: String]
    /// `metadata.creationTimestamp` as written (RFC 3339 in UTC sorts as text).
    public var creationTimestamp: String
    /// `status.initContainerStatuses` then `status.containerStatuses`.
    public var containers: [ContainerState]
    /// `spec.containers`: name → image, as the pod asks for them.
    public var images: [String: String] = [:]

    /// The view of `object` (a Pod as the API returned it).
    public init(_ object: JSONValue) {
        name = object["metadata"]?["name"]?.stringValue ?? ""
        labels = object["metadata"]?["labels"]?.stringMap ?? [:]
        creationTimestamp = object["metadata"]?["creationTimestamp"]?.stringValue ?? ""
        let status = object["status"]
        let statuses = (status?["initContainerStatuses"]?.arrayValue ?? []) + (status?["containerStatuses"]?.arrayValue ?? [])
        func ended(_ state: JSONValue?) -> Termination? {
            guard let terminated = state?["terminated"] else { return nil }
            return Termination(exitCode: terminated["exitCode"]?.intValue ?? 0, message: terminated["message"]?.stringValue,
                               reason: terminated["reason"]?.stringValue)
        }
        for container in object["spec"]?["containers"]?.arrayValue ?? [] {
            if let name = container["name"]?.stringValue, let image = container["image"]?.stringValue { images[name] = image }
        }
        containers = statuses.map { status in
            ContainerState(name: status["name"]?.stringValue ?? "", running: status["state"]?["running"] != nil,
                           terminated: ended(status["state"]), lastTerminated: ended(status["lastState"]),
                           restartCount: status["restartCount"]?.intValue ?? 0, waitingReason: status["state"]?["waiting"]?["reason"]?.stringValue,
                           image: status["image"]?.stringValue)
        }
    }

    /// The state of the container called `name`.
    public func container(_ name: String) -> ContainerState? { containers.first { $0.name == name } }
}
