import Foundation

/// A status condition as Kubernetes defines it (`metav1.Condition`): a type, a tri-state status, a
/// CamelCase reason a program can match and a message a person can act on.
public struct Condition: Sendable, Equatable {
    /// The condition's status.
    public enum Status: String, Sendable, Equatable {
        /// The condition holds.
        case `true` = "True"
        /// The condition does not hold.
        case `false` = "False"
        /// Not known yet.
        case unknown = "Unknown"
    }

    /// `Ready`, `Progressing`, …
    public var type: String
    /// The status.
    public var status: Status
    /// CamelCase reason (`RolloutComplete`).
    public var reason: String
    /// What it means and, when not as wanted, what to do.
    public var message: String
    /// The generation the condition was computed for.
    public var observedGeneration: Int64?
    /// When `status` last changed (RFC 3339, seconds).
    public var lastTransitionTime: String

    /// A condition; `lastTransitionTime` is filled in by ``Condition/merge(_:into:now:)`` when empty.
    public init(type: String, status: Status, reason: String, message: String, observedGeneration: Int64? = nil, lastTransitionTime: String = "") {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.observedGeneration = observedGeneration
        self.lastTransitionTime = lastTransitionTime
    }

    /// A condition read from status JSON, `nil` when `type` or `status` is missing or unusable.
    public init?(json: JSONValue) {
        guard let type = json["type"]?.stringValue, let raw = json["status"]?.stringValue, let status = Status(rawValue: raw) else { return nil }
        self.init(type: type, status: status, reason: json["reason"]?.stringValue ?? "", message: json["message"]?.stringValue ?? "",
                  observedGeneration: json["observedGeneration"]?.intValue, lastTransitionTime: json["lastTransitionTime"]?.stringValue ?? "")
    }

    /// The condition as status JSON (keys in byte order).
    public var json: JSONValue {
        var object: JSONObject = ["lastTransitionTime": .string(lastTransitionTime), "message": .string(message)]
        if let observedGeneration { object["observedGeneration"] = .int(observedGeneration) }
        object["reason"] = .string(reason)
        object["status"] = .string(status.rawValue)
        object["type"] = .string(type)
        return .object(object)
    }

    /// The new conditions, each keeping the previous `lastTransitionTime` of its type while its status
    /// is unchanged (as `meta.SetStatusCondition` does) and stamped with `now` when it changed.
    public static func merge(_ conditions: [Condition], into previous: [Condition], now: Date) -> [Condition] {
        let stamp = Timestamp.format(now)
        return conditions.map { condition in
            var merged = condition
            if let old = previous.first(where: { $0.type == condition.type }), old.status == condition.status, !old.lastTransitionTime.isEmpty {
                merged.lastTransitionTime = old.lastTransitionTime
            } else if merged.lastTransitionTime.isEmpty {
                merged.lastTransitionTime = stamp
            }
            return merged
        }
    }
}
