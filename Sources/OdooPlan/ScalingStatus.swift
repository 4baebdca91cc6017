import Foundation
import KubeModel

/// `status.scaling` of an environment with `spec.scaling`: how many web pods run and the autoscaler's
/// bounds now (the minimum raised by an open floor), for `kubectl get` and for people.
public struct ScalingStatus: Sendable, Equatable {
    /// Web pods the Deployment asks for now (the autoscaler's last decision; 0 while asleep).
    public var replicas: Int
    /// The autoscaler's minimum now.
    public var minReplicas: Int
    /// Its maximum.
    public var maxReplicas: Int
    /// The open floor raising the minimum, in words, `nil` when none is.
    public var floor: String?

    /// A status.
    public init(replicas: Int, minReplicas: Int, maxReplicas: Int, floor: String? = nil) {
        self.replicas = replicas
        self.minReplicas = minReplicas
        self.maxReplicas = maxReplicas
        self.floor = floor
    }

    /// The status of `scaling` with its `minimum` now and `live` web replicas (`nil`: no Deployment yet).
    public init(_ scaling: Scaling, minimum: Scaling.Minimum, live: Int64?, asleep: Bool) {
        replicas = asleep ? 0 : Int(live ?? Int64(minimum.replicas))
        minReplicas = minimum.replicas
        maxReplicas = scaling.maxReplicas
        if let open = minimum.floor, let until = minimum.until {
            floor = "\(open.window.schedule.text) for \(open.window.durationMinutes) min: at least \(open.minReplicas) until \(scaling.clock.localText(until))"
        }
    }

    /// As JSON.
    public var json: JSONValue {
        var object: JSONObject = ["maxReplicas": .int(Int64(maxReplicas)), "minReplicas": .int(Int64(minReplicas)), "replicas": .int(Int64(replicas))]
        if let floor { object["floor"] = .string(floor) }
        object.sort { $0.key < $1.key }
        return .object(object)
    }

    /// The record in a status, `nil` when it has none or an unreadable one.
    public init?(recorded status: JSONValue?) {
        guard let scaling = status?["scaling"], let replicas = scaling["replicas"]?.intValue, let minimum = scaling["minReplicas"]?.intValue,
              let maximum = scaling["maxReplicas"]?.intValue, (0...1000).contains(replicas), (0...1000).contains(minimum), (0...1000).contains(maximum)
        else { return nil }
        self.init(replicas: Int(replicas), minReplicas: Int(minimum), maxReplicas: Int(maximum), floor: scaling["floor"]?.stringValue)
    }
}
