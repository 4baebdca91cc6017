/// RFC 1123 DNS labels, the names of namespaces, Services and most objects: 1 to 63 characters of
/// `a-z`, `0-9` and `-`, neither starting nor ending with `-`.
public enum DNSLabel {
    /// Whether `text` is a DNS label.
    public static func isValid(_ text: some StringProtocol) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 63, text.first != "-", text.last != "-" else { return false }
        return text.unicodeScalars.allSatisfy { scalar in
            switch scalar {
            case "a"..."z", "0"..."9", "-": return true
            default: return false
            }
        }
    }
}
