import Foundation
import Testing
import GuardCheck
import GuardRules
import KubeModel

@Suite("CRDs and examples agree")
struct CRDTests {
    static let crds = CheckCommandTests.root.appendingPathComponent("crds")

    static func validators() throws -> [String: SchemaValidator] {
        var result: [String: SchemaValidator] = [:]
        for case .file(let path) in try ManifestSource.expand([crds.path]) {
            let crd = try ManifestReader.parseSingle(yaml: String(decoding: try ManifestSource.read(.file(path)), as: UTF8.self))
            let kind = try #require(crd["spec"]?["names"]?["kind"]?.stringValue)
            #expect(crd["spec"]?["group"] == "odooguard.io")
            result[kind] = try #require(SchemaValidator(crd: crd), "\(path) has no storage version schema")
        }
        return result
    }

    @Test func everyExampleOfOurKindsValidatesAgainstItsCRD() throws {
        let validators = try Self.validators()
        #expect(Set(validators.keys) == ["GuardPolicy", "GuardException", "OdooEnvironment", "ChangeApproval", "OdooRelease", "OdooRestore"])
        var checked = 0
        for case .file(let path) in try ManifestSource.expand([CheckCommandTests.examples]) {
            for document in ManifestReader.read(try ManifestSource.read(.file(path))) {
                let object = try document.result.get()
                guard let kind = object["kind"]?.stringValue, let validator = validators[kind] else { continue }
                #expect(validator.validate(object).isEmpty, "\(path)#\(document.index): \(validator.validate(object))")
                checked += 1
            }
        }
        #expect(checked >= 3)
        let policy = try ManifestReader.parseSingle(yaml: GuardPolicy.builtInDefaultText)
        #expect(validators["GuardPolicy"]?.validate(policy).isEmpty == true)
    }

    @Test func theValidatorCatchesDrift() throws {
        let validators = try Self.validators()
        let exception: JSONValue = ["apiVersion": "odooguard.io/v1alpha1", "kind": "GuardException", "metadata": ["name": "x"],
                                    "spec": ["rules": [], "approver": 5, "reason": "r", "expiresAt": "soon", "extra": true]]
        let paths = Set(try #require(validators["GuardException"]).validate(exception).map(\.path.description))
        #expect(paths == ["spec.rules", "spec.approver", "spec.expiresAt", "spec.extra"])
    }
}
