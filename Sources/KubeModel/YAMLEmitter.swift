import OrderedCollections

/// Writes ``JSONValue``s as block-style YAML, deterministically: object keys in byte order, two-space
/// indentation, sequences at their key's indentation (the layout `kubectl get -o yaml` prints), so the
/// same value always gives the same bytes and GitOps diffs show only real changes.
///
/// Scalars are written plain only when every YAML 1.1 and 1.2 reader (the API server's go-yaml,
/// libyaml, PyYAML) reads them back as the same string; otherwise they are single-quoted, or
/// double-quoted with escapes when they hold control characters or line breaks. Reading the output
/// with ``ManifestReader`` gives back an equal value.
public enum YAMLEmitter {
    /// One document, ending with a newline.
    public static func document(_ value: JSONValue) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(1024)
        append(value, to: &output)
        return output
    }

    /// A stream of documents, each introduced by `---`.
    public static func stream(_ values: [JSONValue]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(values.count * 1024)
        for value in values {
            output.append(contentsOf: "---\n".utf8)
            append(value, to: &output)
        }
        return output
    }

    /// Appends one document (ending with a newline) to `output`.
    public static func append(_ value: JSONValue, to output: inout [UInt8]) {
        var writer = Writer(output: output)
        output = []
        writer.topLevel(value)
        output = writer.output
    }

    /// Mappings with at least this many members are written on all cores.
    static let parallelThreshold = 2_048

    private struct Writer {
        var output: [UInt8]
        /// Whether large mappings may be split across cores (not inside a chunk already).
        var parallel = true

        mutating func topLevel(_ value: JSONValue) {
            switch value {
            case .object(let object) where !object.isEmpty: mapping(object, indent: 0, inline: false)
            case .array(let array) where !array.isEmpty: sequence(array, indent: 0)
            default:
                scalar(value)
                output.append(0x0A)
            }
        }

        /// Writes the members of a non-empty object. With `inline`, the first key continues the
        /// current line (after a sequence dash).
        mutating func mapping(_ object: JSONObject, indent: Int, inline: Bool) {
            let keys = object.keys
            let values = object.values
            let order = YAMLEmitter.sortedOrder(keys)
            if parallel && keys.count >= YAMLEmitter.parallelThreshold {
                // A large mapping (a merged file-provider section): entries are written in chunks on
                // all cores, each chunk by its own writer, then joined in order — same bytes as serial.
                let chunkCount = (keys.count + YAMLEmitter.parallelThreshold - 1) / YAMLEmitter.parallelThreshold
                let chunks = Parallel.map(count: chunkCount) { chunk -> [UInt8] in
                    var writer = Writer(output: [], parallel: false)
                    let range = chunk * YAMLEmitter.parallelThreshold..<min(keys.count, (chunk + 1) * YAMLEmitter.parallelThreshold)
                    writer.entries(keys, values, order, positions: range, indent: indent, inline: inline)
                    return writer.output
                }
                for chunk in chunks { output.append(contentsOf: chunk) }
                return
            }
            entries(keys, values, order, positions: 0..<keys.count, indent: indent, inline: inline)
        }

        mutating func entries(_ keys: OrderedSet<String>, _ values: OrderedDictionary<String, JSONValue>.Values, _ order: [Int],
                              positions: Range<Int>, indent: Int, inline: Bool) {
            for position in positions {
                // Positional access: no hashing of keys while writing.
                let index = order.isEmpty ? position : order[position]
                let key = keys[index]
                let child = values[index]
                if !(position == 0 && inline) { spaces(indent) }
                YAMLEmitter.writeScalarString(key, into: &output)
                output.append(UInt8(ascii: ":"))
                switch child {
                case .object(let nested) where !nested.isEmpty:
                    output.append(0x0A)
                    mapping(nested, indent: indent + 2, inline: false)
                case .array(let nested) where !nested.isEmpty:
                    output.append(0x0A)
                    sequence(nested, indent: indent)
                default:
                    output.append(UInt8(ascii: " "))
                    scalar(child)
                    output.append(0x0A)
                }
            }
        }

        /// Writes the elements of a non-empty array, each introduced by `- ` at `indent`.
        mutating func sequence(_ array: [JSONValue], indent: Int) {
            for element in array {
                spaces(indent)
                output.append(contentsOf: [UInt8(ascii: "-"), UInt8(ascii: " ")])
                switch element {
                case .object(let nested) where !nested.isEmpty:
                    mapping(nested, indent: indent + 2, inline: true)
                case .array(let nested) where !nested.isEmpty:
                    output.removeLast()
                    output.append(0x0A)
                    sequence(nested, indent: indent + 2)
                default:
                    scalar(element)
                    output.append(0x0A)
                }
            }
        }

        mutating func scalar(_ value: JSONValue) {
            switch value {
            case .null: output.append(contentsOf: "null".utf8)
            case .bool(let b): output.append(contentsOf: (b ? "true" : "false").utf8)
            case .int(let i): output.append(contentsOf: String(i).utf8)
            case .double(let d): output.append(contentsOf: JSONValue.format(d).utf8)
            case .string(let s): YAMLEmitter.writeScalarString(s, into: &output)
            case .array: output.append(contentsOf: "[]".utf8)
            case .object: output.append(contentsOf: "{}".utf8)
            }
        }

        mutating func spaces(_ count: Int) {
            output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: count))
        }
    }

    /// The positions of `keys` in byte order of the keys; empty when they are already in that order
    /// (as generators build them), so the common case allocates nothing.
    static func sortedOrder(_ keys: OrderedSet<String>) -> [Int] {
        var index = 1
        while index < keys.count && JSONValue.byteOrder(keys[index - 1], keys[index]) { index += 1 }
        if index >= keys.count { return [] }
        return keys.indices.sorted { JSONValue.byteOrder(keys[$0], keys[$1]) }
    }

    /// Writes a string scalar: plain when safe, else single- or double-quoted.
    static func writeScalarString(_ string: String, into output: inout [UInt8]) {
        switch style(of: string) {
        case .plain:
            output.append(contentsOf: string.utf8)
        case .singleQuoted:
            output.append(UInt8(ascii: "'"))
            for byte in string.utf8 {
                output.append(byte)
                if byte == UInt8(ascii: "'") { output.append(byte) }
            }
            output.append(UInt8(ascii: "'"))
        case .doubleQuoted:
            writeDoubleQuoted(string, into: &output)
        }
    }

    /// How a string scalar is written.
    enum Style: Equatable { case plain, singleQuoted, doubleQuoted }

    /// The style that reads back as exactly `string` in every common YAML reader.
    static func style(of string: String) -> Style {
        let scan = string.utf8.withContiguousStorageIfAvailable(scanFlags) ?? scanFlags(Array(string.utf8))
        guard scan.count > 0 else { return .singleQuoted }
        let flags = scan.flags
        if flags & controlByte != 0 { return .doubleQuoted }
        if flags & nonASCII != 0 {
            return string.unicodeScalars.contains(where: needsEscape) ? .doubleQuoted : .singleQuoted
        }
        // `:` would start a mapping (`a: b`) or read as a base-60 number in YAML 1.1; `#` may start a
        // comment; flow indicators are kept out so the text is also valid inside flow collections.
        if flags & forbiddenInPlain != 0 || classify(scan.first) & indicator != 0 || scan.last == 0x20 { return .singleQuoted }
        if isDigit(scan.first) {
            // Integers in any base, floats, dates and sexagesimals must be quoted to stay strings.
            if looksNumericOrDate(string.utf8) { return .singleQuoted }
            guard let resolved = try? YAMLScalar.resolvePlain(string, fail: { _ throws(KubeModelError) in
                throw KubeModelError.invalidYAML("")
            }), resolved == .string(string) else { return .singleQuoted }
        } else if scan.count <= 5 && classify(scan.first) & keywordStart != 0 {
            // YAML 1.1 booleans (`on`, `No`, `y`…), null, `<<` and `=` are all short words.
            if YAMLScalar.bool(string) != nil || string == "null" || string == "Null" || string == "NULL" || string == "<<" || string == "=" {
                return .singleQuoted
            }
        }
        return .plain
    }

    /// The union of the byte classes of a scalar, with its first and last byte and its length.
    private static func scanFlags(_ bytes: UnsafeBufferPointer<UInt8>) -> (flags: UInt8, first: UInt8, last: UInt8, count: Int) {
        guard let first = bytes.first, let last = bytes.last else { return (0, 0, 0, 0) }
        var flags: UInt8 = 0
        for byte in bytes { flags |= classify(byte) }
        return (flags, first, last, bytes.count)
    }

    private static func scanFlags(_ bytes: [UInt8]) -> (flags: UInt8, first: UInt8, last: UInt8, count: Int) {
        bytes.withUnsafeBufferPointer(scanFlags)
    }

    private static let controlByte: UInt8 = 1
    private static let nonASCII: UInt8 = 2
    private static let forbiddenInPlain: UInt8 = 4
    private static let indicator: UInt8 = 8
    private static let keywordStart: UInt8 = 16

    /// The classes of a byte (a switch the compiler turns into a table; this runs for every byte written).
    @inline(__always)
    private static func classify(_ byte: UInt8) -> UInt8 {
        switch byte {
        case 0x00..<0x20, 0x7F: return 1  // control
        case 0x80...0xFF: return 2  // non-ASCII
        case UInt8(ascii: ":"), UInt8(ascii: "#"), UInt8(ascii: ","), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"),
             UInt8(ascii: "}"), UInt8(ascii: "'"), UInt8(ascii: "\""):
            return 4 | 8  // forbidden anywhere, and an indicator
        case UInt8(ascii: "\\"): return 4
        case UInt8(ascii: "-"), UInt8(ascii: "?"), UInt8(ascii: "&"), UInt8(ascii: "*"), UInt8(ascii: "!"), UInt8(ascii: "|"),
             UInt8(ascii: ">"), UInt8(ascii: "%"), UInt8(ascii: "@"), UInt8(ascii: "`"), UInt8(ascii: "~"), UInt8(ascii: "."),
             UInt8(ascii: "+"), UInt8(ascii: " "):
            return 8  // cannot start a plain scalar
        case UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "y"), UInt8(ascii: "Y"), UInt8(ascii: "t"), UInt8(ascii: "T"),
             UInt8(ascii: "f"), UInt8(ascii: "F"), UInt8(ascii: "o"), UInt8(ascii: "O"), UInt8(ascii: "<"), UInt8(ascii: "="):
            return 16  // may start a YAML 1.1 keyword
        default: return 0
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// Text that some YAML reader could take for a number or a timestamp: a digit followed only by
    /// digits and number punctuation (`1_000`, `1e3`, `12.30`), a `0x`/`0o`/`0b` prefix, or the start
    /// of a date (`2026-11-21`).
    private static func looksNumericOrDate<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        guard let first = bytes.first, isDigit(first) else { return false }
        if bytes.allSatisfy({ isDigit($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e")
            || $0 == UInt8(ascii: "E") || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") }) { return true }
        let prefix = Array(bytes.prefix(5))
        if first == UInt8(ascii: "0"), prefix.count > 1, "xXoObB".utf8.contains(prefix[1]) { return true }
        return prefix.count == 5 && prefix[0..<4].allSatisfy(isDigit) && prefix[4] == UInt8(ascii: "-")
    }

    /// Characters that YAML treats as line breaks or does not allow unescaped.
    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00..<0x20, 0x7F...0x9F, 0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF: return true
        default: return false
        }
    }

    private static func writeDoubleQuoted(_ string: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": output.append(contentsOf: [0x5C, 0x22])
            case "\\": output.append(contentsOf: [0x5C, 0x5C])
            case "\n": output.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case "\t": output.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case "\r": output.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            default:
                if needsEscape(scalar) {
                    let hex = Array("0123456789abcdef".utf8)
                    let value = scalar.value
                    output.append(contentsOf: [0x5C, UInt8(ascii: "u")])
                    for shift in stride(from: 12, through: 0, by: -4) { output.append(hex[Int((value >> UInt32(shift)) & 0xF)]) }
                } else {
                    output.append(contentsOf: String(scalar).utf8)
                }
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}
