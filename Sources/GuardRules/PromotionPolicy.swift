import KubeModel

/// Promotion evidence (`spec.promotion`): a production environment runs only digests an environment
/// of a lower stage in its promotion group ran `Ready` for at least ``minSoakHours``.
public struct PromotionPolicy: Sendable, Equatable {
    /// How long a digest must have run Ready below production, in hours.
    public var minSoakHours: Int
    /// The stages whose environments prove a digest.
    public var fromStages: [Stage]
    /// The label whose value makes environments one promotion group.
    public var groupLabel: String

    /// The defaults: 24 hours in staging, grouped by `app.kubernetes.io/part-of`.
    public init(minSoakHours: Int = 24, fromStages: [Stage] = [.staging], groupLabel: String = GuardLabels.partOf) {
        self.minSoakHours = minSoakHours
        self.fromStages = fromStages
        self.groupLabel = groupLabel
    }
}
