import Foundation

/// A batch/v1 Job as decisions read it: its labels and where it stands (running, succeeded when,
/// failed when and why), from `status.succeeded` and the `Complete`/`Failed` conditions.
public struct JobView: Sendable, Equatable {
    /// Where a Job stands.
    public enum Phase: Sendable, Equatable {
        /// Not finished.
        case running
        /// Finished with success.
        case succeeded
        /// Finished with failure (backoff limit, deadline).
        case failed
    }

    /// `metadata.name`.
    public var name: String
    /// `metadata.namespace`.
    public var namespace: String?
    /// `metadata.labels`.
    public var labels: [String: String]
    /// The phase.
    public var phase: Phase
    /// When it finished (`status.completionTime`, or the deciding condition's transition).
    public var completionTime: Date?
    /// `reason: message` of the `Failed` condition.
    public var failure: String?

    /// The view of `object` (a Job as the API returned it).
    public init(_ object: JSONValue) {
        let view = KubeObject(object)
        name = view.name
        namespace = view.namespace
        labels = view.labels
        let status = object["status"]
        let conditions = status?["conditions"]?.arrayValue ?? []
        func condition(_ type: String) -> JSONValue? {
            conditions.first { $0["type"]?.stringValue == type && $0["status"]?.stringValue == "True" }
        }
        if (status?["succeeded"]?.intValue ?? 0) >= 1 || condition("Complete") != nil {
            phase = .succeeded
            completionTime = (status?["completionTime"]?.stringValue ?? condition("Complete")?["lastTransitionTime"]?.stringValue).flatMap(Timestamp.parse)
        } else if let failed = condition("Failed") {
            phase = .failed
            completionTime = failed["lastTransitionTime"]?.stringValue.flatMap(Timestamp.parse)
            failure = [failed["reason"]?.stringValue, failed["message"]?.stringValue].compactMap { $0 }.joined(separator: ": ")
        } else {
            phase = .running
        }
    }
}
