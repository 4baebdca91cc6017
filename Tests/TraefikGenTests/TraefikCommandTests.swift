import Foundation
import Testing
import GuardCheck
import KubeModel
import TraefikGen

@Suite("guard-traefik command")
struct TraefikCommandTests {
    /// A fresh temporary directory, removed after `body` even when it throws.
    static func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("guard-traefik-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: url) }
        return try body(url)
    }

    static func write(_ text: String, to url: URL) throws { try Data(text.utf8).write(to: url) }

    static let broken = """
        kind: RoutingSpec
        name: good
        namespace: tenant
        hosts: [good.example]
        tls: {secretName: good-tls}
        odooVersion: "17.0"
        ---
        kind: RoutingSpec
        name: bad
        namespace: tenant
        hosts: ["bad.example`) || Host(`evil.example"]
        tls: {}
        odooVersion: "17.0"
        adminAllowlist: [0.0.0.0/0]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: x}
        ---
        kind: [unclosed
        """

    @Test("bad input: exit 2, every problem listed with its file, document and field, nothing written")
    func badInputWritesNothing() throws {
        try Self.withTemporaryDirectory { directory in
            let input = directory.appendingPathComponent("in.yaml")
            try Self.write(Self.broken, to: input)
            let out = directory.appendingPathComponent("out")
            let outcome = TraefikCommand.run(.init(inputs: [input.path], outputDirectory: out.path))
            #expect(outcome.exitCode == 2)
            #expect(outcome.standardOutput.isEmpty)
            for expected in ["document 2 (line 7)", "hosts[0]", "tls: needs secretName", "adminAllowlist[0]", "document 3", "kind \"Deployment\"", "document 4"] {
                #expect(outcome.standardError.contains(expected), "missing \(expected) in:\n\(outcome.standardError)")
            }
            #expect(!outcome.standardError.contains("document 1 "), "the valid document has nothing to report")
            #expect(!FileManager.default.fileExists(atPath: out.path), "nothing may be written when any input is bad")
        }
    }

    @Test("writes one file per environment, byte-identical on every run, and replaces files atomically")
    func writesDirectory() throws {
        try Self.withTemporaryDirectory { directory in
            let inputs = Fixtures.inputNames.map { Fixtures.inputs.appendingPathComponent($0 + ".yaml").path }
            let out = directory.appendingPathComponent("routes")
            for format in ["crd", "file"] {
                let first = TraefikCommand.run(.init(inputs: inputs, format: format, outputDirectory: out.path))
                #expect(first.exitCode == 0, "\(first.standardError)")
                let names = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
                #expect(names == ["clinic-prod_clinic.yaml", "hospital_" + (try Fixtures.input("long-name")).name + ".yaml", "pharmacy_legacy.yaml"])
                let before = try names.map { try Data(contentsOf: out.appendingPathComponent($0)) }
                let second = TraefikCommand.run(.init(inputs: inputs, format: format, outputDirectory: out.path))
                #expect(second.exitCode == 0)
                #expect(try names.map { try Data(contentsOf: out.appendingPathComponent($0)) } == before)
                let legacy = try Fixtures.input("legacy-routing")
                let expected = try TraefikGenerator().files(for: [legacy], format: format == "crd" ? .crd : .file)
                #expect(Array(try Data(contentsOf: out.appendingPathComponent("pharmacy_legacy.yaml"))) == expected.first?.contents)
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).allSatisfy { !$0.hasPrefix(".") }, "no temporary files left")
        }
    }

    @Test("standard input, options and defaults")
    func standardInputAndOptions() throws {
        let spec = "name: s\nhosts: [s.example]\ntls: {certResolver: le}\nodooVersion: 16.0\n"
        let noNamespace = TraefikCommand.run(.init(inputs: ["-"]), standardInput: { Array(spec.utf8) })
        #expect(noNamespace.exitCode == 2 && noNamespace.standardError.contains("namespace"))
        let withNamespace = TraefikCommand.run(.init(inputs: ["-"], target: "v2", defaults: RoutingDefaults(namespace: "team")),
                                               standardInput: { Array(spec.utf8) })
        #expect(withNamespace.exitCode == 0, "\(withNamespace.standardError)")
        let objects = ManifestReader.read(withNamespace.standardOutput).compactMap { try? $0.result.get() }
        #expect(objects.count == 11)
        #expect(objects.allSatisfy { $0["apiVersion"] == "traefik.containo.us/v1alpha1" && $0["metadata"]?["namespace"] == "team" })

        let badOptions = TraefikCommand.run(.init(inputs: [], target: "v4", format: "toml",
                                                  defaults: RoutingDefaults(namespace: "Bad", webEntryPoint: "x", secureEntryPoint: "x", upstreamHost: "a b")))
        #expect(badOptions.exitCode == 2)
        for expected in ["--target", "--format", "--namespace", "--secure-entrypoint", "--upstream", "at least one file"] {
            #expect(badOptions.standardError.contains(expected), "missing \(expected) in \(badOptions.standardError)")
        }
        let missing = TraefikCommand.run(.init(inputs: ["/nonexistent/routes.yaml"]))
        #expect(missing.exitCode == 2 && missing.standardError.contains("/nonexistent/routes.yaml"))
        let empty = TraefikCommand.run(.init(inputs: ["-"]), standardInput: { Array("# nothing\n".utf8) })
        #expect(empty.exitCode == 2 && empty.standardError.contains("no OdooEnvironment or routing spec"))
    }

    @Test("an output that cannot be written: exit 1, named")
    func unwritableOutput() throws {
        try Self.withTemporaryDirectory { directory in
            let blocker = directory.appendingPathComponent("file")
            try Self.write("not a directory", to: blocker)
            let input = Fixtures.inputs.appendingPathComponent("legacy-routing.yaml").path
            let outcome = TraefikCommand.run(.init(inputs: [input], outputDirectory: blocker.path))
            #expect(outcome.exitCode == 1)
            #expect(outcome.standardError.contains(blocker.path))
            #expect(try String(contentsOf: blocker, encoding: .utf8) == "not a directory")
        }
    }

    @Test("a List of environments is expanded; the same environment twice is refused")
    func listsAndDuplicates() throws {
        let item: JSONValue = Fixtures.compact()
        let list: JSONValue = ["apiVersion": "v1", "kind": "List", "items": [item, Fixtures.compact { $0["name"] = "other" }]]
        let ok = TraefikCommand.run(.init(inputs: ["-"]), standardInput: { list.serializedBytes() })
        #expect(ok.exitCode == 0, "\(ok.standardError)")
        let twice: JSONValue = ["apiVersion": "v1", "kind": "List", "items": [item, item]]
        let refused = TraefikCommand.run(.init(inputs: ["-"]), standardInput: { twice.serializedBytes() })
        #expect(refused.exitCode == 2 && refused.standardError.contains("clinic-prod/clinic is given more than once"))
    }
}
