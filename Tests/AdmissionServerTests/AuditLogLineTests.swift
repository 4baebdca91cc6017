import AdmissionServer
import CommandLineSupport
import AuditTrail
import Foundation
import GuardRules
import KubeModel
import Logging
import Testing

/// The decision's JSON log line: one parseable object per line, the standard keys, no object content.
@Suite struct AuditLogLineTests {
    @Test func aDecisionIsOneJSONLineWithTheStandardKeysAndNoSecretValue() throws {
        var descriptors: [Int32] = [0, 0]
        #expect(pipe(&descriptors) == 0)
        defer { close(descriptors[0]) }
        let secret = "s3cr3t-literal"
        let object: JSONValue = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p", "namespace": "clinic-prod"],
                                 "spec": ["containers": [["name": "c", "image": "x", "env": [["name": "DB_PASSWORD", "value": .string(secret)]]]]]]
        let request = AdmissionRequest(uid: "uid-log", kind: GroupVersionKind(group: "", version: "v1", kind: "Pod"),
                                       resource: GroupVersionResource(group: "", version: "v1", resource: "pods"), name: "p",
                                       namespace: "clinic-prod", operation: .create,
                                       userInfo: UserInfo(username: "bob", groups: ["devs"]), object: object)
        let decision = Decision(violations: [Violation(rule: .secretsNoLiteralCredentials, path: "spec.containers[0].env[0].value",
                                                       message: "a credential as a literal value", mode: .enforce)])
        let record = AuditRecord(request: request, decision: decision, endpoint: "validate", allowed: false, policyVersion: "v@1",
                                 duration: .microseconds(12))
        let logger = Logger(label: "guard-webhook") { JSONLogHandler(label: $0, fileDescriptor: descriptors[1]) }
        logger.info("admission decision", metadata: record.logMetadata)
        close(descriptors[1])
        let bytes = Self.drain(descriptors[0])
        #expect(bytes.filter { $0 == 0x0A }.count == 1)
        let line = try JSONParser.parse(Array(bytes.dropLast()))
        #expect(line["message"] == "admission decision")
        #expect(line["level"] == "info")
        #expect(line["time"]?.stringValue.flatMap(Timestamp.parse) != nil)
        for (key, value) in [("admission.uid", "uid-log"), ("k8s.kind", "Pod"), ("k8s.namespace", "clinic-prod"), ("k8s.name", "p"),
                             ("user.name", "bob"), ("decision", "denied"), ("policy.version", "v@1")] {
            #expect(line[key]?.stringValue == value, "\(key)")
        }
        #expect(line["rules.denied"] == ["secrets.no-literal-credentials"])
        #expect(line["user.groups"] == ["devs"])
        #expect(line["duration_us"] == 12)
        #expect(!String(decoding: bytes, as: UTF8.self).contains(secret))
    }

    /// The line is written straight into bytes (issue #37): the same object a JSON tree gave, in the
    /// same order, with every kind of metadata value and every character a log collector must not choke on.
    @Test func metadataOfEveryKindIsWrittenAsJSONInOrder() throws {
        var descriptors: [Int32] = [0, 0]
        #expect(pipe(&descriptors) == 0)
        defer { close(descriptors[0]) }
        let logger = Logger(label: "guard-\"webhook") { JSONLogHandler(label: $0, fileDescriptor: descriptors[1]) }
        logger.info("line\nbreak \"quoted\" \u{1}", metadata: [
            "zeta": .string("tab\there \\ 🩺"), "alpha": .stringConvertible(true), "count": .stringConvertible(42),
            "big": .stringConvertible(Int64.max), "ratio": .stringConvertible(1.5), "message": .string("dropped"),
            "list": .array([.string("a"), .stringConvertible(2)]), "map": .dictionary(["b": .string("x"), "a": .stringConvertible(false)]),
        ])
        close(descriptors[1])
        let bytes = Self.drain(descriptors[0])
        #expect(bytes.last == 0x0A && bytes.filter { $0 == 0x0A }.count == 1)
        let line = try JSONParser.parse(Array(bytes.dropLast()))
        #expect(line["logger"] == "guard-\"webhook")
        #expect(line["message"] == "line\nbreak \"quoted\" \u{1}")
        #expect(line["zeta"] == "tab\there \\ 🩺")
        #expect(line["alpha"] == true)
        #expect(line["count"] == 42)
        #expect(line["big"] == .int(.max))
        #expect(line["ratio"] == "1.5")
        #expect(line["list"] == ["a", 2])
        #expect(line["map"] == ["a": false, "b": "x"])
        #expect(line.objectValue?.keys.map { $0 } == ["time", "level", "logger", "message", "alpha", "big", "count", "list", "map", "ratio", "zeta"])
    }

    /// Everything written to a pipe until its writing end is closed.
    static func drain(_ descriptor: Int32) -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        return bytes
    }
}
