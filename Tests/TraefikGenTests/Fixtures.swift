import OdooPlan
import Foundation
import KubeModel
import TraefikGen

/// Paths and builders shared by the TraefikGen tests.
enum Fixtures {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let root = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
    static let golden = testsDirectory.appendingPathComponent("Golden")
    static let inputs = golden.appendingPathComponent("inputs")
    /// Traefik's CRDs, read from `../shared/reference/` beside the project (see its README).
    static let reference = root.deletingLastPathComponent().appendingPathComponent("shared/reference/traefik-crds")
    static var hasReference: Bool { FileManager.default.fileExists(atPath: reference.path) }

    /// The golden input names (file names without `.yaml`).
    static let inputNames = ["clinic-environment", "legacy-routing", "long-name"]

    static func input(_ name: String) throws -> RoutingSpec {
        let text = try String(contentsOf: inputs.appendingPathComponent(name + ".yaml"), encoding: .utf8)
        return try RoutingSpec.decode(try ManifestReader.parseSingle(yaml: text))
    }

    /// A valid compact spec, changed by `edit`.
    static func compact(_ edit: (inout JSONObject) -> Void = { _ in }) -> JSONValue {
        var object: JSONObject = [
            "name": "clinic", "namespace": "clinic-prod", "hosts": ["clinic.example.com"],
            "tls": ["secretName": "clinic-tls"], "odooVersion": "17.0",
        ]
        edit(&object)
        return .object(object)
    }

    /// Decodes a compact spec and returns the paths of every field error (empty when valid).
    static func errorPaths(_ document: JSONValue) -> [String] {
        do {
            _ = try RoutingSpec.decode(document)
            return []
        } catch {
            return error.fieldErrors.map(\.path.description)
        }
    }

    static func yamlText(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
}
