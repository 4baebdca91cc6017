import OrderedCollections

/// A strict RFC 8259 JSON parser producing ``JSONValue``.
///
/// Errors carry line and column; nesting is bounded by ``JSONLimits/maxDepth``; strings must be valid
/// UTF-8; numbers keep integers exact and reject values JSON cannot represent (overflowing floats).
///
/// The parser reads the input through one buffer pointer and gathers the members of the objects and
/// arrays it is inside on two stacks it reuses, so each object's keys and values and each array are
/// allocated once, at their final size (appending to them grew them a doubling at a time).
public struct JSONParser: ~Copyable {
    /// The input, valid for the parser's life (it lives inside `withUnsafeBufferPointer`).
    let bytes: UnsafeBufferPointer<UInt8>
    /// The read position.
    var index = 0
    private var depth = 0
    /// The keys of the objects being read, innermost last.
    private var keyStack: ContiguousArray<String> = []
    /// The values of the objects and arrays being read, innermost last.
    private var valueStack: ContiguousArray<JSONValue> = []

    /// Objects with more members than this look keys up in a set to refuse duplicates; smaller ones
    /// compare with each earlier key (as `OrderedSet` itself does below its hashing threshold).
    private static let linearDuplicateSearch = 16

    /// Parses one JSON text (leading and trailing whitespace allowed).
    /// - Throws: ``KubeModelError`` with code `invalidJSON`, `invalidUTF8` or `limitExceeded`.
    public static func parse(_ bytes: [UInt8]) throws(KubeModelError) -> JSONValue {
        try withBuffer(bytes) { (parser: inout JSONParser) throws(KubeModelError) in
            parser.skipWhitespace()
            let value = try parser.parseValue()
            parser.skipWhitespace()
            if parser.index < parser.bytes.count { throw parser.error("unexpected text after the JSON value") }
            return value
        }
    }

    /// Whether `bytes` begins with one whole JSON value followed by a YAML document marker (`---`): a
    /// stream of JSON documents, which is YAML too. Bounded as ``parse(_:)`` is (a value nested too
    /// deep answers `false` at once).
    static func startsDocumentStream(_ bytes: [UInt8]) -> Bool {
        let starts = try? withBuffer(bytes) { (parser: inout JSONParser) throws(KubeModelError) -> Bool in
            parser.skipWhitespace()
            _ = try parser.parseValue()
            parser.skipWhitespace()
            return parser.bytes[parser.index...].starts(with: [UInt8(ascii: "-"), UInt8(ascii: "-"), UInt8(ascii: "-")])
        }
        return starts ?? false
    }

    /// Parses one JSON text from a string.
    public static func parse(_ text: String) throws(KubeModelError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    /// Runs `body` with a parser over `bytes`.
    private static func withBuffer<R>(_ bytes: [UInt8], _ body: (inout JSONParser) throws(KubeModelError) -> R) throws(KubeModelError) -> R {
        let result: Result<R, KubeModelError> = bytes.withUnsafeBufferPointer { buffer in
            var parser = JSONParser(bytes: buffer)
            do throws(KubeModelError) { return .success(try body(&parser)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    private init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

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
        let base = keyStack.count
        let valueBase = valueStack.count
        // Refuses a duplicate key where it is read, so an error later in the object does not win over it.
        var seen: Set<String>? = nil
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1; depth -= 1
            return .object(JSONObject())
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
            if isDuplicate(key, from: base, seen: &seen) {
                throw error("duplicate key \"\(key)\" in an object")
            }
            keyStack.append(key)
            valueStack.append(value)
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input inside an object") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; break }
            throw error("expected ',' or '}' in an object, found \(describe(bytes[index]))")
        }
        depth -= 1
        return .object(JSONObject(uncheckedUniqueKeys: keyStack.popSuffix(from: base), values: valueStack.popSuffix(from: valueBase)))
    }

    /// Whether `key` is already among the keys of the object whose keys start at `base`. Past
    /// ``linearDuplicateSearch`` keys the object's keys are kept in `seen` as well.
    private func isDuplicate(_ key: String, from base: Int, seen: inout Set<String>?) -> Bool {
        if seen == nil, keyStack.count - base < Self.linearDuplicateSearch {
            for earlier in keyStack[base...] where earlier == key { return true }
            return false
        }
        if seen == nil { seen = Set(keyStack[base...]) }
        return seen?.insert(key).inserted == false
    }

    private mutating func parseArray() throws(KubeModelError) -> JSONValue {
        try enter()
        index += 1
        let base = valueStack.count
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1; depth -= 1
            return .array([])
        }
        while true {
            skipWhitespace()
            let value = try parseValue()
            valueStack.append(value)
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input inside an array") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; break }
            throw error("expected ',' or ']' in an array, found \(describe(bytes[index]))")
        }
        depth -= 1
        return .array(Array(valueStack.popSuffix(from: base)))
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
}

extension ContiguousArray {
    /// Takes the elements from `start` on off the end into a new array of exactly their count, in their
    /// order. Popping moves each element out, so none is retained or released on the way.
    fileprivate mutating func popSuffix(from start: Int) -> ContiguousArray {
        var taken = ContiguousArray()
        taken.reserveCapacity(count - start)
        while count > start, let last = popLast() { taken.append(last) }
        taken.reverse()
        return taken
    }
}
