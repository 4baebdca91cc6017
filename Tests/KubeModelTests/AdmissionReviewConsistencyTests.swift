import Foundation
import Testing
@testable import KubeModel

/// Issue #33: a review means one thing. The kind judged is the kind the request names, a namespaced
/// object carries its namespace as a string, and only Kubernetes' subresources are skipped; anything
/// else is refused (400) naming the field, since the API server never sends it.
@Suite("AdmissionReview consistency")
struct AdmissionReviewConsistencyTests {
    static let deployment: JSONValue = ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "web", "namespace": "clinic"]]
    static let secret: JSONValue = ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "s", "namespace": "clinic"]]

    static func review(kind: (String, String, String) = ("apps", "v1", "Deployment"), namespace: JSONValue? = "clinic",
                       subResource: JSONValue? = nil, object: JSONValue? = deployment, oldObject: JSONValue? = nil) -> JSONValue {
        var request: JSONObject = ["uid": "u-1", "operation": oldObject == nil ? "CREATE" : "UPDATE",
                                   "kind": ["group": .string(kind.0), "version": .string(kind.1), "kind": .string(kind.2)]]
        if let namespace { request["namespace"] = namespace }
        if let subResource { request["subResource"] = subResource }
        if let object { request["object"] = object }
        if let oldObject { request["oldObject"] = oldObject }
        return ["apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": .object(request)]
    }

    struct Case: Sendable, CustomStringConvertible {
        let name: String
        let review: JSONValue
        /// The field the refusal must name; `nil`: accepted.
        let field: String?
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "a Deployment with its namespace", review: review(), field: nil),
        Case(name: "namespace missing", review: review(namespace: nil), field: "request.namespace"),
        Case(name: "namespace empty", review: review(namespace: ""), field: "request.namespace"),
        Case(name: "namespace a number", review: review(namespace: 7), field: "request.namespace"),
        Case(name: "namespace null", review: review(namespace: .null), field: "request.namespace"),
        Case(name: "namespace differs from the object's", review: review(namespace: "other"), field: "request.namespace"),
        Case(name: "a Pod without namespace", review: review(kind: ("", "v1", "Pod"), namespace: nil,
                                                            object: ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p"]]),
             field: "request.namespace"),
        Case(name: "an unknown kind whose object has a namespace", review: review(kind: ("example.com", "v1", "Widget"), namespace: nil,
                                                                                 object: ["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "w", "namespace": "clinic"]]),
             field: "request.namespace"),
        Case(name: "a cluster-scoped GuardPolicy", review: review(kind: ("odooguard.io", "v1alpha1", "GuardPolicy"), namespace: nil,
                                                                 object: ["apiVersion": "odooguard.io/v1alpha1", "kind": "GuardPolicy", "metadata": ["name": "default"]]),
             field: nil),
        Case(name: "a GuardPolicy with a stray metadata.namespace (cleared by the API server later)",
             review: review(kind: ("odooguard.io", "v1alpha1", "GuardPolicy"), namespace: nil,
                            object: ["apiVersion": "odooguard.io/v1alpha1", "kind": "GuardPolicy", "metadata": ["name": "default", "namespace": "x"]]),
             field: nil),
        Case(name: "a Namespace (request.namespace is its own name)", review: review(kind: ("", "v1", "Namespace"), namespace: "clinic",
                                                                                    object: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "clinic"]]),
             field: nil),
        Case(name: "request.kind Deployment, object a Secret", review: review(object: secret), field: "request.object"),
        Case(name: "request.kind Deployment, old object a Secret", review: review(oldObject: secret), field: "request.oldObject"),
        Case(name: "object without kind", review: review(object: ["apiVersion": "apps/v1", "metadata": ["name": "web", "namespace": "clinic"]]),
             field: "request.object"),
        Case(name: "object of another version", review: review(object: ["apiVersion": "apps/v1beta1", "kind": "Deployment"]), field: "request.object"),
        Case(name: "DELETE: no object, the old one matches", review: review(object: nil, oldObject: deployment), field: nil),
        Case(name: "DELETE: null object, the old one in another namespace", review: review(object: .null, oldObject: ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "web", "namespace": "other"]]),
             field: "request.namespace"),
        Case(name: "object a string, the old one in another namespace", review: review(object: "web", oldObject: ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "web", "namespace": "other"]]),
             field: "request.object"),
        Case(name: "object a string, no old one", review: review(object: "web"), field: "request.object"),
        Case(name: "object an array", review: review(object: [deployment]), field: "request.object"),
        Case(name: "object a number", review: review(object: 7), field: "request.object"),
        Case(name: "old object a boolean", review: review(oldObject: true), field: "request.oldObject"),
        // Absurd sizes: refused by type, nothing of the value echoed (the message bound below holds).
        Case(name: "object a string of 1,000,000 characters", review: review(object: .string(String(repeating: "x", count: 1_000_000))),
             field: "request.object"),
        Case(name: "object a list of 10,000 Deployments", review: review(object: .array(Array(repeating: deployment, count: 10_000))),
             field: "request.object"),
        Case(name: "metadata a number", review: review(object: ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": 7]), field: nil),
        Case(name: "namespace of 100,000 characters in the object", review: review(object: ["apiVersion": "apps/v1", "kind": "Deployment",
                                                                                             "metadata": ["name": "web", "namespace": .string(String(repeating: "n", count: 100_000))]]),
             field: "request.namespace"),
        Case(name: "subresource status", review: review(subResource: "status"), field: nil),
        Case(name: "subresource ../status", review: review(subResource: "../status"), field: "request.subResource"),
        Case(name: "subresource of 10,000 a", review: review(subResource: .string(String(repeating: "a", count: 10_000))), field: "request.subResource"),
        Case(name: "subresource a number", review: review(subResource: 1), field: "request.subResource"),
        Case(name: "ephemeralcontainers of a Deployment", review: review(subResource: "ephemeralcontainers"), field: "request.subResource"),
        Case(name: "ephemeralcontainers of a Pod", review: review(kind: ("", "v1", "Pod"), subResource: "ephemeralcontainers",
                                                                 object: ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p", "namespace": "clinic"]]),
             field: nil),
    ]

    @Test("inconsistent reviews are refused naming the field", arguments: cases)
    func consistency(_ case_: Case) {
        do {
            _ = try AdmissionReview(json: case_.review)
            #expect(case_.field == nil, "\(case_.name) was accepted")
        } catch {
            guard let field = case_.field else { Issue.record("\(case_.name) was refused: \(error.message)"); return }
            #expect(error.message.contains(field + ":"), "\(case_.name): \(error.message)")
            #expect(error.message.utf8.count < 2_048, "the refusal echoes too much: \(error.message.utf8.count) bytes")
        }
    }
}
