import KubeModel
/// The `[options]` section of an Odoo configuration file (`odoo.conf`), as Odoo's ConfigParser reads
/// it: `key = value` or `key: value`, `;`/`#` comments, keys case-insensitive.
struct OdooConf {
    /// Option values by lower-cased key, with the 1-based line each was set on.
    var options: [String: (value: String, line: Int)] = [:]

    /// Parses a file; `nil` when it has no `[options]` section (then it is not an Odoo config).
    init?(_ text: String) {
        var inOptions = false
        var found = false
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                inOptions = line.dropFirst().dropLast().trimmingWhitespace().lowercased() == "options"
                found = found || inOptions
                continue
            }
            guard inOptions, let separator = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else { continue }
            let key = line[..<separator].trimmingWhitespace().lowercased()
            let value = line[line.index(after: separator)...].trimmingWhitespace()
            options[key] = (value, offset + 1)
        }
        guard found else { return nil }
    }

    /// Odoo's reading of a boolean option (see ``OdooOption/bool(_:)``).
    static func bool(_ text: String) -> Bool? { OdooOption.bool(text) }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}
