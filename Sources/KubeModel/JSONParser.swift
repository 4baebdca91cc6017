/// A strict RFC 8259 JSON parser producing ``JSONValue``.
///
/// Errors carry line and column; nesting is bounded by ``JSONLimits/maxDepth``; strings must be valid
/// UTF-8; numbers keep integers exact and reject values JSON cannot represent (overflowing floats).
public struct JSONParser {
    /// The input.
    let bytes: [UInt8]
    /// The read position.
    var index = 0
    private var depth = 0

    /// Parses one JSON text (leading and trailing whitespace allowed).
    /// - Throws: ``KubeModelError`` with code `invalidJSON`, `invalidUTF8` or `limitExceeded`.
    public static func parse(_ bytes: [UInt8]) throws(KubeModelError) -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        if parser.index < bytes.count { throw parser.error("unexpected text after the JSON value") }
        return value
    }

    /// Whether `bytes` begins with one whole JSON value followed by a YAML document marker (`---`): a
    /// stream of JSON documents, which is YAML too. Bounded as ``parse(_:)`` is (a value nested too
    /// deep answers `false` at once).
    static func startsDocumentStream(_ bytes: [UInt8]) -> Bool {
        var parser = JSONParser(bytes: bytes)
        parser.skipWhitespace()
        guard (try? parser.parseValue()) != nil else { return false }
        parser.skipWhitespace()
        return bytes[parser.index...].starts(with: [UInt8(ascii: "-"), UInt8(ascii: "-"), UInt8(ascii: "-")])
    }

    /// Parses one JSON text from a string.
    public static func parse(_ text: String) throws(KubeModelError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private mutating func parseValue() throws(KubeModelError) -> JSONValue {
        guard index < bytes.count else { throw error("unexpected end of input, expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("unexpected character \(describe(bytes[index])), expected a value")
        }
    }

    private mutating func enter() throws(KubeModelError) {
        depth += 1
        if depth > JSONLimits.maxDepth {
            throw KubeModelError.limitExceeded("nesting deeper than \(JSONLimits.maxDepth) levels",
                                 line: position().line, column: position().column)
        }
    }

    private mutating func parseObject() throws(KubeModelError) -> JSONValue {
        try enter()
        index += 1
        var object = JSONObject()
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1; depth -= 1
            return .object(object)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw error("expected a string key in an object")
            }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':' after an object key") }
            index += 1
            skipWhitespace()
            let value = try parseValue()
            if object.updateValue(value, forKey: key) != nil {
                throw error("duplicate key \"\(key)\" in an object")
            }
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input inside an object") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; break }
            throw error("expected ',' or '}' in an object, found \(describe(bytes[index]))")
        }
        depth -= 1
        return .object(object)
    }

    private mutating func parseArray() throws(KubeModelError) -> JSONValue {
        try enter()
        index += 1
        var array: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1; depth -= 1
            return .array(array)
        }
        while true {
            skipWhitespace()
            array.append(try parseValue())
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input inside an array") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; break }
            throw error("expected ',' or ']' in an array, found \(describe(bytes[index]))")
        }
        depth -= 1
        return .array(array)
    }

    private mutating func parseNumber() throws(KubeModelError) -> JSONValue {
        let start = index
        var isInteger = true
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw error("a number needs digits") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) { throw error("numbers must not have leading zeros") }
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("a fraction needs digits after '.'") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("an exponent needs digits") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if isInteger, let integer = Int64(text) { return .int(integer) }
        guard let double = Double(text), double.isFinite else {
            throw KubeModelError.invalidJSON("number \(text.prefix(40)) is out of range",
                                 line: position(of: start).line, column: position(of: start).column)
        }
        return .double(double)
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(KubeModelError) {
        let count = literal.utf8CodeUnitCount
        let matches = literal.withUTF8Buffer { expected in
            index + count <= bytes.count && bytes[index..<(index + count)].elementsEqual(expected)
        }
        guard matches else { throw error("invalid literal, expected \(literal)") }
        index += count
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    func describe(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x" + String(byte, radix: 16)
    }

    func position(of offset: Int? = nil) -> (line: Int, column: Int) {
        let end = min(offset ?? index, bytes.count)
        var line = 1
        var column = 1
        for byte in bytes[0..<end] {
            if byte == 0x0A { line += 1; column = 1 } else if byte & 0xC0 != 0x80 { column += 1 }
        }
        return (line, column)
    }

    func error(_ message: String) -> KubeModelError {
        let (line, column) = position()
        return KubeModelError.invalidJSON(message, line: line, column: column)
    }

    func invalidUTF8(in range: Range<Int>) -> KubeModelError {
        var offset = range.lowerBound
        // Find the first byte where decoding fails, for a precise position.
        var iterator = bytes[range].makeIterator()
        var decoder = UTF8()
        var consumed = range.lowerBound
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): consumed += UTF8.width(scalar)
            case .emptyInput: break loop
            case .error: offset = consumed; break loop
            }
        }
        let (line, column) = position(of: offset)
        return KubeModelError.invalidUTF8("string is not valid UTF-8 (byte offset \(offset))", line: line, column: column)
    }
}
