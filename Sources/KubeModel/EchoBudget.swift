/// How much of a value that came from a request may be repeated in a message, a log line or an audit
/// record. A name, image, group or path a caller chose is echoed at most ``value`` bytes, so many
/// findings about a long name cannot multiply a small request into a large response.
public enum EchoBudget {
    /// Bytes of one echoed value: above any Kubernetes name (253) and any real image reference.
    public static let value = 256
    /// Bytes of one whole message (a violation's text, a warning, a log field).
    public static let message = 1_024
    /// The mark a cut value ends with.
    public static let ellipsis = "…"
}

extension StringProtocol {
    /// The text, or its first bytes (cut at a character boundary) followed by `…` when it is longer than
    /// `limit` UTF-8 bytes; the result is at most `limit` bytes plus the ellipsis.
    public func echoed(limit: Int = EchoBudget.value) -> String {
        guard utf8.count > limit else { return String(self) }
        var end = utf8.startIndex
        var used = 0
        for scalar in unicodeScalars {
            let size = UTF8.width(scalar)
            guard used + size <= limit else { break }
            used += size
            end = utf8.index(end, offsetBy: size)
        }
        return String(self[..<end]) + EchoBudget.ellipsis
    }

    /// Whether ``echoed(limit:)`` would cut the text.
    public func exceedsEcho(limit: Int = EchoBudget.value) -> Bool { utf8.count > limit }
}
