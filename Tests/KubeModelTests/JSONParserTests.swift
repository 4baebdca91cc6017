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
}
