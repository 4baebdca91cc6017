import Foundation
import KubeModel

/// What the operator saw in the cluster for one environment, as values: the inputs of planning and
/// of the status beyond the spec.
public struct ObservedState: Sendable {
    /// The image pinned by digest for the current spec image (`status.image` while `status.imageSource`
    /// matches), so the registry is asked once per change.
    public var pinnedImage: String?
    /// The web Deployment as last seen.
    public var webDeployment: JSONValue?
    /// The cron Deployment as last seen.
    public var cronDeployment: JSONValue?
    /// Whether the TLS Secret named by `spec.ingress.tls.secretName` exists (`nil`: not asked).
    public var tlsSecretPresent: Bool?
    /// Whether the database credentials Secret exists.
    public var databaseSecretPresent: Bool
    /// The environment's previous status conditions.
    public var previousConditions: [Condition]
    /// The time the status is computed at.
    public var now: Date

    /// An observation.
    public init(pinnedImage: String? = nil, webDeployment: JSONValue? = nil, cronDeployment: JSONValue? = nil, tlsSecretPresent: Bool? = nil,
                databaseSecretPresent: Bool = false, previousConditions: [Condition] = [], now: Date = Date()) {
        self.pinnedImage = pinnedImage
        self.webDeployment = webDeployment
        self.cronDeployment = cronDeployment
        self.tlsSecretPresent = tlsSecretPresent
        self.databaseSecretPresent = databaseSecretPresent
        self.previousConditions = previousConditions
        self.now = now
    }
}
