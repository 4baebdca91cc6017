import KubeModel

extension GuardPolicy {
    /// Decodes `spec.changeApproval`, reporting every invalid field.
    static func decodeChangeApproval(_ fields: JSONObject, path: FieldPath, reader: inout FieldReader) -> ChangeApprovalPolicy {
        var result = ChangeApprovalPolicy()
        reader.unknownKeys(fields, allowed: ["approverGroups", "requireDistinctApprover", "maxDays", "lowRiskFields"], path)
        if let groups = reader.strings(fields["approverGroups"], path / "approverGroups") {
            for (i, group) in groups.enumerated() where group.isEmpty || group == "system:authenticated" || group == "system:serviceaccounts" {
                reader.errors.append(.invalid(path / "approverGroups" / i, "must name a group of approvers; \"\(group)\" would let anyone approve"))
            }
            result.approverGroups = groups
        }
        if let distinct = reader.bool(fields["requireDistinctApprover"], path / "requireDistinctApprover") { result.requireDistinctApprover = distinct }
        if let days = reader.bounded(fields["maxDays"], path / "maxDays", 1...365, what: "days") { result.maxDays = Int(days) }
        if let low = reader.strings(fields["lowRiskFields"], path / "lowRiskFields") {
            for (i, field) in low.enumerated() where field.isEmpty || field.hasPrefix(".") || field.hasSuffix(".") || field == "image" || field == "addons" || field == "version" {
                reader.errors.append(.invalid(path / "lowRiskFields" / i, "must be a spec field path such as replicas or ingress.adminAllowlist; image, addons and version are always high-risk"))
            }
            result.lowRiskFields = low
        }
        return result
    }

    /// Decodes `spec.promotion`, reporting every invalid field.
    static func decodePromotion(_ fields: JSONObject, path: FieldPath, reader: inout FieldReader) -> PromotionPolicy {
        var result = PromotionPolicy()
        reader.unknownKeys(fields, allowed: ["minSoakHours", "fromStages", "groupLabel"], path)
        if let hours = reader.bounded(fields["minSoakHours"], path / "minSoakHours", 0...8_760, what: "hours") { result.minSoakHours = Int(hours) }
        if let names = reader.strings(fields["fromStages"], path / "fromStages") {
            var stages: [Stage] = []
            for (i, name) in names.enumerated() {
                if let stage = Stage(rawValue: name), stage != .production { stages.append(stage) } else {
                    reader.errors.append(.invalid(path / "fromStages" / i, "must be development or staging: production cannot prove itself"))
                }
            }
            if names.isEmpty { reader.errors.append(.invalid(path / "fromStages", "must name at least one stage (staging)")) }
            result.fromStages = stages
        }
        if let label = reader.string(fields["groupLabel"], path / "groupLabel") {
            if label.isEmpty { reader.errors.append(.invalid(path / "groupLabel", "must be a label key such as app.kubernetes.io/part-of")) }
            result.groupLabel = label
        }
        return result
    }
}
