/// String literals: escapes, surrogate pairs and UTF-8 validation.
extension JSONParser {
    mutating func parseString() throws(KubeModelError) -> String {
        index += 1  // opening quote
        let start = index
        // Fast path: no escapes. Whether every byte is ASCII is gathered on the way.
        var high: UInt8 = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let end = index
                index += 1
                guard let string = JSONParser.decodeUTF8(UnsafeBufferPointer(rebasing: bytes[start..<end]), ascii: high < 0x80) else {
                    throw invalidUTF8(in: start..<end)
                }
                return string
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw error("control character \(describe(byte)) in a string must be escaped") }
            high |= byte
            index += 1
        }
        var buffer = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                guard let string = buffer.withUnsafeBufferPointer({ JSONParser.decodeUTF8($0, ascii: !$0.contains { $0 >= 0x80 }) }) else {
                    throw invalidUTF8(in: start..<(index - 1))
                }
                return string
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { break }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): buffer.append(0x22)
                case UInt8(ascii: "\\"): buffer.append(0x5C)
                case UInt8(ascii: "/"): buffer.append(0x2F)
                case UInt8(ascii: "b"): buffer.append(0x08)
                case UInt8(ascii: "f"): buffer.append(0x0C)
                case UInt8(ascii: "n"): buffer.append(0x0A)
                case UInt8(ascii: "r"): buffer.append(0x0D)
                case UInt8(ascii: "t"): buffer.append(0x09)
                case UInt8(ascii: "u"):
                    let scalar = try parseUnicodeEscape()
                    buffer.append(contentsOf: Array(String(Character(scalar)).utf8))
                default:
                    index -= 1
                    throw error("invalid escape \\\(describe(escape)) in a string")
                }
            default:
                if byte < 0x20 { throw error("control character \(describe(byte)) in a string must be escaped") }
                buffer.append(byte)
                index += 1
            }
        }
        throw error("unterminated string")
    }

    /// Decodes UTF-8, `nil` when it is not valid; bytes known to be ASCII (the common case in
    /// Kubernetes objects) are taken as they are.
    static func decodeUTF8(_ bytes: UnsafeBufferPointer<UInt8>, ascii: Bool) -> String? {
        ascii ? String(decoding: bytes, as: UTF8.self) : String(validating: bytes, as: UTF8.self)
    }

    private mutating func parseHex4() throws(KubeModelError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw error("invalid hex digit \(describe(byte)) in a \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    /// `\uXXXX`, combining surrogate pairs; a lone surrogate becomes U+FFFD as Go's encoding/json does.
    private mutating func parseUnicodeEscape() throws(KubeModelError) -> Unicode.Scalar {
        let replacement = Unicode.Scalar(0xFFFD as UInt32) ?? " "
        let first = try parseHex4()
        if (0xD800...0xDBFF).contains(first) {
            if index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                let save = index
                index += 2
                let second = try parseHex4()
                if (0xDC00...0xDFFF).contains(second) {
                    let combined = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                    return Unicode.Scalar(combined) ?? replacement
                }
                index = save
            }
            return replacement
        }
        return Unicode.Scalar(first) ?? replacement
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
