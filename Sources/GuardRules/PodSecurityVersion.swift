/// A version of the Pod Security Standards (`v1.32`, or `latest`), as Pod Security Admission's
/// `*-version` labels name it. The checks follow the standard of that version where it changed
/// (allowed sysctls, SELinux types); `latest` and versions after the newest known one are judged
/// by the newest known one.
public struct PodSecurityVersion: Sendable, Hashable, CustomStringConvertible {
    /// The newest minor version whose standard the rules implement.
    public static let newestKnownMinor = 32
    /// The oldest minor version accepted in a policy (Pod Security Admission went stable in 1.25).
    public static let oldestMinor = 25

    /// The minor version (1.`minor`); `nil` for `latest`.
    public let minor: Int?

    /// `latest`.
    public static let latest = PodSecurityVersion(minor: nil)

    private init(minor: Int?) { self.minor = minor }

    /// Parses `latest` or `v1.N`; `nil` for anything else.
    public init?(label text: String) {
        if text == "latest" { minor = nil; return }
        guard text.hasPrefix("v1."), let value = Int(text.dropFirst(3)), value >= 0, value < 1000 else { return nil }
        minor = value
    }

    /// The minor version the checks judge by.
    var effectiveMinor: Int { min(minor ?? PodSecurityVersion.newestKnownMinor, PodSecurityVersion.newestKnownMinor) }

    /// The label text: `latest` or `v1.N`.
    public var description: String { minor.map { "v1.\($0)" } ?? "latest" }
}
