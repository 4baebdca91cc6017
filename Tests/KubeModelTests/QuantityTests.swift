import Testing
@testable import KubeModel

@Suite("resource.Quantity")
struct QuantityTests {
    static let valid: [(String, Int128)] = [
        ("100m", 100_000_000), ("0.5", 500_000_000), ("1", 1_000_000_000), ("1Gi", 1_073_741_824 * 1_000_000_000),
        ("1G", 1_000_000_000 * 1_000_000_000), ("1e3", 1_000 * 1_000_000_000), ("2Ki", 2_048 * 1_000_000_000),
        ("1.5Gi", 1_610_612_736 * 1_000_000_000), ("250m", 250_000_000), ("+1k", 1_000 * 1_000_000_000),
        ("-2", -2_000_000_000), ("1n", 1), ("0.1n", 1), ("1E-3", 1_000_000), (".5", 500_000_000), ("0", 0),
        ("12Mi", 12_582_912 * 1_000_000_000), ("1Ei", Int128(1) << 60 * 1_000_000_000),
    ]

    @Test("parses what the API server accepts", arguments: 0..<valid.count)
    func parses(_ index: Int) throws {
        let (text, nano) = Self.valid[index]
        #expect(try Quantity(parsing: text).nanoValue == nano, "\(text)")
    }

    static let invalid = ["", "1.2.3", "1Kb", "Ki", "-", "1 Gi", "1e", "0x10", "1K", "1gi", "m", "1e1000", "abc", "1..0", "١"]

    @Test("rejects what the API server rejects", arguments: invalid)
    func rejects(_ text: String) {
        #expect(throws: KubeModelError.self) { try Quantity(parsing: text) }
    }

    @Test func comparesByValue() throws {
        #expect(try Quantity(parsing: "1000m") == Quantity(parsing: "1"))
        #expect(try Quantity(parsing: "1Gi") > Quantity(parsing: "1G"))
        #expect(try Quantity(parsing: "500Mi") < Quantity(parsing: "0.5Gi"))
        #expect(try Quantity(parsing: "1e3") == Quantity(parsing: "1k"))
        #expect(try Quantity(parsing: "2").milliValue == 2_000)
        #expect(try Quantity(parsing: "1.0001").value == 2)
        #expect(try Quantity(json: .int(3)) == Quantity(parsing: "3"))
    }
}

@Suite("Label selectors")
struct LabelSelectorTests {
    static let labels = ["app": "odoo", "tier": "web", "env": "prod"]

    static let cases: [(String, Bool)] = [
        (#"{}"#, true),
        (#"{"matchLabels":{"app":"odoo"}}"#, true),
        (#"{"matchLabels":{"app":"odoo","tier":"cron"}}"#, false),
        (#"{"matchExpressions":[{"key":"tier","operator":"In","values":["web","api"]}]}"#, true),
        (#"{"matchExpressions":[{"key":"tier","operator":"NotIn","values":["web"]}]}"#, false),
        (#"{"matchExpressions":[{"key":"missing","operator":"NotIn","values":["x"]}]}"#, true),
        (#"{"matchExpressions":[{"key":"env","operator":"Exists"}]}"#, true),
        (#"{"matchExpressions":[{"key":"env","operator":"DoesNotExist"}]}"#, false),
        (#"{"matchLabels":{"app":"odoo"},"matchExpressions":[{"key":"x","operator":"DoesNotExist"}]}"#, true),
    ]

    @Test("matches labels", arguments: 0..<cases.count)
    func matches(_ index: Int) throws {
        let (json, expected) = Self.cases[index]
        #expect(try LabelSelector(json: JSONParser.parse(json)).matches(Self.labels) == expected, "\(json)")
    }

    @Test func reportsEveryProblemWithItsPath() throws {
        let json = try JSONParser.parse(#"{"matchLabels":{"a":1},"matchExpressions":[{"key":"k","operator":"In"},{"key":"k","operator":"Exists","values":["v"]},{"operator":"Bogus"}]}"#)
        do {
            _ = try LabelSelector(json: json, path: "spec.selector")
            Issue.record("invalid selector accepted")
        } catch {
            #expect(error.message.contains("spec.selector.matchLabels.a"))
            #expect(error.message.contains("spec.selector.matchExpressions[0].values"))
            #expect(error.message.contains("spec.selector.matchExpressions[1].values"))
            #expect(error.message.contains("spec.selector.matchExpressions[2].key"))
        }
    }
}

@Suite("Image references")
struct ImageReferenceTests {
    static let valid: [(String, String, String, String?, String?)] = [
        ("nginx", "docker.io", "library/nginx", nil, nil),
        ("odoo:17.0", "docker.io", "library/odoo", "17.0", nil),
        ("bitnami/odoo:latest", "docker.io", "bitnami/odoo", "latest", nil),
        ("registry.example.com:5000/team/odoo:17@sha256:" + String(repeating: "a", count: 64), "registry.example.com:5000", "team/odoo", "17", "sha256:" + String(repeating: "a", count: 64)),
        ("localhost/app", "localhost", "app", nil, nil),
        ("localhost:5000/app:v1", "localhost:5000", "app", "v1", nil),
        ("index.docker.io/library/redis:7", "docker.io", "library/redis", "7", nil),
        ("ghcr.io/acme/odoo-report:1.4.2", "ghcr.io", "acme/odoo-report", "1.4.2", nil),
        ("quay.io/a/b/c__d-e.f:tag_1", "quay.io", "a/b/c__d-e.f", "tag_1", nil),
    ]

    @Test("normalises like container runtimes", arguments: 0..<valid.count)
    func parses(_ index: Int) throws {
        let (text, registry, repository, tag, digest) = Self.valid[index]
        let reference = try ImageReference(parsing: text)
        #expect(reference.registry == registry)
        #expect(reference.repository == repository)
        #expect(reference.tag == tag)
        #expect(reference.digest == digest)
        // `name` is sliced from the written bytes when it can be: it must still be registry/repository.
        #expect(reference.name == registry + "/" + repository)
        // The slice the registry check reads is the same name.
        #expect(String(reference.nameSlice) == reference.name)
    }

    static let invalid = ["", "Nginx", "nginx:", "nginx@sha256:abc", "a//b", "nginx:-bad", "-x/y", "host:99999/app",
                          "host:0/app", "host:65536/app", "host:/app", "a:1:2/b", "host:12a/app", ":80/app", "app:" + String(repeating: "t", count: 129), "ngi nx"]

    @Test("rejects malformed references", arguments: invalid)
    func rejects(_ text: String) {
        #expect(throws: KubeModelError.self) { try ImageReference(parsing: text) }
    }
}

/// The reliability probe's crashing quantities: every magnitude the 128-bit value cannot hold is a
/// clear "out of range" error, never a trap, whatever the suffix.
@Suite("Quantities out of range")
struct QuantityRangeTests {
    static let suffixes = ["", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "e9", "e18", "e27", "e999", "E+99"]
    /// Mantissas from ordinary to absurd, with and without fractions.
    static let mantissas = ["1", "99999999999999999999", "9223372036854775807", "340282366920938463463374607431768211455",
                            "1329227995784915872903807060280344576", "1.5", "0.000000001", "123456789012345678901234567890.5",
                            String(repeating: "9", count: 60)]
    static let inputs: [String] = mantissas.flatMap { m in suffixes.flatMap { s in [m + s, "-" + m + s] } }

    @Test("parses or refuses, never traps", arguments: inputs)
    func parsesOrRefuses(_ text: String) {
        do {
            let quantity = try Quantity(parsing: text)
            #expect(abs(quantity.nanoValue) <= Quantity.maximumNanoValue)
        } catch {
            #expect(error == .invalidQuantity)
            #expect(error.message.hasPrefix("quantity \""), "\(error.message)")
        }
    }

    @Test func theProbesQuantityIsOutOfRange() {
        #expect(throws: KubeModelError.invalidQuantity("quantity \"99999999999999999999Ti\" is invalid: it is out of range")) {
            try Quantity(parsing: "99999999999999999999Ti")
        }
        // The largest value the API server stores (it saturates at 2⁶³ − 1) is in range.
        #expect((try? Quantity(parsing: "9223372036854775807")) != nil)
        #expect((try? Quantity(parsing: "8Ei")) != nil)
    }

    @Test func percentagesResolveWithoutOverflow() {
        #expect(IntOrPercent.percent(Int64.max).resolve(total: Int64.max, roundUp: true) == Int64.max)
        #expect(IntOrPercent.percent(Int64.min).resolve(total: Int64.max, roundUp: false) == Int64.min)
        #expect(IntOrPercent.percent(50).resolve(total: 3, roundUp: true) == 2)
        #expect(IntOrPercent.percent(50).resolve(total: 3, roundUp: false) == 1)
    }
}
