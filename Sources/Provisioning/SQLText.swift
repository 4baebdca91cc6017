import Foundation

/// SQL text for statements that cannot take bind parameters (DDL): identifiers odoo-guard accepts
/// are validated, never escaped into shape, and literals are quoted with standard-conforming strings.
public enum SQLText {
    /// `"name"` for a name of 1 to 63 of `a-z`, `0-9` and `_` not starting with a digit.
    /// - Throws: ``ProvisioningError`` `invalidName` for anything else (quotes, semicolons, spaces,
    ///   upper case, non-ASCII), so a hostile name never reaches the server.
    public static func identifier(_ name: String) throws(ProvisioningError) -> String {
        let bytes = Array(name.utf8)
        let lower = UInt8(ascii: "a")...UInt8(ascii: "z"), digit = UInt8(ascii: "0")...UInt8(ascii: "9"), underscore = UInt8(ascii: "_")
        guard (1...63).contains(bytes.count), let first = bytes.first, lower.contains(first) || first == underscore,
              bytes.allSatisfy({ lower.contains($0) || digit.contains($0) || $0 == underscore }) else {
            throw ProvisioningError.invalidName("\"\(name.prefix(80))\" cannot name a PostgreSQL role or database: use 1 to 63 of a-z, 0-9 and _, not starting with a digit")
        }
        return "\"\(name)\""
    }

    /// `'text'` with quotes doubled (`standard_conforming_strings`, on since PostgreSQL 9.1).
    /// - Throws: ``ProvisioningError`` `invalidInput` for text with a NUL or a backslash, which no
    ///   generated value contains.
    public static func literal(_ text: String) throws(ProvisioningError) -> String {
        guard !text.utf8.contains(0), !text.contains("\\") else {
            throw ProvisioningError.invalidInput("a value for an SQL statement contains a NUL or a backslash")
        }
        return "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }
}
