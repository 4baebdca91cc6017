import GuardRules

/// A cached registry answer: whether it lets the image pass, and whether the registry could not be
/// asked (such answers are kept only briefly). Decides how long ``ImageProvenanceService`` reuses it.
protocol RegistryAnswer: Sendable {
    /// The image passes on this answer (resolved, verified, attested).
    var passed: Bool { get }
    /// The registry could not be asked or did not answer in time.
    var registryUnavailable: Bool { get }
}

extension DigestResolution: RegistryAnswer {
    var passed: Bool { digest != nil }
    var registryUnavailable: Bool {
        if case .unavailable = self { return true }
        return false
    }
}

extension SignatureVerdict: RegistryAnswer {
    var passed: Bool { isVerified }
    var registryUnavailable: Bool {
        if case .unavailable = self { return true }
        return false
    }
}

extension ScanVerdict: RegistryAnswer {
    var passed: Bool {
        if case .attested = self { return true }
        return false
    }
    var registryUnavailable: Bool {
        if case .unavailable = self { return true }
        return false
    }
}
