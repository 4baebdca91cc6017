/// How Odoo reads `odoo.conf` option values.
public enum OdooOption {
    /// Odoo's reading of a boolean option: `True`/`1`/`yes`/`on` and their opposites; `nil` otherwise.
    public static func bool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "1", "yes", "on", "t", "y": return true
        case "false", "0", "no", "off", "f", "n", "": return false
        default: return nil
        }
    }
}
