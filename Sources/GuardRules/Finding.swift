import KubeModel

/// A rule finding before the policy assigns its mode.
struct Finding: Sendable, Hashable {
    var rule: RuleID
    var path: FieldPath
    var message: String
}
