import GuardRules
import ImageProvenance
import KubeModel

/// Pins an image reference to the digest its tag points at.
///
/// Contract: a reference that already carries a digest is returned unchanged without a registry
/// call; otherwise the result is `repository:tag@sha256:…`. Implementations may cache; the reconciler
/// calls once per change of the spec's image (the result is kept in the environment's status).
public protocol ImageResolving: Sendable {
    /// The pinned reference.
    /// - Throws: ``OperatorError`` `imageResolution` naming the image and the registry's answer.
    func pin(_ image: String) async throws(OperatorError) -> String
}

/// Resolves through the provenance library (the webhook's registry client and single-flight cache).
public struct RegistryImageResolver: ImageResolving {
    let service: ImageProvenanceService
    let access: RegistryClient.Access
    let policy: ProvenancePolicy

    /// A resolver over a running ``ImageProvenanceService``.
    public init(service: ImageProvenanceService, access: RegistryClient.Access = RegistryClient.Access(), policy: ProvenancePolicy = ProvenancePolicy()) {
        self.service = service
        self.access = access
        self.policy = policy
    }

    /// The pinned reference, resolved within ten seconds.
    public func pin(_ image: String) async throws(OperatorError) -> String {
        let reference: ImageReference
        do { reference = try ImageReference(parsing: image) } catch {
            throw OperatorError.imageResolution("image \(image): \(error.message)", cause: error)
        }
        if reference.digest != nil { return image }
        switch await service.resolve(reference, access: access, policy: policy, deadline: .now + .seconds(10)) {
        case .resolved(let digest): return "\(image)@\(digest)"
        case .notFound(let why): throw OperatorError.imageResolution("image \(image) was not found in its registry: \(why)")
        case .unavailable(let why): throw OperatorError.imageResolution("image \(image) could not be resolved: \(why)")
        }
    }
}

/// For clusters without registry access from the operator: only digest-pinned images are accepted.
public struct PinnedOnlyImageResolver: ImageResolving {
    /// A resolver.
    public init() {}

    /// The image when pinned.
    public func pin(_ image: String) async throws(OperatorError) -> String {
        guard image.contains("@sha256:") else {
            throw OperatorError.imageResolution("image \(image) has no digest and this operator does not resolve tags; pin spec.image by digest")
        }
        return image
    }
}
