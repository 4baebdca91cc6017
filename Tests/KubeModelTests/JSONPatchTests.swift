import Testing
import TestSupport
@testable import KubeModel

@Suite("JSON Pointer and JSON Patch")
struct JSONPatchTests {
    @Test func pointerEscapingFollowsRFC6901() throws {
        let document = try JSONParser.parse(#"{"foo":["bar","baz"],"":0,"a/b":1,"c%d":2,"e^f":3,"g|h":4,"i\\j":5,"k\"l":6," ":7,"m~n":8}"#)
        let cases: [(String, JSONValue?)] = [
            ("", document), ("/foo", ["bar", "baz"]), ("/foo/0", "bar"), ("/", 0), ("/a~1b", 1), ("/c%d", 2),
            ("/e^f", 3), ("/g|h", 4), ("/i\\j", 5), ("/k\"l", 6), ("/ ", 7), ("/m~0n", 8), ("/foo/2", nil), ("/foo/01", nil),
        ]
        for (text, expected) in cases {
            let pointer = try JSONPointer(parsing: text)
            #expect(document[pointer: pointer] == expected, "\(text)")
            #expect(pointer.description == text, "\(text)")
        }
        #expect(throws: KubeModelError.self) { try JSONPointer(parsing: "foo") }
        #expect(throws: KubeModelError.self) { try JSONPointer(parsing: "/a~2") }
    }

    struct Case: Sendable, CustomStringConvertible {
        let name: String
        let document: String
        let patch: String
        let expected: String?  // nil: the patch must fail
        var description: String { name }
    }

    /// RFC 6902 appendix A, plus failure cases.
    static let cases: [Case] = [
        Case(name: "A.1 add member", document: #"{"foo":"bar"}"#, patch: #"[{"op":"add","path":"/baz","value":"qux"}]"#, expected: #"{"baz":"qux","foo":"bar"}"#),
        Case(name: "A.2 add element", document: #"{"foo":["bar","baz"]}"#, patch: #"[{"op":"add","path":"/foo/1","value":"qux"}]"#, expected: #"{"foo":["bar","qux","baz"]}"#),
        Case(name: "A.3 remove member", document: #"{"baz":"qux","foo":"bar"}"#, patch: #"[{"op":"remove","path":"/baz"}]"#, expected: #"{"foo":"bar"}"#),
        Case(name: "A.4 remove element", document: #"{"foo":["bar","qux","baz"]}"#, patch: #"[{"op":"remove","path":"/foo/1"}]"#, expected: #"{"foo":["bar","baz"]}"#),
        Case(name: "A.5 replace", document: #"{"baz":"qux","foo":"bar"}"#, patch: #"[{"op":"replace","path":"/baz","value":"boo"}]"#, expected: #"{"baz":"boo","foo":"bar"}"#),
        Case(name: "A.6 move member", document: #"{"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}"#, patch: #"[{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]"#, expected: #"{"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}}"#),
        Case(name: "A.7 move element", document: #"{"foo":["all","grass","cows","eat"]}"#, patch: #"[{"op":"move","from":"/foo/1","path":"/foo/3"}]"#, expected: #"{"foo":["all","cows","eat","grass"]}"#),
        Case(name: "A.8 test success", document: #"{"baz":"qux","foo":["a",2,"c"]}"#, patch: #"[{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}]"#, expected: #"{"baz":"qux","foo":["a",2,"c"]}"#),
        Case(name: "A.9 test failure", document: #"{"baz":"qux"}"#, patch: #"[{"op":"test","path":"/baz","value":"bar"}]"#, expected: nil),
        Case(name: "A.10 add nested", document: #"{"foo":"bar"}"#, patch: #"[{"op":"add","path":"/child","value":{"grandchild":{}}}]"#, expected: #"{"foo":"bar","child":{"grandchild":{}}}"#),
        Case(name: "A.12 add to nonexistent target", document: #"{"foo":"bar"}"#, patch: #"[{"op":"add","path":"/baz/bat","value":"qux"}]"#, expected: nil),
        Case(name: "A.14 escape ordering", document: #"{"/":9,"~1":10}"#, patch: #"[{"op":"test","path":"/~01","value":10}]"#, expected: #"{"/":9,"~1":10}"#),
        Case(name: "A.16 append with -", document: #"{"foo":["bar"]}"#, patch: #"[{"op":"add","path":"/foo/-","value":["abc","def"]}]"#, expected: #"{"foo":["bar",["abc","def"]]}"#),
        Case(name: "copy", document: #"{"a":{"b":1}}"#, patch: #"[{"op":"copy","from":"/a","path":"/c"}]"#, expected: #"{"a":{"b":1},"c":{"b":1}}"#),
        Case(name: "replace root", document: #"{"a":1}"#, patch: #"[{"op":"replace","path":"","value":[1]}]"#, expected: "[1]"),
        Case(name: "move into own child fails", document: #"{"a":{"b":1}}"#, patch: #"[{"op":"move","from":"/a","path":"/a/b/c"}]"#, expected: nil),
        Case(name: "remove missing fails", document: #"{"a":1}"#, patch: #"[{"op":"remove","path":"/b"}]"#, expected: nil),
        Case(name: "index out of range fails", document: #"{"a":[1]}"#, patch: #"[{"op":"add","path":"/a/3","value":1}]"#, expected: nil),
        Case(name: "failure applies nothing", document: #"{"a":1}"#, patch: #"[{"op":"add","path":"/b","value":2},{"op":"test","path":"/a","value":5}]"#, expected: nil),
    ]

    @Test("applies RFC 6902 patches", arguments: cases)
    func apply(_ case_: Case) throws {
        let document = try JSONParser.parse(case_.document)
        let patch = try JSONPatch(json: JSONParser.parse(case_.patch))
        if let expected = case_.expected {
            #expect(try patch.apply(to: document) == JSONParser.parse(expected))
        } else {
            #expect(throws: KubeModelError.self) { try patch.apply(to: document) }
        }
        #expect(try JSONPatch(json: patch.jsonValue) == patch)
        #expect(patch.serializedBytes() == patch.jsonValue.serializedBytes(), "the direct writer writes the tree's bytes")
    }

    static let diffs: [(String, String)] = [
        (#"{"a":1}"#, #"{"a":1}"#),
        (#"{"a":1,"b":{"c":[1,2,3]}}"#, #"{"a":2,"b":{"c":[1,2,3,4,5]},"d":null}"#),
        (#"{"list":[1,2,3,4]}"#, #"{"list":[1,4]}"#),
        (#"{"list":[1,2,3]}"#, #"{"list":[0,1,2,3]}"#),
        (#"{"list":[{"n":"a","v":1},{"n":"b"}]}"#, #"{"list":[{"n":"a","v":2},{"n":"b","x":true}]}"#),
        (#"{"k/1":{"~":1}}"#, #"{"k/1":{"~":2}}"#),
        (#"[1,2]"#, #"{"a":1}"#),
        (#"{"a":1.0}"#, #"{"a":1}"#),
    ]

    @Test("diff produces a patch that turns one document into the other", arguments: 0..<diffs.count)
    func diff(_ index: Int) throws {
        let (from, to) = Self.diffs[index]
        let a = try JSONParser.parse(from)
        let b = try JSONParser.parse(to)
        let patch = JSONPatch.diff(from: a, to: b)
        #expect(try patch.apply(to: a) == b)
        if a == b { #expect(patch.isEmpty) }
    }

    @Test func diffIsMinimalForAppendsAndInPlaceChanges() throws {
        let a = try JSONParser.parse(#"{"spec":{"containers":[{"name":"a","env":[{"name":"X","value":"1"}]}]},"unknownField":{"kept":true}}"#)
        var b = a
        b.set(.array([["name": "X", "value": "1"], ["name": "Y", "value": "2"]]), at: FieldPath([.key("spec"), .key("containers"), .index(0), .key("env")]))
        let patch = JSONPatch.diff(from: a, to: b)
        #expect(patch.description == #"[{"op":"add","path":"/spec/containers/0/env/-","value":{"name":"Y","value":"2"}}]"#)
    }

    @Test func randomDocumentsDiffAndApply() throws {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<2_000 {
            let a = RandomJSON.value(&rng, depth: 4)
            let b = RandomJSON.mutate(a, &rng)
            let patch = JSONPatch.diff(from: a, to: b)
            #expect(try patch.apply(to: a) == b)
            #expect(patch.serializedBytes() == patch.jsonValue.serializedBytes())
        }
    }

    @Test("every diff applies identically with Python's jsonpatch (independent RFC 6902 implementation)")
    func independentImplementationAgrees() throws {
        var triples: [PatchTriple] = []
        for (from, to) in Self.diffs {
            let a = try JSONParser.parse(from)
            let b = try JSONParser.parse(to)
            triples.append(PatchTriple(document: a, patch: JSONPatch.diff(from: a, to: b), expected: b))
        }
        var rng = SplitMix64(seed: 11)
        for _ in 0..<2_000 {
            let a = RandomJSON.value(&rng, depth: 4)
            let b = RandomJSON.mutate(a, &rng)
            triples.append(PatchTriple(document: a, patch: JSONPatch.diff(from: a, to: b), expected: b))
        }
        let report = try PythonJSONPatch.check(triples)
        #expect(report.checked == triples.count)
        #expect(report.failures.isEmpty, "\(report.failures.prefix(5))")
    }
}
