import Foundation
import KubeModel

/// A document, a patch and the document the patch must produce.
public struct PatchTriple: Sendable {
    /// The document before.
    public var document: JSONValue
    /// The patch.
    public var patch: JSONPatch
    /// The document after.
    public var expected: JSONValue

    /// A triple.
    public init(document: JSONValue, patch: JSONPatch, expected: JSONValue) {
        self.document = document
        self.patch = patch
        self.expected = expected
    }
}

/// Checks patches with Python's `jsonpatch` package, an RFC 6902 implementation independent of ours.
/// `scripts/test` installs it; a missing interpreter or package is a test failure, not a skip.
public enum PythonJSONPatch {
    /// What Python found.
    public struct Report: Sendable {
        /// How many triples were checked.
        public var checked: Int
        /// Descriptions of triples whose patch failed or produced another document.
        public var failures: [String]
    }

    static let script = """
    import json, sys
    import jsonpatch
    cases = json.load(open(sys.argv[1]))
    failures = []
    for i, c in enumerate(cases):
        try:
            result = jsonpatch.JsonPatch(c["patch"]).apply(c["document"])
            if result != c["expected"]:
                failures.append("case %d: result %s != expected %s" % (i, json.dumps(result), json.dumps(c["expected"])))
        except Exception as e:
            failures.append("case %d: %s: %s (patch %s)" % (i, type(e).__name__, e, json.dumps(c["patch"])))
    print(json.dumps({"checked": len(cases), "failures": failures}))
    """

    /// Runs the check in one Python process.
    public static func check(_ triples: [PatchTriple]) throws -> Report {
        let cases = JSONValue.array(triples.map { ["document": $0.document, "patch": $0.patch.jsonValue, "expected": $0.expected] })
        let report = try PythonScript.run(script, input: cases, needs: "jsonpatch")
        return Report(checked: Int(report["checked"]?.intValue ?? -1),
                      failures: report["failures"]?.arrayValue?.compactMap(\.stringValue) ?? ["unreadable report"])
    }
}
