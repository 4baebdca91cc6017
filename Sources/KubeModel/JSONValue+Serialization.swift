extension JSONValue {
    /// How ``serialized(_:)`` lays the text out.
    public struct SerializationOptions: OptionSet, Sendable {
        /// The raw option bits.
        public let rawValue: Int
        /// Creates options from raw bits.
        public init(rawValue: Int) { self.rawValue = rawValue }
        /// Object keys in byte order instead of document order (deterministic output).
        public static let sortedKeys = SerializationOptions(rawValue: 1)
        /// Two-space indentation and one member per line.
        public static let prettyPrinted = SerializationOptions(rawValue: 2)
    }

    /// The value as JSON text. Compact and in document order by default; never fails.
    public func serialized(_ options: SerializationOptions = []) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        write(into: &output, options: options, indent: 0)
        return String(decoding: output, as: UTF8.self)
    }

    /// The value as UTF-8 JSON bytes.
    public func serializedBytes(_ options: SerializationOptions = []) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        write(into: &output, options: options, indent: 0)
        return output
    }

    /// Appends the value as JSON text to `output` (what ``serializedBytes(_:)`` returns, without a
    /// buffer of its own).
    public func write(into output: inout [UInt8], options: SerializationOptions = []) {
        write(into: &output, options: options, indent: 0)
    }

    private func write(into output: inout [UInt8], options: SerializationOptions, indent: Int) {
        let pretty = options.contains(.prettyPrinted)
        switch self {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let b): output.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): output.append(contentsOf: String(i).utf8)
        case .double(let d): output.append(contentsOf: JSONValue.format(d).utf8)
        case .string(let s): JSONValue.writeString(s, into: &output)
        case .array(let array):
            guard !array.isEmpty else { output.append(contentsOf: "[]".utf8); return }
            output.append(UInt8(ascii: "["))
            for (i, element) in array.enumerated() {
                if i > 0 { output.append(UInt8(ascii: ",")) }
                if pretty { newline(&output, indent + 1) }
                element.write(into: &output, options: options, indent: indent + 1)
            }
            if pretty { newline(&output, indent) }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            guard !object.isEmpty else { output.append(contentsOf: "{}".utf8); return }
            output.append(UInt8(ascii: "{"))
            func member(_ index: Int, _ key: String, _ value: JSONValue) {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                if pretty { newline(&output, indent + 1) }
                JSONValue.writeString(key, into: &output)
                output.append(UInt8(ascii: ":"))
                if pretty { output.append(UInt8(ascii: " ")) }
                value.write(into: &output, options: options, indent: indent + 1)
            }
            let keys = object.keys
            if options.contains(.sortedKeys), keys.indices.dropFirst().contains(where: { !JSONValue.byteOrder(keys[$0 - 1], keys[$0]) }) {
                // Positions sorted by key: no key array copied, no lookup per member. (Keys already in
                // byte order, as most built objects' are, are written as they are, without sorting.)
                let order = keys.indices.sorted { JSONValue.byteOrder(keys[$0], keys[$1]) }
                for (i, position) in order.enumerated() { member(i, keys[position], object.values[position]) }
            } else {
                for (i, (key, value)) in object.enumerated() { member(i, key, value) }
            }
            if pretty { newline(&output, indent) }
            output.append(UInt8(ascii: "}"))
        }
    }

    private func newline(_ output: inout [UInt8], _ indent: Int) {
        output.append(0x0A)
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * 2))
    }

    /// Orders strings by their UTF-8 bytes, as Go's `sort.Strings` does: the order of the keys this
    /// serializer writes with ``SerializationOptions/sortedKeys``, for callers that order names the same way.
    public static func byteOrder(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// A float in the shortest form that reads back to the same value, always with a fraction or an
    /// exponent so it stays a float when parsed again.
    static func format(_ value: Double) -> String {
        var text = "\(value)"
        if !text.utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "n") || $0 == UInt8(ascii: "i") }) {
            text += ".0"
        }
        return text
    }

    /// Appends `string` as a JSON string literal (quoted, escaped) to `output`.
    public static func writeString(_ string: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        let utf8 = string.utf8
        // Most strings need no escape: checked and copied from the string's own bytes in one go.
        let plain = utf8.withContiguousStorageIfAvailable { bytes in
            for byte in bytes where byte < 0x20 || byte == 0x7F || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return false }
            output.append(contentsOf: bytes)
            return true
        }
        if plain == true {
            output.append(UInt8(ascii: "\""))
            return
        }
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): output.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: output.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: output.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x00..<0x20, 0x7F:
                output.append(contentsOf: [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                           hexDigit(byte >> 4), hexDigit(byte & 0xF)])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}

@inline(__always)
private func hexDigit(_ value: UInt8) -> UInt8 {
    value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
}

extension JSONValue: CustomStringConvertible {
    /// Compact JSON text.
    public var description: String { serialized() }
}
