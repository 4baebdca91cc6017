import KubeModel

extension GuardPolicy {
    /// `spec.placement`: pools with a non-empty node selector and valid taints, assignments naming
    /// known pools, reserved taints and zone spread per stage; every problem reported with its path.
    static func decodePlacement(_ fields: JSONObject, path: FieldPath, reader: inout FieldReader) -> PlacementPolicy {
        reader.unknownKeys(fields, allowed: ["pools", "assignments", "reservedTaints", "zoneSpread"], path)
        var placement = PlacementPolicy()
        for (index, raw) in (reader.array(fields["pools"], path / "pools", limit: 50) ?? []).enumerated() {
            let poolPath = path / "pools" / index
            guard let pool = reader.object(raw, poolPath, required: true) else { continue }
            reader.unknownKeys(pool, allowed: ["name", "nodeSelector", "taints"], poolPath)
            guard let name = reader.string(pool["name"], poolPath / "name", required: true) else { continue }
            if placement.pools.contains(where: { $0.name == name }) {
                reader.errors.append(.invalid(poolPath / "name", "\"\(name)\" names another pool already"))
            }
            let selectorObject = reader.object(pool["nodeSelector"], poolPath / "nodeSelector") ?? [:]
            for (key, value) in selectorObject where value.stringValue == nil {
                reader.errors.append(.invalid(poolPath / "nodeSelector" / key, "must be a string, found \(value.typeDescription)"))
            }
            let selector = JSONValue.object(selectorObject).stringMap
            if selector.isEmpty {
                reader.errors.append(.required(poolPath / "nodeSelector", "is required: the node labels that select the pool's nodes, such as {odooguard.io/pool: \(name)}"))
            }
            let taints = decodeTaints(pool["taints"], poolPath / "taints", reader: &reader)
            placement.pools.append(PlacementPolicy.Pool(name: name, nodeSelector: selector, taints: taints))
        }
        for (index, raw) in (reader.array(fields["assignments"], path / "assignments", limit: 50) ?? []).enumerated() {
            let assignmentPath = path / "assignments" / index
            guard let assignment = reader.object(raw, assignmentPath, required: true) else { continue }
            reader.unknownKeys(assignment, allowed: Set(["tiers", "stages"] + PlacementPolicy.Role.allCases.map(\.rawValue)), assignmentPath)
            var result = PlacementPolicy.Assignment(pools: [:])
            for (i, text) in (reader.strings(assignment["tiers"], assignmentPath / "tiers") ?? []).enumerated() {
                if let tier = Tier(rawValue: text) { result.tiers.append(tier) } else {
                    reader.errors.append(.invalid(assignmentPath / "tiers" / i, "\"\(text)\" is not a tier; use shared or dedicated"))
                }
            }
            for (i, text) in (reader.strings(assignment["stages"], assignmentPath / "stages") ?? []).enumerated() {
                if let stage = Stage(rawValue: text) { result.stages.append(stage) } else {
                    reader.errors.append(.invalid(assignmentPath / "stages" / i, "\"\(text)\" is not a stage; use development, staging or production"))
                }
            }
            for role in PlacementPolicy.Role.allCases {
                guard let name = reader.string(assignment[role.rawValue], assignmentPath / role.rawValue) else { continue }
                if !placement.pools.contains(where: { $0.name == name }) {
                    let known = placement.pools.map(\.name).joined(separator: ", ")
                    reader.errors.append(.invalid(assignmentPath / role.rawValue, "\"\(name)\" is not a pool of spec.placement.pools (known: \(known.isEmpty ? "none" : known))"))
                }
                result.pools[role] = name
            }
            placement.assignments.append(result)
        }
        placement.reservedTaints = decodeTaints(fields["reservedTaints"], path / "reservedTaints", reader: &reader)
        if let spread = reader.object(fields["zoneSpread"], path / "zoneSpread") {
            for (name, raw) in spread {
                guard let stage = Stage(rawValue: name) else {
                    reader.errors.append(.invalid(path / "zoneSpread" / name, "unknown stage; use development, staging or production")); continue
                }
                guard let mode = reader.string(raw, path / "zoneSpread" / name), ["DoNotSchedule", "ScheduleAnyway"].contains(mode) else {
                    reader.errors.append(.invalid(path / "zoneSpread" / name, "must be DoNotSchedule (web pods wait for a zone with room) or ScheduleAnyway"))
                    continue
                }
                placement.zoneSpread[stage] = mode
            }
        }
        return placement
    }

    /// A list of `{key, value?, effect}` taints.
    static func decodeTaints(_ value: JSONValue?, _ path: FieldPath, reader: inout FieldReader) -> [PlacementPolicy.Taint] {
        var taints: [PlacementPolicy.Taint] = []
        for (index, raw) in (reader.array(value, path, limit: 20) ?? []).enumerated() {
            guard let taint = reader.object(raw, path / index, required: true) else { continue }
            reader.unknownKeys(taint, allowed: ["key", "value", "effect"], path / index)
            guard let key = reader.string(taint["key"], path / index / "key", required: true), !key.isEmpty else { continue }
            let effect = reader.string(taint["effect"], path / index / "effect") ?? "NoSchedule"
            guard PlacementPolicy.Taint.effects.contains(effect) else {
                reader.errors.append(.invalid(path / index / "effect", "\"\(effect)\" is not one of \(PlacementPolicy.Taint.effects.joined(separator: ", "))"))
                continue
            }
            taints.append(PlacementPolicy.Taint(key: key, value: reader.string(taint["value"], path / index / "value"), effect: effect))
        }
        return taints
    }
}
