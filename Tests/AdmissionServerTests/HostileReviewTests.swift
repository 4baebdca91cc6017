import AdmissionServer
import AsyncHTTPClient
import Foundation
import GuardRules
import KubeModel
import NIOCore
import NIOPosix
import Testing
import TestSupport

/// Issue #33 against the real server: framing refused at once, inconsistent reviews refused, shapes
/// that used to pass denied, answers bounded, memory reviewed in flight bounded with 429 past it, and
/// probes on their own port that the per-source limit cannot reach.
@Suite struct HostileReviewTests {
    static let framingScript = """
    import json, socket, ssl, sys, time
    settings = json.load(open(sys.argv[1]))
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    results = {}
    for name, head in settings["heads"].items():
        sock = context.wrap_socket(socket.create_connection(("127.0.0.1", settings["port"]), timeout=90))
        started = time.monotonic()
        sock.sendall(head.encode())
        data = b""
        while b"\\r\\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
        status = int(data.split(b" ")[1]) if data.startswith(b"HTTP/1.1 ") else 0
        results[name] = {"status": status, "seconds": time.monotonic() - started}
        sock.close()
    print(json.dumps(results))
    """

    @Test func framingBeyondTheLimitsIsRefusedAtOnce() async throws {
        // A request whose framing were accepted would wait for its body until the read timeout (60 s
        // here), so "at once" is anything well under it, however loaded the machine.
        let harness = try await WebhookHarness.start { $0.requestReadTimeout = .seconds(60) }
        do {
            let port = harness.port
            let start = "POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            let heads: JSONValue = [
                "overflowing length": .string(start + "Content-Length: 9223372036854775808\r\n\r\n{"),
                "gzip then chunked": .string(start + "Transfer-Encoding: gzip, chunked\r\n\r\n5\r\n{\"a\":\r\n"),
                "chunked": .string(start + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"),
            ]
            let results = try await offPool { try PythonScript.run(Self.framingScript, input: ["port": .int(Int64(port)), "heads": heads], needs: "ssl") }
            #expect(results["overflowing length"]?["status"] == 413, "\(results)")
            #expect(results["gzip then chunked"]?["status"] == 501, "\(results)")
            #expect(results["chunked"]?["status"] == 400, "a chunked body is read (and this one is no review): \(results)")
            for name in ["overflowing length", "gzip then chunked"] {
                #expect((results[name]?["seconds"]?.doubleValue ?? 99) < 20, "\(name) waited: \(results)")
            }
        } catch { try await harness.shutdown(); throw error }
        try await harness.shutdown()
    }

    @Test func reviewsThatMeanTwoThingsAreRefusedAndMissingPodsAreDenied() async throws {
        let harness = try await WebhookHarness.start()
        do {
            let web = try Review.manifest("examples/noncompliant/odoo-web-insecure.yaml", kind: "Deployment")
            func review(_ edit: (inout JSONObject) -> Void) -> [UInt8] {
                guard case .object(var outer)? = try? JSONParser.parse(Review.body(object: web)), case .object(var request)? = outer["request"] else { return [] }
                edit(&request)
                outer["request"] = .object(request)
                return JSONValue.object(outer).serializedBytes()
            }
            for (name, body, field) in [
                ("no namespace", review { $0["namespace"] = nil }, "request.namespace"),
                ("numeric namespace", review { $0["namespace"] = 42 }, "request.namespace"),
                ("a Secret sent as a Deployment", review {
                    $0["object"] = ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "s", "namespace": "clinic-prod"]]
                }, "request.object"),
                ("a made-up subresource", review { $0["subResource"] = "../status" }, "request.subResource"),
            ] {
                for endpoint in ["/validate", "/mutate"] {
                    let reply = try await harness.post(endpoint, body)
                    #expect(reply.status == 400 && reply.text.contains(field), "\(name) on \(endpoint): \(reply.status) \(reply.text)")
                }
            }
            // The :latest Deployment without readable pods: denied, where it used to be allowed.
            guard case .object(var object) = web, case .object(var spec)? = object["spec"], case .object(var template)? = spec["template"] else {
                Issue.record("unexpected example shape"); return
            }
            template["spec"] = .null
            spec["template"] = .object(template)
            object["spec"] = .object(spec)
            let denied = try await harness.post("/validate", Review.body(object: .object(object))).response
            #expect(denied["allowed"] == false)
            #expect(denied["status"]?["message"]?.stringValue?.contains("[object.well-formed] spec.template.spec") == true, "\(denied)")
        } catch { try await harness.shutdown(); throw error }
        try await harness.shutdown()
    }

    @Test func manyFindingsAboutALongNameAnswerWithinTheBudget() async throws {
        let harness = try await WebhookHarness.start()
        do {
            let containers: [JSONValue] = (0..<20).map { index in
                ["name": .string(String(repeating: "n", count: 20_000) + "\(index)"), "image": "registry.example.com/odoo/odoo:17.0",
                 "env": .array((0..<1_000).map { ["name": .string("DB_PASSWORD_\($0)"), "value": "hunter2"] })]
            }
            let object: JSONValue = ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "web", "namespace": "clinic-prod"],
                                     "spec": ["template": ["spec": ["containers": .array(containers)]]]]
            let body = Review.body(object: object)
            let reply = try await harness.post("/validate", body)
            #expect(reply.status == 200)
            #expect(reply.response["allowed"] == false)
            #expect(reply.body.count < 256 * 1_024, "\(reply.body.count) bytes answered \(body.count)")
            #expect(reply.response["status"]?["message"]?.stringValue?.contains("more (every rule that fired is listed at least once)") == true)
        } catch { try await harness.shutdown(); throw error }
        try await harness.shutdown()
    }

    @Test func pastTheMemoryBudgetAReviewWaitsThenGets429() async throws {
        let harness = try await WebhookHarness.start {
            $0.memoryLimitBytes = 64 * 1_048_576
            $0.memoryWait = .milliseconds(200)
        }
        do {
            let memory = harness.server.memory
            // Another review holds the whole budget.
            let held = memory.capacity
            #expect(memory.tryReserve(held))
            let body = Review.body(object: try Review.manifest("examples/compliant/odoo-web.yaml", kind: "Deployment"))
            let refused = try await harness.post("/validate", body)
            #expect(refused.status == 429, "\(refused.status) \(refused.text)")
            #expect(refused.headers.contains { $0.0.lowercased() == "retry-after" && $0.1 == "1" })
            #expect(try await harness.metric(#"odoo_guard_http_rejections_total{reason="memory_budget"}"#) == 1)
            #expect(try await harness.metric("odoo_guard_admission_memory_budget_bytes") == Double(memory.capacity))
            memory.release(held, bodyBytes: 0)
            #expect(try await harness.post("/validate", body).status == 200)
            #expect(memory.usage == (0, 0), "every review gave its memory back")
        } catch { try await harness.shutdown(); throw error }
        try await harness.shutdown()
    }

    @Test func probesOnTheHealthPortAnswerWhileASourceHoldsEveryConnection() async throws {
        let healthPort = try FreePort.next()
        let harness = try await WebhookHarness.start {
            $0.maxConnectionsPerSource = 2
            $0.healthPort = healthPort
        }
        // 127.0.0.1 takes its two connections with two clients that each finish a request and keep their
        // connection open, idle: an answer proves the server admitted it. (Raw connections held from the
        // client side were a race under load: the server takes connections in on several event loops,
        // so the first probe could be admitted before the second raw one, which was then refused.)
        let holders = try (0..<2).map { _ in try WebhookHarness.client(trusting: [harness.ca]) }
        do {
            for holder in holders {
                #expect(try await harness.execute(HTTPClientRequest(url: harness.baseURL + "/readyz"), client: holder).status == 200)
            }
            // A new client each time: a pooled connection would be reused.
            let third = try? await WebhookHarness.withClient(trusting: [harness.ca], connectTimeout: .seconds(1)) { client in
                try await harness.execute(HTTPClientRequest(url: harness.baseURL + "/readyz"), client: client)
            }
            #expect(third == nil, "the admission port answered a third connection from the same source")
            let ready = try await harness.execute(HTTPClientRequest(url: "http://127.0.0.1:\(healthPort)/readyz"), client: harness.client)
            #expect(ready.status == 200 && ready.text.hasPrefix("ready"), "\(ready.status) \(ready.text)")
            #expect(try await harness.execute(HTTPClientRequest(url: "http://127.0.0.1:\(healthPort)/healthz"), client: harness.client).status == 200)
            var review = HTTPClientRequest(url: "http://127.0.0.1:\(healthPort)/validate")
            review.method = .POST
            #expect(try await harness.execute(review, client: harness.client).status == 404, "the health port serves probes only")
        } catch {
            for holder in holders { try? await holder.shutdown() }
            try await harness.shutdown()
            throw error
        }
        for holder in holders { try? await holder.shutdown() }
        try await harness.shutdown()
    }
}
