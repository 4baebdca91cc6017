import Foundation
import KubeModel

/// Runs a Python script in its own process with a JSON input file (`sys.argv[1]`) and reads the JSON
/// it prints: the bridge to independent implementations (jsonpatch, PyYAML). `scripts/test` installs
/// the packages; a missing interpreter or package is a test failure, not a skip.
public enum PythonScript {
    /// Python could not run the script.
    public struct Unavailable: Error, CustomStringConvertible {
        /// Why.
        public var description: String
    }

    /// Runs `script` on `input` and parses its standard output as JSON.
    /// - Parameter needs: the Python package the script imports, named in the error when it fails.
    public static func run(_ script: String, input: JSONValue, needs package: String) throws -> JSONValue {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("odoo-guard-python-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputFile = directory.appendingPathComponent("input.json")
        try Data(input.serializedBytes()).write(to: inputFile)
        let scriptFile = directory.appendingPathComponent("script.py")
        try Data(script.utf8).write(to: scriptFile)

        let errorFile = directory.appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        let errorHandle = try FileHandle(forWritingTo: errorFile)
        defer { try? errorHandle.close() }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", scriptFile.path, inputFile.path]
        let output = Pipe()
        process.standardOutput = output
        // Standard error goes to a file, so a chatty script can never stall on a full pipe.
        process.standardError = errorHandle
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let errorText = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
            throw Unavailable(description: "python3 with \(package) failed (run scripts/test, which installs it): \(errorText)")
        }
        return try JSONParser.parse(Array(data))
    }
}
