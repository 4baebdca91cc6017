import KubeModel

/// Who may change a governed namespace's governance labels (`spec.platformAdmins`).
public struct PlatformAdmins: Sendable, Equatable {
    /// Groups whose members are platform admins.
    public var groups: [String]
    /// User names (exact, or `prefix*` globs) that are platform admins.
    public var users: [String]

    /// Platform admins; by default the `system:masters` group only.
    public init(groups: [String] = ["system:masters"], users: [String] = []) {
        self.groups = groups
        self.users = users
    }

    /// Whether the requester is a platform admin.
    public func includes(_ user: UserInfo) -> Bool {
        users.contains { Glob.matches($0, user.username) } || groups.contains(where: user.groups.contains)
    }
}
