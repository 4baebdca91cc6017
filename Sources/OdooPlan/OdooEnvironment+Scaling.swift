import Foundation
import KubeModel

extension FieldReader {
    /// `spec.scaling`: the minimum and maximum web replicas, the CPU utilisation target and the
    /// scheduled floors, read on `spec.scaling.timeZone` (else `sleepZone`, the sleep schedule's, else
    /// UTC). Production keeps at least two replicas.
    mutating func scaling(_ value: JSONValue?, stage: OdooEnvironment.Stage?, sleepZone: TimeZone?) -> Scaling? {
        let path = FieldPath("spec.scaling")
        guard let object = self.object(value, path) else { return nil }
        unknownKeys(object, allowed: ["minReplicas", "maxReplicas", "cpuUtilization", "timeZone", "floors"], path)
        let range = Scaling.replicaRange
        let minimum = bounded(object["minReplicas"], path / "minReplicas", range, what: "web replicas").map(Int.init)
        let maximum = bounded(object["maxReplicas"], path / "maxReplicas", range, what: "web replicas").map(Int.init)
        if object["minReplicas"] == nil {
            errors.append(.required(path / "minReplicas", "is required: the fewest web pods the autoscaler keeps\(stage == .production ? " (at least \(Scaling.productionMinimum) in production)" : "")"))
        }
        if object["maxReplicas"] == nil {
            errors.append(.required(path / "maxReplicas", "is required: the most web pods; the database connection budget is computed for it"))
        }
        let utilization = bounded(object["cpuUtilization"], path / "cpuUtilization", 10...95, what: "percent").map(Int.init)
        let zone = timeZone(object["timeZone"], path / "timeZone") ?? sleepZone ?? ZonedClock.utc.timeZone
        if let minimum, stage == .production, minimum < Scaling.productionMinimum {
            errors.append(.invalid(path / "minReplicas", "\(minimum) is below \(Scaling.productionMinimum): production keeps at least two web pods, so one can be drained or fail while the other serves"))
        }
        if let minimum, let maximum, minimum > maximum {
            errors.append(.invalid(path / "maxReplicas", "\(maximum) is below minReplicas (\(minimum))"))
        }
        let floors = scalingFloors(object["floors"], path / "floors", minimum: minimum, maximum: maximum)
        guard let minimum, let maximum, let floors else { return nil }
        return Scaling(minReplicas: minimum, maxReplicas: maximum, cpuUtilization: utilization ?? Scaling.defaultCPUUtilization,
                       clock: ZonedClock(zone), floors: floors)
    }

    /// `spec.scaling.floors`: windows with a `minReplicas` between the scaling's minimum and maximum.
    private mutating func scalingFloors(_ value: JSONValue?, _ path: FieldPath, minimum: Int?, maximum: Int?) -> [Scaling.Floor]? {
        guard let value, !value.isNull else { return [] }
        guard case .array(let items) = value, items.count <= Scaling.maximumFloors else {
            errors.append(.invalid(path, "must be a list of at most \(Scaling.maximumFloors) floors, such as {schedule: \"30 7 * * 1-5\", durationMinutes: 150, minReplicas: 4}"))
            return nil
        }
        var floors: [Scaling.Floor] = []
        for (index, item) in items.enumerated() {
            let itemPath = path / index
            let window = cronWindow(item, itemPath, required: true, durations: 1...Int64(Scaling.maximumFloorMinutes),
                                    duration: .required("is required: how long the floor holds, in minutes (at most \(Scaling.maximumFloorMinutes), a day)"),
                                    example: ", such as \"30 7 * * 1-5\" (weekdays at 07:30, ahead of an 08:00 opening)", otherKeys: ["minReplicas"])
            let floorMinimum = bounded(item["minReplicas"], itemPath / "minReplicas", Scaling.replicaRange, what: "web replicas").map(Int.init)
            if item.objectValue != nil, item["minReplicas"] == nil {
                errors.append(.required(itemPath / "minReplicas", "is required: the fewest web pods while the floor holds"))
            }
            if let floorMinimum, let maximum, floorMinimum > maximum {
                errors.append(.invalid(itemPath / "minReplicas", "\(floorMinimum) is above maxReplicas (\(maximum)); a floor raises the minimum within the maximum"))
            } else if let floorMinimum, let minimum, floorMinimum <= minimum {
                errors.append(.invalid(itemPath / "minReplicas", "\(floorMinimum) does not raise minReplicas (\(minimum)); a floor only raises the minimum"))
            }
            if let window, let floorMinimum { floors.append(Scaling.Floor(window: window, minReplicas: floorMinimum)) }
        }
        return floors.count == items.count ? floors : nil
    }
}
