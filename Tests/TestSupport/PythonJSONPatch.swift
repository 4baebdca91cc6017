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

    /// The error when Python cannot run the check.
    public struct Unavailable: Error, CustomStringConvertible {
        /// Why.
        public var description: String
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
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("odoo-guard-jsonpatch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("cases.json")
        let cases = JSONValue.array(triples.map { ["document": $0.document, "patch": $0.patch.jsonValue, "expected": $0.expected] })
        try Data(cases.serializedBytes()).write(to: input)
        let scriptFile = directory.appendingPathComponent("check.py")
        try Data(script.utf8).write(to: scriptFile)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", scriptFile.path, input.path]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Unavailable(description: "python3 with jsonpatch failed (run scripts/test, which installs it): \(errorText)")
        }
        let report = try JSONParser.parse(Array(data))
        return Report(checked: Int(report["checked"]?.intValue ?? -1),
                      failures: report["failures"]?.arrayValue?.compactMap(\.stringValue) ?? ["unreadable report"])
    }
}
