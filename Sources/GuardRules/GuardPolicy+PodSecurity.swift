import KubeModel

extension GuardPolicy {
    /// Decodes `spec.podSecurity`, reporting every invalid field.
    static func decodePodSecurity(_ fields: JSONObject, path: FieldPath, reader: inout FieldReader) -> PodSecuritySettings {
        var result = PodSecuritySettings()
        reader.unknownKeys(fields, allowed: ["levels", "version", "webhookMode"], path)
        if let levels = reader.object(fields["levels"], path / "levels") {
            for (name, raw) in levels {
                let levelPath = path / "levels" / name
                guard let stage = Stage(rawValue: name) else {
                    reader.errors.append(.invalid(levelPath, "unknown stage; use development, staging or production")); continue
                }
                guard let text = reader.string(raw, levelPath) else { continue }
                guard let level = PodSecurityLevel(rawValue: text) else {
                    reader.errors.append(.invalid(levelPath, "must be privileged, baseline or restricted, found \"\(text)\"")); continue
                }
                result.levels[stage] = level
            }
        }
        if let text = reader.string(fields["version"], path / "version") {
            if let version = PodSecurityVersion(label: text), (version.minor ?? PodSecurityVersion.oldestMinor) >= PodSecurityVersion.oldestMinor {
                result.version = version
            } else {
                reader.errors.append(.invalid(path / "version", "must be latest or a Kubernetes minor version from v1.\(PodSecurityVersion.oldestMinor) such as v1.\(PodSecurityVersion.newestKnownMinor), found \"\(text)\""))
            }
        }
        if let mode = reader.mode(fields["webhookMode"], path / "webhookMode") { result.webhookMode = mode }
        return result
    }

    /// Decodes `spec.platformAdmins`; an empty list of both would leave governed namespaces with no one
    /// able to change them, and is refused.
    static func decodePlatformAdmins(_ fields: JSONObject, path: FieldPath, reader: inout FieldReader) -> PlatformAdmins {
        reader.unknownKeys(fields, allowed: ["groups", "users"], path)
        let admins = PlatformAdmins(groups: reader.strings(fields["groups"], path / "groups") ?? [],
                                    users: reader.strings(fields["users"], path / "users") ?? [])
        for (i, user) in admins.users.enumerated() where user.isEmpty || user == "*" {
            reader.errors.append(.invalid(path / "users" / i, "must name a user or a user prefix such as system:serviceaccount:odoo-guard:*; \"*\" would make everyone an admin"))
        }
        for (i, group) in admins.groups.enumerated() where group.isEmpty || group == "system:authenticated" {
            reader.errors.append(.invalid(path / "groups" / i, "must name a group of platform admins; \"\(group)\" would make every user an admin"))
        }
        if admins.groups.isEmpty && admins.users.isEmpty {
            reader.errors.append(.invalid(path, "must name at least one group or user (system:masters by default)"))
        }
        return admins
    }
}
