import Testing
@testable import KubeModel

@Suite("JSON parsing and serialisation")
struct JSONParserTests {
    static let roundTrips: [String] = [
        #"{"a":1,"b":-9223372036854775808,"c":9223372036854775807}"#,
        #"{"f":1.5,"g":-0.25,"h":1.0e+300,"i":1.0}"#,
        #"{"s":"héllo \"wörld\" \\ / \n\t\u0001 🩺 日本"}"#,
        #"{"n":null,"t":true,"f":false,"e":[],"o":{}}"#,
        #"[1,[2,[3,[4]]],{"k":[{"x":null}]}]"#,
        #""just a string""#,
    ]

    @Test("round-trips values without loss", arguments: roundTrips)
    func roundTrip(_ text: String) throws {
        let value = try JSONParser.parse(text)
        let again = try JSONParser.parse(value.serialized())
        #expect(again == value)
        #expect(again.serialized() == value.serialized())
    }

    @Test func integersStayExactAndFloatsStayFloats() throws {
        let value = try JSONParser.parse(#"{"big":9007199254740993,"float":2.0,"exp":1e3,"huge":18446744073709551616}"#)
        #expect(value["big"] == .int(9_007_199_254_740_993))
        #expect(value["float"] == .double(2.0))
        #expect(value["exp"] == .double(1000))
        #expect(value["huge"] == .double(18_446_744_073_709_551_616))
        #expect(value["float"]?.serialized() == "2.0")
        #expect(JSONValue.int(2) != JSONValue.double(2))
    }

    @Test func nullDiffersFromMissing() throws {
        let value = try JSONParser.parse(#"{"present":null}"#)
        #expect(value["present"] == .null)
        #expect(value["absent"] == nil)
    }

    @Test func objectEqualityIgnoresKeyOrderButSerialisationKeepsIt() throws {
        let a = try JSONParser.parse(#"{"z":1,"a":2}"#)
        let b = try JSONParser.parse(#"{"a":2,"z":1}"#)
        #expect(a == b)
        #expect(a.serialized() == #"{"z":1,"a":2}"#)
        #expect(a.serialized(.sortedKeys) == #"{"a":2,"z":1}"#)
    }

    @Test func surrogatePairsDecodeAndLoneSurrogatesBecomeReplacement() throws {
        #expect(try JSONParser.parse(#""\ud83e\ude7a""#) == .string("🩺"))
        #expect(try JSONParser.parse(#""\ud800x""#) == .string("\u{FFFD}x"))
    }

    struct Invalid: Sendable, CustomStringConvertible {
        let text: String
        let line: Int
        let code: KubeModelError
        var description: String { text }
    }

    static let invalid: [Invalid] = [
        Invalid(text: "{\n  \"a\": 1,\n  \"b\": \n}", line: 4, code: .invalidJSON),
        Invalid(text: "[1, 2", line: 1, code: .invalidJSON),
        Invalid(text: "{\"a\":1}\n{}", line: 2, code: .invalidJSON),
        Invalid(text: "01", line: 1, code: .invalidJSON),
        Invalid(text: "{\"a\":1,\"a\":2}", line: 1, code: .invalidJSON),
        Invalid(text: "\"tab\there\"", line: 1, code: .invalidJSON),
        Invalid(text: "1e999", line: 1, code: .invalidJSON),
        Invalid(text: "nul", line: 1, code: .invalidJSON),
        Invalid(text: "[\"\\x\"]", line: 1, code: .invalidJSON),
        Invalid(text: "", line: 1, code: .invalidJSON),
    ]

    @Test("rejects invalid JSON with its line", arguments: invalid)
    func rejects(_ case_: Invalid) {
        do {
            _ = try JSONParser.parse(case_.text)
            Issue.record("accepted \(case_.text)")
        } catch {
            #expect(error == case_.code)
            #expect(error.line == case_.line)
        }
    }

    @Test func rejectsInvalidUTF8InStrings() {
        let bytes: [UInt8] = Array("{\"a\":\"".utf8) + [0xC3, 0x28] + Array("\"}".utf8)
        #expect(throws: KubeModelError.self) { try JSONParser.parse(bytes) }
        do { _ = try JSONParser.parse(bytes) } catch { #expect(error == .invalidUTF8) }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        do {
            _ = try JSONParser.parse(deep)
            Issue.record("accepted 10,000 levels")
        } catch {
            #expect(error == .limitExceeded)
        }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect((try? JSONParser.parse(fine))?.depth == 100)
    }

    /// Integers at the edge of the reader's digit-by-digit sum (up to 18 characters, sign included)
    /// and past it, where `Int64` parses them or they become floats.
    static let integers: [(text: String, value: JSONValue)] = [
        ("0", .int(0)), ("-0", .int(0)), ("7", .int(7)), ("-7", .int(-7)),
        ("123456789012345678", .int(123_456_789_012_345_678)),
        ("-12345678901234567", .int(-12_345_678_901_234_567)),
        ("999999999999999999", .int(999_999_999_999_999_999)),
        ("1234567890123456789", .int(1_234_567_890_123_456_789)),
        ("-123456789012345678", .int(-123_456_789_012_345_678)),
        ("9223372036854775807", .int(.max)), ("-9223372036854775808", .int(.min)),
        ("9223372036854775808", .double(9_223_372_036_854_775_808)),
        ("-9223372036854775809", .double(-9_223_372_036_854_775_809)),
    ]

    @Test("integers stay exact at and past the digit-by-digit sum", arguments: integers)
    func integerEdges(_ case_: (text: String, value: JSONValue)) throws {
        #expect(try JSONParser.parse(case_.text) == case_.value)
        #expect(try JSONParser.parse("[\(case_.text)]") == .array([case_.value]))
    }

    /// Objects of up to 16 keys compare each key with the earlier ones, larger ones use a set: a
    /// duplicate is refused on both sides of that line, where it is read (before a later error in the
    /// same object), and the keys keep their order.
    @Test(arguments: [2, 15, 16, 17, 40])
    func duplicateKeysAreRefusedInObjectsOfEverySize(_ count: Int) throws {
        let members = (0..<count).map { "\"k\($0)\":\($0)" }
        let object = try JSONParser.parse("{" + members.joined(separator: ",") + "}")
        #expect(object.objectValue?.keys.elements == (0..<count).map { "k\($0)" })
        for duplicate in [0, count - 1] {
            let text = "{" + (members + ["\"k\(duplicate)\":0", "oops"]).joined(separator: ",") + "}"
            do {
                _ = try JSONParser.parse(text)
                Issue.record("accepted a duplicate k\(duplicate) among \(count) keys")
            } catch {
                #expect(error.message == "duplicate key \"k\(duplicate)\" in an object")
                #expect(error.column == text.utf8.count - 5)
            }
        }
    }

    @Test func stringsOfEveryKindOfByteDecodeOrNameTheirByte() throws {
        #expect(try JSONParser.parse("\"plain ascii, longer than fifteen bytes\"") == .string("plain ascii, longer than fifteen bytes"))
        #expect(try JSONParser.parse("\"ärztlich 🩺 日本\"") == .string("ärztlich 🩺 日本"))
        // A continuation byte alone, and sequences cut short by the closing quote: the column is the
        // first byte that does not decode.
        let invalid: [(bytes: [UInt8], column: Int)] = [([0x22, 0xA9, 0x22], 2), ([0x22, 0x21, 0x80, 0x22], 3), ([0x22, 0x61, 0xA9, 0x22], 3),
                                                        ([0x22, 0xE2, 0x82, 0x22], 2), ([0x22, 0x61, 0x62, 0xF0, 0x9F, 0xA9, 0x22], 4)]
        for case_ in invalid {
            do {
                _ = try JSONParser.parse(case_.bytes)
                Issue.record("accepted \(case_.bytes)")
            } catch {
                #expect(error == .invalidUTF8)
                #expect(error.column == case_.column, "\(case_.bytes)")
            }
        }
    }

    /// Absurd sizes: long arrays and objects go through the reader's stacks in linear time, a duplicate
    /// among 20,000 keys is still found, and numbers of thousands of digits are refused or read as
    /// floats, never summed into an overflow.
    @Test func absurdSizesAreReadOrRefusedNotTrusted() throws {
        let count = 200_000
        let array = try JSONParser.parse("[" + Array(repeating: "{\"a\":[1,2]}", count: count).joined(separator: ",") + "]")
        #expect(array.arrayValue?.count == count)
        #expect(array[count - 1]?["a"] == .array([1, 2]))
        let keys = (0..<20_000).map { "\"k\($0)\":\($0)" }
        #expect(try JSONParser.parse("{" + keys.joined(separator: ",") + "}").objectValue?.count == 20_000)
        do {
            _ = try JSONParser.parse("{" + (keys + ["\"k0\":0"]).joined(separator: ",") + "}")
            Issue.record("accepted a duplicate among 20,000 keys")
        } catch {
            #expect(error.message == "duplicate key \"k0\" in an object")
        }
        let digits = String(repeating: "9", count: 5_000)
        for text in [digits, "-" + digits, digits + ".5", "1e" + digits] {
            do {
                _ = try JSONParser.parse(text)
                Issue.record("accepted a number of \(text.count) characters")
            } catch {
                #expect(error == .invalidJSON)
                #expect(error.message.hasPrefix("number 9999") || error.message.hasPrefix("number -999") || error.message.hasPrefix("number 1e999"))
            }
        }
        #expect(try JSONParser.parse("0." + String(repeating: "0", count: 5_000) + "1") == .double(0))
        #expect(try JSONParser.parse("-" + String(repeating: "1", count: 18)) == .int(-111_111_111_111_111_111))
    }
}
