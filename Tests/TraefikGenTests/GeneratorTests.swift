import OdooPlan
import Foundation
import Testing
import KubeModel
import TraefikGen

@Suite("Generated objects")
struct GeneratorTests {
    @Test("names are DNS-1123 labels of at most 63 characters, stable, and distinct for long names", arguments: [
        "clinic", "a", "9to5", String(repeating: "x", count: 47), String(repeating: "x", count: 48),
        [String](repeating: String(repeating: "y", count: 63), count: 3).joined(separator: ".") + "." + String(repeating: "y", count: 61), "with.dots.in.it", "radiology.department.of.the.university.hospital",
    ])
    func names(_ environment: String) throws {
        let spec = try RoutingSpec.decode(Fixtures.compact { $0["name"] = .string(environment) })
        let objects = TraefikGenerator().objects(for: spec)
        var seen: Set<String> = []
        for object in objects {
            let name = try #require(object["metadata"]?["name"]?.stringValue)
            #expect(name.utf8.count <= 63, "\(name)")
            #expect(name.range(of: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", options: .regularExpression) != nil, "\(name)")
            #expect(seen.insert(name).inserted, "\(name) is used twice")
            let instance = try #require(object["metadata"]?["labels"]?["app.kubernetes.io/instance"]?.stringValue)
            #expect(instance.utf8.count <= 63)
        }
        let service = ObjectNames(environment: environment).service
        #expect(service.range(of: "^[a-z]([-a-z0-9]*[a-z0-9])?$", options: .regularExpression) != nil && service.utf8.count <= 63, "\(service)")
        #expect(ObjectNames(environment: environment) == ObjectNames(environment: environment))
    }

    @Test("long names that share a prefix get different objects")
    func longNamesDiffer() {
        let prefix = String(repeating: "a", count: 60)
        #expect(ObjectNames(environment: prefix + "-one").base != ObjectNames(environment: prefix + "-two").base)
        #expect(ObjectNames(environment: "a.b").base != ObjectNames(environment: "a-b").base)
    }

    @Test("the database manager is blocked for everyone when no admin network is listed")
    func emptyAllowlistBlocks() throws {
        let spec = try RoutingSpec.decode(Fixtures.compact { $0["clientIPDepth"] = 2 })
        #expect(spec.adminAllowlist.isEmpty)
        let plan = RoutePlan(spec)
        let allowlist = try #require(plan.middlewares.first { $0.name == plan.names.adminAllowlist })
        // Never an empty sourceRange (Traefik drops the router and the catch-all route would serve the
        // database manager), and no ipStrategy (a forged X-Forwarded-For could not name the address).
        #expect(allowlist.kind == .allowlist(sourceRange: [RoutePlan.nobody], depth: 0))
        let admin = try #require(plan.routers.first { $0.match.pathPrefixes.contains("/web/database") })
        #expect(admin.middlewares.first == plan.names.adminAllowlist)
        #expect(admin.priority > (plan.routers.filter { $0 != admin }.map(\.priority).max() ?? .max))
    }

    @Test("real-time path and sticky sessions follow the version, replicas and Redis")
    func versionAndStickiness() throws {
        for (version, path) in [("15.0", "/longpolling"), ("16.0", "/websocket"), ("18.0", "/websocket"), ("12", "/longpolling")] {
            let plan = RoutePlan(try RoutingSpec.decode(Fixtures.compact { $0["odooVersion"] = .string(version) }))
            let realtime = try #require(plan.routers.first { $0.port == RoutePlan.realtimePort })
            #expect(realtime.match.pathPrefixes == [path], "Odoo \(version)")
            #expect(realtime.middlewares == [plan.names.headers], "no buffering or in-flight limit on long-lived connections")
        }
        for (replicas, redis, sticky) in [(1, false, false), (2, false, true), (3, true, false), (0, false, false)] {
            let plan = RoutePlan(try RoutingSpec.decode(Fixtures.compact { $0["replicas"] = .int(Int64(replicas)); $0["redisSessions"] = .bool(redis) }))
            #expect(plan.routers.allSatisfy { ($0.stickyCookie != nil) == sticky }, "replicas \(replicas), redis \(redis)")
        }
    }

    @Test("headers use only fields of the target, HSTS at least a year, preload only when asked")
    func headers() throws {
        for target in TraefikTarget.allCases {
            for preload in [false, true] {
                let spec = try RoutingSpec.decode(Fixtures.compact { $0["hsts"] = ["preload": .bool(preload)] })
                let objects = TraefikGenerator(target: target).objects(for: spec)
                let allHeaders = objects.compactMap { $0["spec"]?["headers"]?.objectValue }
                let headers = try #require(allHeaders.first)
                #expect(!headers.keys.contains { $0.hasPrefix("ssl") || $0 == "featurePolicy" || $0 == "browserXssFilter" })
                #expect((headers["stsSeconds"]?.intValue ?? 0) >= RoutingSpec.oneYear)
                #expect(headers["stsIncludeSubdomains"] == true)
                #expect(headers["stsPreload"] == (preload ? true : nil))
                #expect(headers["contentTypeNosniff"] == true && headers["customFrameOptionsValue"] == "SAMEORIGIN")
                let allowlistKeys = objects.compactMap { $0["spec"]?.objectValue?.keys.first }.filter { $0.hasPrefix("ip") }
                #expect(allowlistKeys == [target.allowlistKey])
            }
        }
    }

    @Test("the same input gives byte-identical output, whatever the input's key order")
    func deterministic() throws {
        let spec = try Fixtures.input("legacy-routing")
        var reordered = JSONObject()
        let original = Fixtures.compact { $0["adminAllowlist"] = ["10.0.0.0/8"]; $0["replicas"] = 2 }
        for key in (original.objectValue?.keys ?? []).reversed() { reordered[key] = original[key] }
        for format in TraefikGenerator.Format.allCases {
            let generator = TraefikGenerator()
            #expect(try generator.yaml(for: [spec], format: format) == generator.yaml(for: [spec], format: format))
            #expect(try generator.yaml(for: [RoutingSpec.decode(original)], format: format)
                    == generator.yaml(for: [RoutingSpec.decode(.object(reordered))], format: format))
        }
    }

    @Test("the same environment twice, or colliding file-provider names, is an error")
    func duplicates() throws {
        let spec = try Fixtures.input("legacy-routing")
        for format in TraefikGenerator.Format.allCases {
            #expect(throws: TraefikGenError.self) { try TraefikGenerator().yaml(for: [spec, spec], format: format) }
        }
        // Namespace "a-b" + name "c" and namespace "a" + name "b-c" both give "a-b-c-…" in one file.
        let first = try RoutingSpec.decode(Fixtures.compact { $0["namespace"] = "a-b"; $0["name"] = "c" })
        let second = try RoutingSpec.decode(Fixtures.compact { $0["namespace"] = "a"; $0["name"] = "b-c" })
        let error = try #require(throws: TraefikGenError.self) { try TraefikGenerator().fileConfiguration(for: [first, second]) }
        #expect(error == .duplicateEnvironment && error.message.contains("a-b/c") && error.message.contains("a/b-c"))
        #expect(try TraefikGenerator().yaml(for: [first, second], format: .crd).isEmpty == false)
    }

    @Test("an OdooEnvironment with a uid owns what is generated for it")
    func ownerReferences() throws {
        let spec = try Fixtures.input("clinic-environment")
        for object in TraefikGenerator().objects(for: spec) {
            let owner = try #require(object["metadata"]?["ownerReferences"]?[0])
            #expect(owner["kind"] == "OdooEnvironment" && owner["uid"] == "6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f" && owner["controller"] == true)
        }
        #expect(TraefikGenerator().objects(for: try Fixtures.input("legacy-routing")).allSatisfy { $0["metadata"]?["ownerReferences"] == nil })
    }
}
