import Foundation
import KubeModel
import Testing
import TestSupport

/// The chart in `charts/odoo-guard`, rendered by the real `helm` (scripts/test installs it).
enum Chart {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let path = root.appendingPathComponent("charts/odoo-guard").path
    static let helm = ExecutablePath.onPath("helm")

    /// `nil` for the default values, else a file under `ci/`.
    static let scenarios: [String?] = [nil] + ((try? FileManager.default.contentsOfDirectory(atPath: "\(path)/ci")) ?? [])
        .filter { $0.hasSuffix(".yaml") }.sorted().map { "\(path)/ci/\($0)" }

    static func name(_ scenario: String?) -> String { scenario.map { ($0 as NSString).lastPathComponent } ?? "default values" }

    static func valueArguments(_ scenario: String?, _ set: [String]) -> [String] {
        (scenario.map { ["-f", $0] } ?? []) + set.flatMap { ["--set", $0] }
    }

    /// `helm template` output as objects; a failed rendering is an error carrying helm's message.
    static func render(_ scenario: String? = nil, set: [String] = [], namespace: String = "odoo-guard", release: String = "og",
                       extraArguments: [String] = []) throws -> [JSONValue] {
        let text = try Subprocess.checked(helm, ["template", release, path, "--namespace", namespace] + valueArguments(scenario, set) + extraArguments)
        return try ManifestReader.read(yaml: text).map { try $0.result.get() }.filter { !$0.isNull }
    }

    /// helm's exit status and output for a rendering expected to fail.
    static func renderFailure(set: [String] = [], values: String? = nil) throws -> (status: Int32, output: String) {
        var arguments = ["template", "og", path, "--namespace", "odoo-guard"] + valueArguments(nil, set)
        var file: String?
        if let values {
            let temporary = NSTemporaryDirectory() + "chart-values-\(UUID().uuidString.prefix(8)).yaml"
            try Data(values.utf8).write(to: URL(fileURLWithPath: temporary))
            arguments += ["-f", temporary]
            file = temporary
        }
        defer { if let file { unlink(file) } }
        return try Subprocess.run(helm, arguments)
    }

    static func objects(_ objects: [JSONValue], kind: String) -> [JSONValue] { objects.filter { $0["kind"]?.stringValue == kind } }

    static func strings(_ value: JSONValue?) -> [String] { value?.arrayValue?.compactMap(\.stringValue) ?? [] }
}
