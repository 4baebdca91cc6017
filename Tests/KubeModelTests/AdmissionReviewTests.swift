import Foundation
import Testing
@testable import KubeModel

@Suite("AdmissionReview v1 and object views")
struct AdmissionReviewTests {
    @Test func decodesARequest() throws {
        let json = try JSONParser.parse(#"""
        {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{
          "uid":"705ab4f5-6393-11e8-b7cc-42010a800002",
          "kind":{"group":"autoscaling","version":"v1","kind":"Scale"},
          "resource":{"group":"apps","version":"v1","resource":"deployments"},
          "subResource":"scale","name":"web","namespace":"clinic","operation":"UPDATE",
          "userInfo":{"username":"alice","groups":["system:authenticated"]},
          "object":{"apiVersion":"autoscaling/v1","kind":"Scale"},"oldObject":null,"dryRun":true}}
        """#)
        let request = try AdmissionReview(json: json).request
        #expect(request.uid == "705ab4f5-6393-11e8-b7cc-42010a800002")
        #expect(request.kind == GroupVersionKind(group: "autoscaling", version: "v1", kind: "Scale"))
        #expect(request.subResource == "scale")
        #expect(request.operation == .update)
        #expect(request.oldObject == nil)
        #expect(request.dryRun)
        #expect(request.userInfo.groups == ["system:authenticated"])
    }

    /// The response must echo the uid as sent; one that JSON decoding would change is refused instead.
    @Test(arguments: [#""\ud800""#, #""\udfff-x""#, #""a\u0000b""#, "\"" + String(repeating: "u", count: 129) + "\"", #""é""#])
    func aUIDThatCannotBeEchoedExactlyIsRefused(_ uid: String) throws {
        let json = try JSONParser.parse(#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"# + uid
                                        + #","kind":{"group":"","version":"v1","kind":"Pod"},"operation":"CREATE"}}"#)
        #expect(throws: KubeModelError.self) { try AdmissionReview(json: json) }
        do { _ = try AdmissionReview(json: json) } catch { #expect(error.message.contains("request.uid")) }
    }

    @Test func reportsEveryMissingField() throws {
        let json = try JSONParser.parse(#"{"apiVersion":"v1","request":{"operation":"EXPLODE","kind":{"kind":"Pod","version":"v1"}}}"#)
        do {
            _ = try AdmissionReview(json: json)
            Issue.record("accepted")
        } catch {
            for part in ["apiVersion", "kind", "request.uid", "request.operation"] { #expect(error.message.contains(part), "\(part)") }
        }
    }

    @Test func encodesAResponseWithAPatchOnlyWhenThereIsOne() throws {
        let patch = JSONPatch([.add("/metadata/labels", ["a": "b"])])
        let response = AdmissionResponse(uid: "u1", allowed: true, patch: patch, warnings: ["careful"], auditAnnotations: ["policy-version": "v1"])
        let json = response.reviewJSON
        #expect(json["response"]?["patchType"] == "JSONPatch")
        let encoded = try #require(json["response"]?["patch"]?.stringValue)
        let decoded = try #require(Data(base64Encoded: encoded))
        #expect(try JSONPatch(json: JSONParser.parse(Array(decoded))) == patch)
        let denied = AdmissionResponse(uid: "u2", allowed: false, statusCode: 403, statusMessage: "no").reviewJSON
        #expect(denied["response"]?["patch"] == nil)
        #expect(denied["response"]?["patchType"] == nil)
        #expect(denied["response"]?["status"]?["code"] == 403)
    }

    /// The review is written straight into bytes: every field in its place, text escaped, keys of the
    /// audit annotations sorted, and the same bytes as the tree serializer would give.
    @Test func writesTheReviewBytesExactly() throws {
        let patch = JSONPatch([.add("/metadata/labels", ["a": "b"])])
        let cases: [(AdmissionResponse, String)] = [
            (AdmissionResponse(uid: "u1", allowed: true),
             #"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"u1","allowed":true}}"#),
            (AdmissionResponse(uid: "u\"2", allowed: false, statusCode: 403, statusMessage: "denied:\n- \"x\"",
                               warnings: ["w1", "tab\there"], auditAnnotations: ["z": "1", "a": "\u{1}"]),
             #"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"u\"2","allowed":false,"status":{"code":403,"message":"denied:\n- \"x\"","reason":"Forbidden"},"warnings":["w1","tab\there"],"auditAnnotations":{"a":"\u0001","z":"1"}}}"#),
            (AdmissionResponse(uid: "u3", allowed: true, patch: patch),
             #"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"u3","allowed":true,"patchType":"JSONPatch","patch":"W3sib3AiOiJhZGQiLCJwYXRoIjoiL21ldGFkYXRhL2xhYmVscyIsInZhbHVlIjp7ImEiOiJiIn19XQ=="}}"#),
            (AdmissionResponse(uid: "u4", allowed: true, patch: JSONPatch()),
             #"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"u4","allowed":true}}"#),
        ]
        for (response, expected) in cases {
            let bytes = response.reviewBytes()
            #expect(String(decoding: bytes, as: UTF8.self) == expected)
            #expect(try JSONParser.parse(bytes).serializedBytes() == bytes, "the tree serializer writes the same bytes")
        }
    }

    @Test func podTemplatesOfEveryKind() throws {
        let kinds: [(String, String)] = [
            ("Pod", "spec"), ("Deployment", "spec.template.spec"), ("StatefulSet", "spec.template.spec"),
            ("DaemonSet", "spec.template.spec"), ("ReplicaSet", "spec.template.spec"), ("Job", "spec.template.spec"),
            ("CronJob", "spec.jobTemplate.spec.template.spec"),
        ]
        for (kind, path) in kinds {
            var object: JSONValue = ["apiVersion": "v1", "kind": .string(kind)]
            object.set(["containers": [["name": "a", "image": "x"]], "initContainers": [["name": "b", "image": "y"]],
                        "ephemeralContainers": [["name": "c", "image": "z"]]], at: FieldPath(stringLiteral: path))
            let template = try #require(KubeObject(object).podTemplate, "\(kind)")
            #expect(template.containers.map(\.path.description) == [
                "\(path).containers[0]", "\(path).initContainers[0]", "\(path).ephemeralContainers[0]",
            ])
            #expect(template.containers.map(\.kind) == [.container, .initContainer, .ephemeralContainer])
        }
        #expect(KubeObject(["kind": "Service"]).podTemplate == nil)
    }

    @Test func replicasDefaultsAndProblems() {
        #expect(KubeObject(["kind": "Deployment", "spec": [:]]).replicas == 1)
        #expect(KubeObject(["kind": "Deployment", "spec": ["replicas": 3]]).replicas == 3)
        #expect(KubeObject(["kind": "Deployment", "spec": ["replicas": "two"]]).replicasProblem != nil)
        #expect(KubeObject(["kind": "DaemonSet", "spec": [:]]).replicas == nil)
    }

    @Test func timestamps() throws {
        let date = try #require(Timestamp.parse("2026-11-21T12:30:45Z"))
        #expect(Timestamp.format(date) == "2026-11-21T12:30:45Z")
        #expect(Timestamp.parse("2026-11-21T13:30:45+01:00") == date)
        #expect(Timestamp.parse("1970-01-01T00:00:00Z")?.timeIntervalSince1970 == 0)
        #expect(Timestamp.parse("2000-02-29T00:00:00.5Z")?.timeIntervalSince1970 == 951_782_400.5)
        for bad in ["2026-13-01T00:00:00Z", "2026-11-21", "2026-11-21T12:30:45", "yesterday", "2026-11-21T12:30:45+1:00"] {
            #expect(Timestamp.parse(bad) == nil, "\(bad)")
        }
    }
}
