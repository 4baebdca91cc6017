/// A host a route answers for: a lowercase RFC 1123 name (`erp.clinic.example`), or a wildcard whose
/// `*` is the whole leftmost label (`*.clinic.example`) — the only wildcard form certificate
/// resolvers and browsers accept. Validation is strict because the name is written into Traefik rule
/// expressions: only letters, digits, `-` and `.` can ever reach a rule, so no input can close a
/// backtick string or add an `||` clause.
public struct HostName: Sendable, Hashable, CustomStringConvertible {
    /// The name as written (`*.clinic.example` for a wildcard).
    public let name: String

    /// Whether the name is a wildcard (`*.` followed by a domain).
    public var isWildcard: Bool { name.hasPrefix("*.") }

    /// The domain under the wildcard, or the whole name.
    public var domain: Substring { isWildcard ? name.dropFirst(2) : Substring(name) }

    /// Validates a host name.
    /// - Throws: ``TraefikGenError`` `invalidValue` naming the first problem in words a tenant can act on.
    public init(parsing text: String) throws(TraefikGenError) {
        guard !text.isEmpty else { throw .invalidValue("must not be empty") }
        guard text.utf8.count <= 253 else { throw .invalidValue("must be at most 253 characters, found \(text.utf8.count)") }
        if let bad = text.unicodeScalars.first(where: { !HostName.allowed($0) }) {
            let shown = bad.properties.isWhitespace || bad.value < 0x20 ? "U+" + String(bad.value, radix: 16, uppercase: true) : "'\(bad)'"
            if bad.properties.isUppercase {
                throw .invalidValue("must be lowercase (\"\(text.lowercased())\")")
            }
            throw .invalidValue("must be a host name of letters, digits, '-' and '.' (RFC 1123); \(shown) is not allowed")
        }
        if text.hasSuffix(".") { throw .invalidValue("must not end with '.'") }
        var labels = text.split(separator: ".", omittingEmptySubsequences: false)
        if labels.first == "*" {
            labels.removeFirst()
            guard labels.count >= 2 else {
                throw .invalidValue("a wildcard must stand for one label of a domain with at least two labels, such as *.clinic.example")
            }
        }
        for label in labels {
            guard !label.isEmpty else { throw .invalidValue("must not contain an empty label ('..' or a leading '.')") }
            if label.contains("*") {
                throw .invalidValue("'*' is only allowed as the whole leftmost label (*.clinic.example); Traefik and certificate authorities accept no other wildcard")
            }
            guard label.utf8.count <= 63 else { throw .invalidValue("label \"\(label)\" is longer than 63 characters") }
            guard label.first != "-", label.last != "-" else { throw .invalidValue("label \"\(label)\" must start and end with a letter or digit") }
        }
        self.name = text
    }

    /// The name.
    public var description: String { name }

    private static func allowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "0"..."9", "-", ".", "*": return true
        default: return false
        }
    }
}
