import Crypto
import KubeModel

extension AuditRecord {
    /// Groups of the requesting user a record keeps (the rest is in the digest of ``truncated``).
    public static let maxGroups = 64
    /// Bytes of one evidence value (changed fields and addon digests of a real change fit easily).
    public static let maxEvidenceBytes = 4_096

    /// Cuts every value a caller chose (user, groups, names, kind, subresource, evidence) to its budget,
    /// and records for each field that was cut the SHA-256 of its whole text, so the chain still commits
    /// to what was asked without storing or logging megabytes of it.
    mutating func bound() {
        func cut(_ field: String, _ value: inout String, limit: Int = EchoBudget.value) {
            guard value.exceedsEcho(limit: limit) else { return }
            truncated[field] = Self.digest(value)
            value = value.echoed(limit: limit)
        }
        cut("user", &user)
        cut("namespace", &namespace)
        cut("name", &name)
        if var text = subResource { cut("subResource", &text); subResource = text }
        var group = kind.group, version = kind.version, kindName = kind.kind
        cut("kind.group", &group)
        cut("kind.version", &version)
        cut("kind.kind", &kindName)
        kind = GroupVersionKind(group: group, version: version, kind: kindName)
        if groups.count > Self.maxGroups || groups.contains(where: { $0.exceedsEcho() }) {
            truncated["groups"] = Self.digest(groups.joined(separator: "\n"))
            groups = groups.prefix(Self.maxGroups).map { $0.echoed() }
        }
        for key in evidence.keys.sorted() {
            guard var value = evidence[key] else { continue }
            cut("evidence.\(key)", &value, limit: Self.maxEvidenceBytes)
            evidence[key] = value
        }
    }

    /// `sha256:<hex> (<n> bytes)` of a text.
    static func digest(_ text: String) -> String {
        "sha256:\(Hex.encode(SHA256.hash(data: Array(text.utf8)))) (\(text.utf8.count) bytes)"
    }
}
