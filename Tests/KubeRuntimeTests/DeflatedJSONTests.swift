import Foundation
import KubeModel
@testable import KubeRuntime
import Testing

/// Compact caches keep objects deflated (issue #37): every object reads back byte for byte, damaged
/// bytes read as nothing rather than as a wrong object, and the operator's own objects shrink.
@Suite("Deflated cache entries")
struct DeflatedJSONTests {
    static let goldenPlans = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("OdooPlanTests/Golden")

    /// Every object of the operator's golden plans, serialized as a cache keeps them.
    static func planned() throws -> [[UInt8]] {
        var objects: [[UInt8]] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: goldenPlans.path) where file.hasSuffix(".yaml") {
            let text = try String(contentsOf: goldenPlans.appendingPathComponent(file), encoding: .utf8)
            for document in ManifestReader.read(yaml: text) { objects.append(try document.result.get().serializedBytes()) }
        }
        return objects
    }

    @Test func everyObjectReadsBackExactly() throws {
        let objects = try Self.planned()
        try #require(objects.count >= 40)
        let unusual: [[UInt8]] = [[], Array("{}".utf8), Array(String(repeating: "🩺 x", count: 30_000).utf8),
                                  (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }]
        for bytes in objects + unusual {
            let deflated = try #require(DeflatedJSON.compress(bytes))
            #expect(DeflatedJSON.decompress(deflated, size: bytes.count) == bytes)
        }
    }

    @Test func theOperatorsObjectsShrinkToAThird() throws {
        let objects = try Self.planned()
        let plain = objects.reduce(0) { $0 + $1.count }
        let deflated = try objects.reduce(0) { $0 + (try #require(DeflatedJSON.compress($1))).count }
        #expect(deflated * 3 < plain, "\(deflated) of \(plain) bytes")
    }

    @Test func damagedBytesReadAsNothing() throws {
        let bytes = Array(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"data":{"k":"v"}}"#.utf8)
        let deflated = try #require(DeflatedJSON.compress(bytes))
        #expect(DeflatedJSON.decompress(Array(deflated.dropLast()), size: bytes.count) == nil)
        #expect(DeflatedJSON.decompress(deflated, size: bytes.count + 1) == nil)
        #expect(DeflatedJSON.decompress(deflated.map { $0 ^ 0x5A }, size: bytes.count) == nil)
        #expect(DeflatedJSON.decompress([], size: 0) == nil || DeflatedJSON.decompress([], size: 0) == [])
    }

    @Test func aCompactStoreReturnsTheObjectItKept() throws {
        let store = ObjectStore(compact: true, deflated: true)
        let object: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "a", "namespace": "n", "labels": ["x": "y"]],
                                 "data": ["odoo.conf": "[options]\ndb_host = pg\n"]]
        store.apply(.listed([object], first: true, last: true))
        #expect(store.get(ObjectKey(namespace: "n", name: "a")) == object)
        #expect(store.storedBytes < object.serializedBytes().count)
        // Without `deflated`, a compact store keeps the serialized bytes (the webhook's, on the request path).
        let serialized = ObjectStore(compact: true)
        serialized.apply(.listed([object], first: true, last: true))
        #expect(serialized.get(ObjectKey(namespace: "n", name: "a")) == object)
        #expect(serialized.storedBytes == object.serializedBytes().count)
    }
}
