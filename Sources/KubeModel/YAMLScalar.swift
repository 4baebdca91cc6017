/// Plain-scalar resolution as the Kubernetes API's YAML decoder (go-yaml v2) does it.
enum YAMLScalar {
    static func bool(_ text: String) -> Bool? {
        switch text {
        case "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON": return true
        case "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF": return false
        default: return nil
        }
    }

    /// Decimal, `0x` hex, `0o`/leading-zero octal and `0b` binary integers, `_` separators allowed.
    static func int(_ text: String) -> Int64? {
        var digits = Substring(text.filter { $0 != "_" })
        guard !digits.isEmpty else { return nil }
        var negative = false
        if let sign = digits.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            digits = digits.dropFirst()
        }
        guard let first = digits.first, first.isASCII, first.isNumber else { return nil }
        var radix = 10
        if digits.hasPrefix("0x") { radix = 16; digits = digits.dropFirst(2) }
        else if digits.hasPrefix("0o") { radix = 8; digits = digits.dropFirst(2) }
        else if digits.hasPrefix("0b") { radix = 2; digits = digits.dropFirst(2) }
        else if digits.count > 1 && digits.hasPrefix("0") { radix = 8; digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isHexDigit }),
              let magnitude = UInt64(digits, radix: radix) else { return nil }
        if negative {
            if magnitude == UInt64(Int64.max) + 1 { return Int64.min }
            guard magnitude <= UInt64(Int64.max) else { return nil }
            return -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }

    /// Whether the text has the shape of a YAML float: `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`.
    static func isFloat(_ text: String) -> Bool {
        var bytes = Substring(text).utf8[...]
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
        func digits() -> Int {
            let count = bytes.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.count
            bytes = bytes.dropFirst(count)
            return count
        }
        let integral = digits()
        var fraction = 0
        var hasPoint = false
        if bytes.first == UInt8(ascii: ".") { hasPoint = true; bytes = bytes.dropFirst(); fraction = digits() }
        guard integral > 0 || (hasPoint && fraction > 0) else { return false }
        if let e = bytes.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return bytes.isEmpty
    }

    /// Resolves an untagged plain scalar: null, boolean, integer, float or string.
    static func resolvePlain(_ text: String, fail: (String) throws(KubeModelError) -> Void) throws(KubeModelError) -> JSONValue {
        guard let first = text.utf8.first else { return .null }
        switch first {
        case UInt8(ascii: "~"), UInt8(ascii: "n"), UInt8(ascii: "N"):
            if text == "~" || text == "null" || text == "Null" || text == "NULL" { return .null }
        case UInt8(ascii: "."):
            switch text {
            case ".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN":
                try fail("\(text) has no JSON representation; quote it to make it a string")
                return .string(text)
            default: break
            }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            if text == "-.inf" || text == "-.Inf" || text == "-.INF" || text == "+.inf" || text == "+.Inf" || text == "+.INF" {
                try fail("\(text) has no JSON representation; quote it to make it a string")
                return .string(text)
            }
        default: break
        }
        if let b = bool(text) { return .bool(b) }
        let firstIsNumeric = (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first)
            || first == UInt8(ascii: "-") || first == UInt8(ascii: "+") || first == UInt8(ascii: ".")
        guard firstIsNumeric else { return .string(text) }
        if let i = int(text) { return .int(i) }
        if isFloat(text.filter { $0 != "_" }), let d = Double(text.filter { $0 != "_" }) {
            guard d.isFinite else {
                try fail("number \(text.prefix(40)) is out of range")
                return .string(text)
            }
            return .double(d)
        }
        return .string(text)
    }
}

extension YAMLScalar {
    private static let yamlTag = "tag:yaml.org,2002:"

    /// Resolves a scalar by its tag as libyaml reports it: `nil` for an untagged plain scalar,
    /// `tag:yaml.org,2002:str` for an untagged quoted or block one, `!` for the non-specific tag.
    /// `fail` is called (and expected to throw) for a value JSON cannot hold or a tag the text contradicts.
    static func resolve(_ text: String, tag: String?, plain: Bool,
                        fail: (String) throws(KubeModelError) -> Void) throws(KubeModelError) -> JSONValue {
        guard let tag else { return plain ? try resolvePlain(text, fail: fail) : .string(text) }
        guard tag.hasPrefix(yamlTag) else {
            // `!` keeps the text; custom tags carry no meaning for Kubernetes objects: read the value as written.
            return plain && tag != "!" ? try resolvePlain(text, fail: fail) : .string(text)
        }
        switch tag.dropFirst(yamlTag.count) {
        case "null":
            return .null
        case "bool":
            if let value = bool(text) { return .bool(value) }
            try fail("\"\(text.prefix(40))\" is tagged !!bool but is not a boolean")
        case "int":
            if let value = int(text) { return .int(value) }
            try fail("\"\(text.prefix(40))\" is tagged !!int but is not an integer")
        case "float":
            if let value = int(text) { return .double(Double(value)) }
            if case .double(let d)? = try? resolvePlain(text, fail: { _ throws(KubeModelError) in }) { return .double(d) }
            try fail("\"\(text.prefix(40))\" is tagged !!float but is not a finite number")
        case "str", "binary", "timestamp":
            return .string(text)
        default:
            return plain ? try resolvePlain(text, fail: fail) : .string(text)
        }
        return .string(text)
    }

    /// A mapping key: as written unless explicitly tagged (`!!int 1` is the key `"1"`).
    static func keyText(_ text: String, tag: String?, plain: Bool,
                        fail: (String) throws(KubeModelError) -> Void) throws(KubeModelError) -> String {
        guard let tag, tag != "!", tag != "tag:yaml.org,2002:str" else { return text }
        switch try resolve(text, tag: tag, plain: plain, fail: fail) {
        case .string(let s): return s
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return JSONValue.format(d)
        default: return text
        }
    }
}
