import Testing
@testable import KubeModel

@Suite("YAML manifests")
struct YAMLReaderTests {
    @Test func multiDocumentStreamsKeepIndexAndLine() throws {
        let text = """
        # leading comment
        apiVersion: v1
        kind: ConfigMap
        ---
        ---
        apiVersion: v1
        kind: Secret
        ...
        ---
        kind: Pod
        """
        let documents = ManifestReader.read(yaml: text)
        #expect(documents.map(\.index) == [1, 3, 4])
        #expect(documents.map(\.line) == [1, 5, 9])
        #expect(try documents[1].result.get()["kind"] == "Secret")
    }

    /// Chunks of nothing but comments, directives, byte-order marks and markers are not documents;
    /// content on a marker's own line is. The positions of the rest stay the stream's.
    @Test("blank chunks are skipped, keeping the others' positions", arguments: [
        ("--- # only a comment\n---\nkind: A\n", [2]),
        ("--- {kind: A}\n---\n# c\n", [1]),
        ("%YAML 1.2\n---\nkind: A\n...\n# trailing\n", [1]),
        ("\u{FEFF}# c\n---\nkind: A", [2]),
        ("  # indented\n\t\n---\nkind: A\n---   \n", [1]),
        ("---\n...\n---\n... # end\nkind: A\n", [3]),
    ] as [(String, [Int])])
    func blankChunksAreSkipped(_ text: String, _ indices: [Int]) {
        #expect(ManifestReader.read(yaml: text).map(\.index) == indices)
    }

    /// Detection by the first character: a stream of JSON documents separated by `---` (as a
    /// webhook's `--context` file may be written) is the YAML it also is, while one broken JSON text
    /// keeps its JSON error with the line.
    @Test func detectedJSONDocumentsInAStreamAreReadAsYAML() throws {
        let stream = Array("{\"kind\": \"Namespace\"}\n---\n{\"kind\": \"ConfigMap\",\n \"data\": {\"a\": \"1\"}}\n".utf8)
        let documents = ManifestReader.read(stream)
        #expect(documents.map(\.index) == [1, 2] && documents.map(\.line) == [1, 2])
        #expect(try documents[1].result.get()["data"]?["a"] == "1")
        #expect(ManifestReader.read(stream, format: .json).count == 1, "asked for JSON, it stays one JSON text")
        let broken = ManifestReader.read(Array("{\"kind\": \"Namespace\",\n \"x\": }\n".utf8))
        #expect(broken.count == 1)
        if case .failure(let error) = broken[0].result { #expect(error.line == 2, "\(error)") } else { Issue.record("a broken JSON text was read") }
    }

    /// The YAML reading of a detected-JSON stream on absurd input: 10,000 documents each come back,
    /// and a broken text nested 100,000 deep is one error (the JSON one), never a crash.
    @Test func detectedJSONStreamsOnAbsurdInput() throws {
        let many = Array((0..<10_000).map { "{\"n\": \($0)}" }.joined(separator: "\n---\n").utf8)
        let documents = ManifestReader.read(many)
        #expect(documents.count == 10_000)
        #expect(try documents.last?.result.get()["n"] == 9_999)
        let deep = Array((String(repeating: "[", count: 100_000) + "\n---\n{}").utf8)
        let refused = ManifestReader.read(deep)
        #expect(refused.count == 1)
        if case .success = refused.first?.result { Issue.record("a text nested 100,000 deep was read") }
    }

    @Test func aBrokenDocumentDoesNotHideTheOthers() throws {
        let text = "a: 1\n---\nb: [1, 2\nc: 3\n---\nd: 4\n"
        let documents = ManifestReader.read(yaml: text)
        #expect(documents.count == 3)
        #expect(try documents[0].result.get() == ["a": 1])
        #expect(try documents[2].result.get() == ["d": 4])
        guard case .failure(let error) = documents[1].result else {
            Issue.record("document 2 parsed")
            return
        }
        #expect(error.document == 2)
        #expect(error.line.map { (3...5).contains($0) } == true)
        #expect(error.description.contains("document 2"))
    }

    struct Scalar: Sendable, CustomStringConvertible {
        let yaml: String
        let value: JSONValue
        var description: String { yaml }
    }

    /// Resolution as the Kubernetes API's YAML decoder does it (YAML 1.1 booleans and octals).
    static let scalars: [Scalar] = [
        Scalar(yaml: "v: yes", value: true), Scalar(yaml: "v: Off", value: false), Scalar(yaml: "v: 'yes'", value: "yes"),
        Scalar(yaml: "v: ~", value: .null), Scalar(yaml: "v:", value: .null), Scalar(yaml: "v: null", value: .null),
        Scalar(yaml: "v: 42", value: 42), Scalar(yaml: "v: -7", value: -7), Scalar(yaml: "v: 0x1F", value: 31),
        Scalar(yaml: "v: 0755", value: 493), Scalar(yaml: "v: 1_000", value: 1000), Scalar(yaml: "v: 1.5", value: 1.5),
        Scalar(yaml: "v: 1e3", value: 1000.0), Scalar(yaml: "v: \"42\"", value: "42"), Scalar(yaml: "v: 17.0", value: 17.0),
        Scalar(yaml: "v: 9223372036854775807", value: .int(.max)), Scalar(yaml: "v: 100m", value: "100m"),
        Scalar(yaml: "v: !!str 42", value: "42"), Scalar(yaml: "v: !!int \"12\"", value: 12),
        Scalar(yaml: "v: 2026-11-21", value: "2026-11-21"), Scalar(yaml: "v: ^clinic$", value: "^clinic$"),
        Scalar(yaml: "v: |\n  line1\n  line2", value: "line1\nline2"), Scalar(yaml: "v: 日本 🩺", value: "日本 🩺"),
    ]

    @Test("resolves scalars like the API server", arguments: scalars)
    func resolves(_ scalar: Scalar) throws {
        #expect(try ManifestReader.parseSingle(yaml: scalar.yaml)["v"] == scalar.value)
    }

    @Test func mergeKeysExpandAndExplicitKeysWin() throws {
        let value = try ManifestReader.parseSingle(yaml: """
        base: &base {a: 1, b: 2}
        child:
          <<: *base
          b: 3
        """)
        #expect(value["child"] == ["a": 1, "b": 3])
    }

    @Test func valuesWithoutJSONFormAreErrors() {
        for text in ["v: .inf", "? [a, b]\n: 1", "v: .nan"] {
            #expect(throws: KubeModelError.self, "\(text)") { try ManifestReader.parseSingle(yaml: text) }
        }
    }

    @Test func duplicateKeysAreErrorsWithALine() {
        do {
            _ = try ManifestReader.parseSingle(yaml: "a: 1\nb: 2\na: 3\n")
            Issue.record("duplicate accepted")
        } catch {
            #expect(error == .invalidYAML)
            #expect(error.line != nil)
        }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let flow = "v: " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: KubeModelError.self) { try ManifestReader.parseSingle(yaml: flow) }
        var block = ""
        for depth in 0..<1_000 { block += String(repeating: " ", count: depth) + "k\(depth):\n" }
        #expect(throws: KubeModelError.self) { try ManifestReader.parseSingle(yaml: block) }
        let sequences = String(repeating: "- ", count: 5_000) + "x"
        #expect(throws: KubeModelError.self) { try ManifestReader.parseSingle(yaml: sequences) }
    }

    @Test func nestingBeyondTheLimitStopsTheReadThere() {
        // 100,000 unclosed flow sequences: libyaml scans them in quadratic time, so reading on to the
        // end's syntax error took 35 s in `guardctl check` (debug). The nesting limit now ends the read
        // at the 513th `[`, and the error says so (it used to be the syntax error at the end).
        let documents = ManifestReader.read(Array((String(repeating: "[", count: 100_000) + "\n").utf8), format: .yaml)
        guard case .failure(let error)? = documents.first?.result else {
            Issue.record("100,000 levels accepted")
            return
        }
        #expect(error == .limitExceeded, "\(error)")
        #expect(error.line == 1 && error.column == 513, "\(error)")
    }

    @Test func moderateNestingStillParses() throws {
        var block = ""
        for depth in 0..<200 { block += String(repeating: " ", count: depth) + "k\(depth):\n" }
        block += String(repeating: " ", count: 200) + "leaf: 1\n"
        #expect(try ManifestReader.parseSingle(yaml: block).depth == 201)
    }

    @Test func aliasBombsHitTheValueLimit() {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...8 { text += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n" }
        do {
            _ = try ManifestReader.parseSingle(yaml: text)
            Issue.record("10^9 values accepted")
        } catch {
            #expect(error == .limitExceeded, "\(error)")
        }
    }

    @Test func invalidUTF8IsNamed() {
        let documents = ManifestReader.read(Array("a: 1\nb: ".utf8) + [0xFF, 0xFE] + Array("\n".utf8), format: .yaml)
        guard case .failure(let error)? = documents.first?.result else {
            Issue.record("invalid UTF-8 accepted")
            return
        }
        #expect(error == .invalidUTF8)
        #expect(error.line == 2)
    }

    @Test func jsonIsDetected() throws {
        let documents = ManifestReader.read(Array(#"  {"kind":"Pod","spec":{"replicas":2}}"#.utf8))
        #expect(try documents.first?.result.get()["kind"] == "Pod")
    }

    // Read through libyaml's events (issue #37). Before, through Yams, compared on every example,
    // the fuzz corpus and 20,000 mutated documents: identical values and errors except the cases below.

    @Test func aReaderErrorNamesItsLine() {
        // A control character is refused by libyaml's reader; the error used to say line 1.
        let documents = ManifestReader.read(yaml: "a: 1\nb: 2\nc: x\u{7}y\n")
        guard case .failure(let error)? = documents.first?.result else {
            Issue.record("a control character was accepted")
            return
        }
        #expect(error.line == 3, "\(error)")
        #expect(error.message.contains("control characters are not allowed"))
    }

    @Test func keysAreReadAsWrittenAndAnAliasedScalarStaysItself() throws {
        let value = try ManifestReader.parseSingle(yaml: "1: a\n~: b\n0x1F: c\nyes: d\n!!int 012: e\nx: &n 12\ny: *n\n*n : f\n")
        // Yams turned `x` and `y` into the string "12" once the anchor had served as a key.
        #expect(value == ["1": "a", "~": "b", "0x1F": "c", "yes": "d", "10": "e", "x": 12, "y": 12, "12": "f"] as JSONValue, "\(value)")
    }

    @Test func aKeyFromAnAliasedMappingIsRefusedWhereTheKeyIs() {
        do {
            _ = try ManifestReader.parseSingle(yaml: "a: &s [1]\n*s : 2\n")
            Issue.record("a sequence key was accepted")
        } catch {
            #expect(error.line == 2 && error.column == 1, "\(error)")
        }
    }

    @Test func duplicateKeysNameEveryKeyAndTheFirstOccurrence() {
        do {
            _ = try ManifestReader.parseSingle(yaml: "x: 0\nb: 1\na: 2\nb: 3\na: 4\n")
            Issue.record("duplicates accepted")
        } catch {
            #expect(error.message == "duplicate keys a, b in a mapping", "\(error)")
            #expect(error.line == 3)
        }
    }

    @Test func twentyThousandDuplicatedKeysAreOneShortErrorQuickly() {
        // Every key of a large mapping repeated: found in linear time, named ten at a time.
        var text = ""
        for round in 0..<2 { for key in 0..<20_000 { text += "k\(key): \(round)\n" } }
        do {
            _ = try ManifestReader.parseSingle(yaml: text)
            Issue.record("duplicates accepted")
        } catch {
            #expect(error.message.hasSuffix("and 19990 more in a mapping"), "\(error.message.prefix(200))")
            #expect(error.message.count < 300)
            #expect(error.line == 1)
        }
    }

    @Test func aSyntaxErrorLaterWinsOverAValueError() {
        do {
            _ = try ManifestReader.parseSingle(yaml: "v: .inf\nw: [\n")
            Issue.record("accepted")
        } catch {
            #expect(!error.message.contains(".inf"), "\(error)")
        }
    }
}
