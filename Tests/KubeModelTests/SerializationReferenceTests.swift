import Testing
import TestSupport
import KubeModel

/// The serializer against a plain reference writer (every string escaped byte by byte, every object's
/// keys sorted), on random documents whose strings need every kind of escape or none: the bytes of
/// both orders are identical. The serializer's fast paths (strings copied without an escape, keys
/// already in byte order written unsorted) must not change one byte.
@Suite("Serialization against a reference writer")
struct SerializationReferenceTests {
    static let strings = ["", "a", "plain-name", "odooguard.io/applied-hash", "名前", "🩺 clinic", "quote\"d", "back\\slash",
                          "line\nbreak", "tab\there", "\r", "\u{0}", "\u{1F}", "\u{7F}", "a much longer string than fifteen bytes",
                          "a much longer string with a \"quote\" and a \\ in it", "zz", "Z", "_", "ä"]

    static func value(_ rng: inout SplitMix64, depth: Int) -> JSONValue {
        switch Int.random(in: 0..<(depth > 0 ? 7 : 4), using: &rng) {
        case 0: return .int(Int64.random(in: -1_000...1_000, using: &rng))
        case 1: return .bool(Bool.random(using: &rng))
        case 2, 3: return .string(strings.randomElement(using: &rng) ?? "")
        case 4, 5:
            var object = JSONObject()
            for _ in 0..<Int.random(in: 0...6, using: &rng) {
                object[strings.randomElement(using: &rng) ?? ""] = value(&rng, depth: depth - 1)
            }
            // Half of the objects have their keys in byte order already, as built objects often do.
            if Bool.random(using: &rng) { object.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) } }
            return .object(object)
        default:
            return .array((0..<Int.random(in: 0...4, using: &rng)).map { _ in value(&rng, depth: depth - 1) })
        }
    }

    static func reference(_ value: JSONValue, sorted: Bool, into output: inout [UInt8]) {
        switch value {
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            let members = sorted ? object.elements.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) } : Array(object.elements)
            for (index, member) in members.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                string(member.key, into: &output)
                output.append(UInt8(ascii: ":"))
                reference(member.value, sorted: sorted, into: &output)
            }
            output.append(UInt8(ascii: "}"))
        case .array(let array):
            output.append(UInt8(ascii: "["))
            for (index, element) in array.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                reference(element, sorted: sorted, into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .string(let text): string(text, into: &output)
        default: output.append(contentsOf: value.serializedBytes())
        }
    }

    static func string(_ text: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: Array(#"\""#.utf8))
            case UInt8(ascii: "\\"): output.append(contentsOf: Array(#"\\"#.utf8))
            case 0x0A: output.append(contentsOf: Array(#"\n"#.utf8))
            case 0x0D: output.append(contentsOf: Array(#"\r"#.utf8))
            case 0x09: output.append(contentsOf: Array(#"\t"#.utf8))
            case 0x00..<0x20, 0x7F:
                let hex = Array("0123456789abcdef".utf8)
                output.append(contentsOf: Array(#"\u00"#.utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    @Test func randomDocumentsSerializeAsTheReferenceDoes() throws {
        var rng = SplitMix64(seed: 37)
        for _ in 0..<3_000 {
            let document = Self.value(&rng, depth: 4)
            for sorted in [true, false] {
                var expected: [UInt8] = []
                Self.reference(document, sorted: sorted, into: &expected)
                #expect(document.serializedBytes(sorted ? .sortedKeys : []) == expected, "\(document)")
            }
            #expect(try JSONParser.parse(document.serializedBytes(.sortedKeys)) == document)
        }
    }
}
