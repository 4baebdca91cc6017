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
        for (offset, rawLine) in Self.lines(text).enumerated() {
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

    /// The lines of a file as Python reads a text file (universal newlines): split at LF, CRLF and a
    /// lone CR. (Split by `Character`, a CRLF file was one line: its `[options]` never found, its
    /// settings never judged.) Control characters are grapheme boundaries, so the slices are too.
    static func lines(_ text: String) -> [Substring] {
        var lines: [Substring] = []
        let bytes = text.utf8
        var start = bytes.startIndex
        var index = start
        while index != bytes.endIndex {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") else {
                bytes.formIndex(after: &index)
                continue
            }
            lines.append(text[start..<index])
            bytes.formIndex(after: &index)
            if byte == UInt8(ascii: "\r"), index != bytes.endIndex, bytes[index] == UInt8(ascii: "\n") { bytes.formIndex(after: &index) }
            start = index
        }
        lines.append(text[start..<bytes.endIndex])
        return lines
    }

    /// Odoo's reading of a boolean option (see ``OdooOption/bool(_:)``).
    static func bool(_ text: String) -> Bool? { OdooOption.bool(text) }
}

extension StringProtocol {
    /// The text without leading and trailing Unicode whitespace (by scalar, so a combining mark after
    /// a space stays).
    func trimmingWhitespace() -> String {
        // One String, sliced by scalar indices and copied once (building the result scalar by
        // scalar was half of reading an odoo.conf).
        let text = String(self)
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }
}
