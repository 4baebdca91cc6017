import OdooPlan
import Foundation
import Testing
import KubeModel
import TraefikGen

/// Every generated object validates against the `openAPIV3Schema` of its Traefik CRD (v3.7.9 for
/// `traefik.io`, v2.11.53 for `traefik.containo.us`), read from `../shared/reference/traefik-crds/`.
@Suite("Traefik CRD schemas", .enabled(if: Fixtures.hasReference, "../shared/reference/traefik-crds is not beside this clone"))
struct SchemaTests {
    /// Validators by kind, for one target's directory.
    static func validators(_ target: TraefikTarget) throws -> [String: (group: String, validator: SchemaValidator)] {
        let directory = Fixtures.reference.appendingPathComponent(target.rawValue)
        var result: [String: (String, SchemaValidator)] = [:]
        for file in try FileManager.default.contentsOfDirectory(atPath: directory.path) where file.hasSuffix(".yaml") {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            let crd = try ManifestReader.parseSingle(yaml: text)
            let kind = try #require(crd["spec"]?["names"]?["kind"]?.stringValue)
            let group = try #require(crd["spec"]?["group"]?.stringValue)
            result[kind] = (group, try #require(SchemaValidator(crd: crd, version: "v1alpha1"), "\(file) has no v1alpha1 schema"))
        }
        return result
    }

    static let specs: [RoutingSpec] = {
        var specs = Fixtures.inputNames.compactMap { try? Fixtures.input($0) }
        // Every optional branch: IPv6 allowlist with depth, ACME with several hosts, sticky sessions.
        if let extra = try? RoutingSpec.decode(Fixtures.compact {
            $0["hosts"] = ["a.example", "*.b.example", "c.example"]; $0["tls"] = ["certResolver": "le"]
            $0["adminAllowlist"] = ["2001:db8::/32"]; $0["clientIPDepth"] = 3; $0["replicas"] = 4; $0["hsts"] = ["preload": true]
        }) { specs.append(extra) }
        return specs
    }()

    @Test("every generated object validates against its CRD", arguments: TraefikTarget.allCases)
    func objectsValidate(_ target: TraefikTarget) throws {
        #expect(Self.specs.count == Fixtures.inputNames.count + 1)
        let validators = try Self.validators(target)
        var kinds: Set<String> = []
        for spec in Self.specs {
            // Through YAML and back, as a cluster would receive it.
            let stream = try TraefikGenerator(target: target).yaml(for: [spec], format: .crd)
            for document in ManifestReader.read(stream) {
                let object = try document.result.get()
                let kind = try #require(object["kind"]?.stringValue)
                let entry = try #require(validators[kind], "no \(target) CRD for \(kind)")
                #expect(object["apiVersion"]?.stringValue == entry.group + "/v1alpha1")
                let errors = entry.validator.validate(object)
                #expect(errors.isEmpty, "\(spec.name) \(kind) \(object["metadata"]?["name"] ?? nil): \(errors)")
                kinds.insert(kind)
            }
        }
        #expect(kinds == ["Middleware", "IngressRoute", "TLSOption"])
    }

    @Test("the schemas are strict enough to catch a field of the other generation")
    func schemasCatchCrossVersionFields() throws {
        let v2 = try #require(try Self.validators(.v2)["Middleware"]).validator
        let v3 = try #require(try Self.validators(.v3)["Middleware"]).validator
        let withRejectCode: JSONValue = ["apiVersion": "traefik.containo.us/v1alpha1", "kind": "Middleware", "metadata": ["name": "m"],
                                         "spec": ["ipWhiteList": ["sourceRange": ["10.0.0.0/8"], "rejectStatusCode": 404]]]
        #expect(v2.validate(withRejectCode).map(\.path.description) == ["spec.ipWhiteList.rejectStatusCode"])
        let misspelt: JSONValue = ["apiVersion": "traefik.io/v1alpha1", "kind": "Middleware", "metadata": ["name": "m"],
                                   "spec": ["headers": ["stsSecond": 1]]]
        #expect(v3.validate(misspelt).map(\.path.description) == ["spec.headers.stsSecond"])
    }
}
