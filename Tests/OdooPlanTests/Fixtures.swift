import Foundation
import TestSupport
import KubeModel
import OdooPlan

enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let examples = root.appendingPathComponent("examples")
    static let environments = examples.appendingPathComponent("environments")
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    static let traefikReference = root.deletingLastPathComponent().appendingPathComponent("shared/reference/traefik-crds/v3")
    static var hasTraefikReference: Bool { FileManager.default.fileExists(atPath: traefikReference.path) }
    static let reference = root.deletingLastPathComponent().appendingPathComponent("shared/reference")
    static var hasCloudNativePGReference: Bool { FileManager.default.fileExists(atPath: reference.appendingPathComponent("cnpg-crds").path) }
    /// The operator configuration with CloudNativePG (`examples/operator/cloudnativepg.yaml`).
    static let cloudNativePGConfiguration = examples.appendingPathComponent("operator/cloudnativepg.yaml")

    /// Validators of the CRDs in `reference/<directory>`, by kind (each CRD's storage version).
    static func validators(_ directory: String) throws -> [String: SchemaValidator] {
        var result: [String: SchemaValidator] = [:]
        let folder = reference.appendingPathComponent(directory)
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".yaml") {
            let crd = try ManifestReader.parseSingle(yaml: try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8))
            if let kind = crd["spec"]?["names"]?["kind"]?.stringValue { result[kind] = SchemaValidator(crd: crd) }
        }
        return result
    }

    static func document(_ file: String) throws -> JSONValue {
        try ManifestReader.parseSingle(yaml: String(contentsOf: environments.appendingPathComponent(file), encoding: .utf8))
    }

    /// A valid shared-tier environment to vary.
    static func environment(_ change: (inout JSONValue) -> Void = { _ in }) -> JSONValue {
        var object: JSONValue = [
            "apiVersion": "odooguard.io/v1alpha1", "kind": "OdooEnvironment",
            "metadata": ["name": "demo", "namespace": "demo", "uid": "0b0e7f6c-1111-4c2b-9a53-000000000001", "generation": 1],
            "spec": ["version": "17.0", "tier": "shared", "stage": "development", "image": .string("registry.example.com/odoo/odoo:17.0@sha256:" + String(repeating: "ab", count: 32)),
                     "ingress": ["host": "demo.example.com", "tls": ["certResolver": "le"]]],
        ]
        change(&object)
        return object
    }

    /// `kubernetes-validate --strict` of `objects` at each of `versions`: the versions whose check
    /// failed, with its output (empty when every one passed).
    static func kubernetesValidate(_ objects: [JSONValue], versions: [String] = ["1.32.0"]) throws -> [String: String] {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("render-\(UUID().uuidString).yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(YAMLEmitter.stream(objects)).write(to: file)
        var failures: [String: String] = [:]
        for version in versions {
            let (status, output) = try Subprocess.run(ExecutablePath.onPath("kubernetes-validate"), ["--strict", "--quiet", "-k", version, file.path])
            if status != 0 { failures[version] = output }
        }
        return failures
    }

    static let configuration: OperatorConfiguration = {
        do { return try OperatorConfiguration.builtIn() } catch { preconditionFailure("\(error)") }
    }()
}
