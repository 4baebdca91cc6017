import AdmissionServer
import AsyncHTTPClient
import Foundation
import KubeModel
import NIOCore
import NIOPosix
import Testing
import TestSupport

/// Each hardening behaviour against the real server: size, media type, malformed reviews, slow and
/// silent clients, the connection bound.
@Suite struct HardeningTests {
    @Test func sizeMediaTypeAndMalformedReviewsAreRefusedWithClearStatuses() async throws {
        let harness = try await WebhookHarness.start { $0.maxBodyBytes = 64 * 1024 }
        do {
            let large = try await harness.post("/validate", Array(repeating: 0x20, count: 65 * 1024))
            #expect(large.status == 413)
            #expect(large.text.contains("larger than 65536 bytes"))
            let text = try await harness.post("/validate", Review.body(object: nil), contentType: "text/plain")
            #expect(text.status == 415)
            #expect(text.text.contains("application/json"))
            #expect(try await harness.post("/validate", Review.body(object: nil), contentType: nil).status == 415)
            #expect(try await harness.post("/mutate", Array("{\"kind\": ".utf8)).status == 400)
            let noUID = try await harness.post("/validate", Array(#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"kind":{"group":"","version":"v1","kind":"Pod"},"operation":"CREATE"}}"#.utf8))
            #expect(noUID.status == 400)
            #expect(noUID.text.contains("request.uid"))
            let noRequest = try await harness.post("/validate", Array(#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}"#.utf8))
            #expect(noRequest.status == 400)
            #expect(noRequest.text.contains("request"))
            // charset parameters and case are fine.
            let pod: JSONValue = ["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "w"]]
            #expect(try await harness.post("/validate", Review.body(object: pod), contentType: "Application/JSON; charset=utf-8").status == 200)
            #expect(try await harness.metric(#"odoo_guard_http_rejections_total{reason="body_too_large"}"#) == 1)
            #expect(try await harness.metric(#"odoo_guard_http_rejections_total{reason="unsupported_media_type"}"#) == 2)
        } catch { try await harness.shutdown(); throw error }
        try await harness.shutdown()
    }

    @Test func aTricklingClientIsCutAtTheReadTimeoutWhileOthersAreServed() async throws {
        let harness = try await WebhookHarness.start { $0.requestReadTimeout = .seconds(1) }
        let slowClient = try WebhookHarness.client(trusting: [harness.ca])
        do {
            let started = ContinuousClock.now
            let slow = Task {
                var request = HTTPClientRequest(url: harness.baseURL + "/validate")
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .stream(Trickle(), length: .known(Int64(1_000)))
                return try await harness.execute(request, client: slowClient)
            }
            // Meanwhile, other clients are served normally.
            for _ in 0..<5 {
                #expect(try await harness.get("/healthz").status == 200)
            }
            let result = await slow.result
            let elapsed = ContinuousClock.now - started
            if case .success(let reply) = result { Issue.record("the trickling request was answered \(reply.status)") }
            // The 1 s read timeout ends it; the bound only catches a connection held to the end of the trickle.
            #expect(elapsed < .seconds(15), "the slow request held its connection for \(elapsed)")
            #expect(try await harness.metric(#"odoo_guard_http_rejections_total{reason="read_timeout"}"#) == 1)
        } catch {
            // Every path shuts the client down: an AsyncHTTPClient dropped unshut traps the whole test process.
            try? await slowClient.shutdown()
            try await harness.shutdown()
            throw error
        }
        try await slowClient.shutdown()
        try await harness.shutdown()
    }

    @Test func aSilentConnectionIsClosedAtTheHandshakeTimeoutAndTheBoundHoldsConnectionsBack() async throws {
        let harness = try await WebhookHarness.start {
            $0.handshakeTimeout = .milliseconds(800)
            $0.maxConnections = 2
        }
        do {
            let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            let started = ContinuousClock.now
            // The bound pauses accepting; one accept round takes up to 4 connections (NIO's maxMessagesPerRead),
            // so 6 silent peers are sure to fill it: a real request waits until the timeout frees slots.
            var silent: [any Channel] = []
            for _ in 0..<6 { silent.append(try await bootstrap.connect(host: "127.0.0.1", port: harness.port).get()) }
            let reply = try await harness.get("/healthz")
            let waited = ContinuousClock.now - started
            #expect(reply.status == 200)
            #expect(waited >= .milliseconds(500), "the request was served in \(waited), before a slot was freed")
            for channel in silent {
                try await channel.closeFuture.get()
            }
            // The 800 ms handshake timeout closes them; the bound only catches a connection left open.
            #expect(ContinuousClock.now - started < .seconds(15))

            // A connection that finished its handshake is not cut by the handshake timeout: one TLS socket,
            // two requests 1.2 s apart (Python's ssl, so no client-side reconnect can hide a close).
            let port = harness.port
            let result = try await offPool {
                try PythonScript.run(Self.keepAliveScript, input: ["port": .int(Int64(port)), "pause": 1.2], needs: "ssl")
            }
            #expect(result == ["first": 200, "second": 200], "\(result)")
        } catch { try await harness.shutdown(); throw error }
        try await harness.shutdown()
    }
}

extension HardeningTests {
    @Test func anIdleKeepAliveConnectionIsClosedAtTheIdleTimeout() async throws {
        let harness = try await WebhookHarness.start { $0.idleTimeout = .milliseconds(400) }
        do {
            let port = harness.port
            let result = try await offPool {
                try PythonScript.run(Self.keepAliveScript, input: ["port": .int(Int64(port)), "pause": 1.5], needs: "ssl")
            }
            #expect(result == ["first": 200, "second": 0], "\(result)")
        } catch { try await harness.shutdown(); throw error }
        try await harness.shutdown()
    }

    static let keepAliveScript = """
    import json, socket, ssl, sys, time
    settings = json.load(open(sys.argv[1]))
    port = settings["port"]
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    sock = context.wrap_socket(socket.create_connection(("127.0.0.1", port)))
    def get():
        sock.sendall(b"GET /healthz HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")
        data = b""
        while b"\\r\\n\\r\\n" not in data or not data.endswith(b"ok\\n"):
            chunk = sock.recv(4096)
            if not chunk:
                return 0
            data += chunk
        return int(data.split(b" ")[1])
    first = get()
    time.sleep(settings["pause"])
    try:
        second = get()
    except OSError:
        second = 0
    print(json.dumps({"first": first, "second": second}))
    """
}

/// A request body that sends 10 bytes every 300 ms, far slower than any API server.
struct Trickle: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    struct AsyncIterator: AsyncIteratorProtocol {
        var sent = 0
        mutating func next() async throws -> ByteBuffer? {
            guard sent < 100 else { return nil }
            try await Task.sleep(for: .milliseconds(300))
            sent += 1
            return ByteBuffer(bytes: Array(repeating: 0x20, count: 10))
        }
    }
    func makeAsyncIterator() -> AsyncIterator { AsyncIterator() }
}
