import Testing
import KubeModel
import TraefikGen

/// The file-provider output parses and holds exactly the routers and middlewares of the CRD output.
/// Both outputs are read back from their YAML text and reduced, independently of the generator's
/// internals, to what Traefik would run: middleware configurations under Traefik's own names
/// (`<namespace>-<name>` for CRD objects) and routers as (entry points, rule, priority, middlewares,
/// backend port, sticky cookie, TLS).
@Suite("File provider and CRD outputs agree")
struct EquivalenceTests {
    struct Running: Equatable {
        var middlewares: [String: JSONValue] = [:]
        var routers: Set<String> = []
    }

    /// What Traefik's Kubernetes CRD provider would build from the objects.
    static func fromCRD(_ objects: [JSONValue]) throws -> Running {
        var running = Running()
        for object in objects {
            let namespace = try #require(object["metadata"]?["namespace"]?.stringValue)
            let name = try #require(object["metadata"]?["name"]?.stringValue)
            let spec = try #require(object["spec"])
            switch object["kind"]?.stringValue {
            case "Middleware":
                var configuration = try #require(spec.objectValue)
                if let chain = spec["chain"]?["middlewares"]?.arrayValue {
                    configuration["chain"] = ["middlewares": .array(try chain.map { .string(namespace + "-" + (try #require($0["name"]?.stringValue))) })]
                }
                running.middlewares[namespace + "-" + name] = .object(configuration)
            case "IngressRoute":
                var tls: JSONValue = .null
                if let routeTLS = spec["tls"] {
                    var value: JSONObject = ["options": .string(namespace + "-" + (routeTLS["options"]?["name"]?.stringValue ?? ""))]
                    if let resolver = routeTLS["certResolver"] { value["certResolver"] = resolver; value["domains"] = routeTLS["domains"] }
                    if let secret = routeTLS["secretName"]?.stringValue { value["certificate"] = .string(namespace + "/" + secret) }
                    tls = .object(value)
                }
                for route in spec["routes"]?.arrayValue ?? [] {
                    let service = try #require(route["services"]?[0])
                    let router: JSONValue = [
                        "entryPoints": spec["entryPoints"] ?? .null, "rule": route["match"] ?? .null, "priority": route["priority"] ?? .null,
                        "middlewares": .array(try (route["middlewares"]?.arrayValue ?? []).map { .string(namespace + "-" + (try #require($0["name"]?.stringValue))) }),
                        "port": service["port"] ?? .null, "sticky": service["sticky"] ?? .null, "tls": tls,
                    ]
                    running.routers.insert(router.serialized(.sortedKeys))
                }
            default: break
            }
        }
        return running
    }

    /// What Traefik's file provider would build from the dynamic configuration.
    static func fromFile(_ configuration: JSONValue) throws -> Running {
        var running = Running()
        running.middlewares = (configuration["http"]?["middlewares"]?.objectValue ?? [:]).reduce(into: [:]) { $0[$1.key] = $1.value }
        let services = configuration["http"]?["services"]?.objectValue ?? [:]
        let certificates = configuration["tls"]?["certificates"]?.arrayValue ?? []
        for (_, router) in configuration["http"]?["routers"]?.objectValue ?? [:] {
            let serviceName = try #require(router["service"]?.stringValue)
            let loadBalancer = try #require(services[serviceName]?["loadBalancer"])
            let url = try #require(loadBalancer["servers"]?[0]?["url"]?.stringValue)
            let port = try #require(Int64(url.split(separator: ":").last ?? ""))
            var tls: JSONValue = .null
            if let routerTLS = router["tls"] {
                var value: JSONObject = ["options": routerTLS["options"] ?? .null]
                if let resolver = routerTLS["certResolver"] { value["certResolver"] = resolver; value["domains"] = routerTLS["domains"] }
                else {
                    let certFile = try #require(certificates.first?["certFile"]?.stringValue)
                    value["certificate"] = .string(certFile.split(separator: "/").dropLast().suffix(2).joined(separator: "/"))
                }
                tls = .object(value)
            }
            let normalised: JSONValue = [
                "entryPoints": router["entryPoints"] ?? .null, "rule": router["rule"] ?? .null, "priority": router["priority"] ?? .null,
                "middlewares": router["middlewares"] ?? [], "port": .int(port), "sticky": loadBalancer["sticky"] ?? .null, "tls": tls,
            ]
            running.routers.insert(normalised.serialized(.sortedKeys))
        }
        return running
    }

    static let inputs = Fixtures.inputNames

    @Test("same routers and middlewares", arguments: inputs, TraefikTarget.allCases)
    func equivalent(_ input: String, _ target: TraefikTarget) throws {
        let spec = try Fixtures.input(input)
        let generator = TraefikGenerator(target: target)
        let crdObjects = try ManifestReader.read(generator.yaml(for: [spec], format: .crd)).map { try $0.result.get() }
        let fileConfiguration = try ManifestReader.parseSingle(yaml: Fixtures.yamlText(generator.yaml(for: [spec], format: .file)))
        let crd = try Self.fromCRD(crdObjects)
        let file = try Self.fromFile(fileConfiguration)
        #expect(crd.routers.count == 5)
        #expect(crd.middlewares.count == 8)
        #expect(crd.middlewares == file.middlewares)
        #expect(crd.routers == file.routers, "only in CRD: \(crd.routers.subtracting(file.routers)); only in file: \(file.routers.subtracting(crd.routers))")
        // The file configuration holds nothing else: its TLS option is the CRD TLSOption's spec.
        let tlsOption = try #require(crdObjects.first { $0["kind"] == "TLSOption" })
        let optionName = spec.namespace + "-" + (tlsOption["metadata"]?["name"]?.stringValue ?? "")
        #expect(fileConfiguration["tls"]?["options"]?.objectValue?.keys.elementsEqual([optionName]) == true)
        #expect(fileConfiguration["tls"]?["options"]?[optionName] == tlsOption["spec"])
    }
}
