/// How a controller watches one kind it owns (controller-runtime's `ByObject` cache options): the
/// least it needs to see. The defaults watch every object in full.
public struct OwnedWatch: Sendable, Equatable {
    /// Only objects with these labels (the API's text form), e.g. the controller's own
    /// `app.kubernetes.io/managed-by` label; `nil`: every object of the kind.
    public var labelSelector: String?
    /// Only each object's metadata, asked of the API server as `PartialObjectMetadata`: for kinds the
    /// controller asks "does it exist, who owns it" of and never reads (Secrets).
    public var metadataOnly: Bool

    /// A watch scope.
    public init(labelSelector: String? = nil, metadataOnly: Bool = false) {
        self.labelSelector = labelSelector
        self.metadataOnly = metadataOnly
    }
}
