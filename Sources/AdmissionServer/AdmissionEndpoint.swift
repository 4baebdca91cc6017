/// The two admission routes.
public enum AdmissionEndpoint: String, Sendable, CaseIterable {
    /// `POST /validate`: judges the object as it will be stored; denies on enforce-mode findings.
    case validate
    /// `POST /mutate`: returns the JSON Patch (resource defaults, credential injection); never denies.
    case mutate
}
