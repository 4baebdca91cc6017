import AdmissionServer
import AsyncHTTPClient
import CertKit
import Foundation
import KubeModel
import NIOCore
import NIOSSL
import Testing
import TestSupport

/// Slow, silent and greedy clients against the real server on loopback: every request is timed from
/// its first byte, one address cannot take the connection bound, and shutdown answers what arrives.
@Suite struct SlowClientTests {
    /// Python's ssl on raw sockets, so nothing client-side retries or reconnects: a trickled head (one
    /// byte every `gap` seconds), a silent TLS connection, a silent TCP connection; each reports when
    /// the server closed it. Then `flood` silent connections from 127.0.0.1 and a request from
    /// 127.0.0.2 (another source on loopback), which must be answered at once.
    static let script = """
    import json, socket, ssl, sys, time, threading
    settings = json.load(open(sys.argv[1]))
    port = settings["port"]
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE

    def wait_closed(sock, started, limit=30):
        sock.settimeout(limit)
        try:
            while sock.recv(4096):
                pass
        except (OSError, ssl.SSLError):
            pass
        return round(time.monotonic() - started, 2)

    def trickle():
        started = time.monotonic()
        sock = context.wrap_socket(socket.create_connection(("127.0.0.1", port)))
        head = b"POST /validate HTTP/1.1\\r\\nHost: x\\r\\nContent-Type: application/json\\r\\nContent-Length: 2\\r\\n\\r\\n{}"
        try:
            for byte in head:
                sock.send(bytes([byte]))
                time.sleep(settings["gap"])
        except (OSError, ssl.SSLError):
            return round(time.monotonic() - started, 2)
        return wait_closed(sock, started)

    def silent_tls():
        started = time.monotonic()
        sock = context.wrap_socket(socket.create_connection(("127.0.0.1", port)))
        return wait_closed(sock, started)

    def silent_tcp():
        started = time.monotonic()
        return wait_closed(socket.create_connection(("127.0.0.1", port)), started)

    results = {}
    threads = [threading.Thread(target=lambda name=name, f=f: results.__setitem__(name, f()))
               for name, f in [("trickle", trickle), ("silentTLS", silent_tls), ("silentTCP", silent_tcp)]]
    for t in threads: t.start()
    for t in threads: t.join()

    flood = [socket.create_connection(("127.0.0.1", port)) for _ in range(settings["flood"])]
    time.sleep(0.3)
    refused = 0
    for sock in flood:
        sock.settimeout(0.05)
        try:
            if sock.recv(1) == b"":
                refused += 1
        except socket.timeout:
            pass
        except OSError:
            refused += 1
    started = time.monotonic()
    other = context.wrap_socket(socket.create_connection(("127.0.0.1", port), source_address=("127.0.0.2", 0)))
    other.sendall(b"GET /healthz HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")
    reply = other.recv(4096)
    results["otherSourceStatus"] = int(reply.split(b" ")[1]) if reply else 0
    results["otherSourceSeconds"] = round(time.monotonic() - started, 2)
    results["floodRefused"] = refused
    for sock in flood: sock.close()
    print(json.dumps(results))
    """

    @Test func slowAndSilentClientsAreCutFromTheirFirstByteAndOneSourceCannotTakeTheBound() async throws {
        let harness = try await WebhookHarness.start {
            $0.requestReadTimeout = .seconds(1)
            $0.handshakeTimeout = .seconds(1)
            $0.idleTimeout = .seconds(30)
            $0.maxConnectionsPerSource = 8
        }
        do {
            let port = harness.port
            let result = try await offPool {
                try PythonScript.run(Self.script, input: ["port": .int(Int64(port)), "gap": 0.2, "flood": 12], needs: "ssl")
            }
            // Timed from the first byte (or the accept): cut between 1 s and 1.25 s, plus up to 1 s for a
            // peer that does not answer TLS close_notify, where the head-parsed deadline held a trickle
            // for the 90 s idle timeout.
            for name in ["trickle", "silentTLS", "silentTCP"] {
                let seconds = result[name]?.doubleValue ?? 99
                #expect(seconds >= 0.9 && seconds < 4, "\(name) was held \(seconds) s")
            }
            // 8 slots for 127.0.0.1: of 12 silent connections at least 4 are closed at once.
            #expect((result["floodRefused"]?.intValue ?? 0) >= 4, "\(result)")
            #expect(result["otherSourceStatus"]?.intValue == 200, "\(result)")
            #expect((result["otherSourceSeconds"]?.doubleValue ?? 99) < 1, "\(result)")
            #expect(try await harness.metric(#"odoo_guard_http_rejections_total{reason="source_connection_limit"}"#) >= 4)
            // The trickle and the silent TLS connection; the silent TCP one may fall to the handshake timeout first.
            #expect(try await harness.metric(#"odoo_guard_http_rejections_total{reason="read_timeout"}"#) >= 2)
            print("slow clients: \(result.serialized())")
        } catch { try await harness.shutdown(); throw error }
        try await harness.shutdown()
    }

    @Test func anOversizedChunkedBodyIs413() async throws {
        let harness = try await WebhookHarness.start { $0.maxBodyBytes = 64 * 1024 }
        do {
            var request = HTTPClientRequest(url: harness.baseURL + "/validate")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            // No length: the client sends it chunked, so only collecting can find it too large.
            request.body = .stream(Chunks(count: 20, size: 8 * 1024), length: .unknown)
            let reply = try await harness.execute(request, client: harness.client)
            #expect(reply.status == 413, "\(reply.status): \(reply.text)")
            #expect(reply.text.contains("larger than 65536 bytes"))
        } catch { try await harness.shutdown(); throw error }
        try await harness.shutdown()
    }

    @Test func aUIDThatCannotBeEchoedIsRefusedNotAltered() async throws {
        let harness = try await WebhookHarness.start()
        do {
            let body = #"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"\ud800","kind":{"group":"","version":"v1","kind":"Pod"},"operation":"CREATE"}}"#
            let reply = try await harness.post("/validate", Array(body.utf8))
            #expect(reply.status == 400)
            #expect(reply.text.contains("request.uid"))
        } catch { try await harness.shutdown(); throw error }
        try await harness.shutdown()
    }

    @Test func afterShutdownBeginsReadinessFailsWhileRequestsAreStillAnswered() async throws {
        let harness = try await WebhookHarness.start { $0.shutdownDelay = .seconds(2) }
        do {
            #expect(try await harness.get("/readyz").status == 200)
            let stopping = Task { try await harness.stopServer() }
            var ready = 200
            for _ in 0..<50 where ready == 200 {
                try await Task.sleep(for: .milliseconds(20))
                ready = try await harness.get("/readyz").status
            }
            #expect(ready == 503)
            let body = Review.body(object: ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c", "namespace": "clinic"]])
            #expect(try await harness.post("/validate", body).status == 200)
            try await stopping.value
        } catch { try await harness.shutdown(); throw error }
        try await harness.shutdown()
    }
}

/// `count` chunks of `size` bytes.
struct Chunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let count: Int
    let size: Int
    struct AsyncIterator: AsyncIteratorProtocol {
        var left: Int
        let size: Int
        mutating func next() async throws -> ByteBuffer? {
            guard left > 0 else { return nil }
            left -= 1
            return ByteBuffer(bytes: Array(repeating: 0x20, count: size))
        }
    }
    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(left: count, size: size) }
}

/// `--client-ca-file`: the admission endpoints answer only the API server's client certificate; probes
/// and scrapes, which have none, still connect.
@Suite struct ClientCertificateTests {
    @Test func admissionNeedsTheClientCertificateProbesDoNot() async throws {
        let clientCA = try CertificateAuthority.generate(commonName: "API server client CA")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("odoo-guard-client-ca-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let caFile = directory.appendingPathComponent("client-ca.crt")
        try Data(clientCA.keyPair.certificatePEM.utf8).write(to: caFile)
        let harness = try await WebhookHarness.start { $0.clientCAFile = caFile.path }
        let apiServer = try clientCA.issueClientCertificate(commonName: "kube-apiserver")
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates([try NIOSSLCertificate(bytes: Array(harness.ca.keyPair.certificatePEM.utf8), format: .pem)])
        tls.certificateChain = [.certificate(try NIOSSLCertificate(bytes: Array(apiServer.certificatePEM.utf8), format: .pem))]
        tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(apiServer.privateKeyPEM.utf8), format: .pem))
        let authenticated = HTTPClient(eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(tlsConfiguration: tls))
        do {
            let body = Review.body(object: ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c", "namespace": "clinic"]])
            let anonymous = try await harness.post("/validate", body)
            #expect(anonymous.status == 403 && anonymous.text.contains("client certificate"), "\(anonymous.status) \(anonymous.text)")
            // The marker header cannot be sent by the caller.
            var spoofed = HTTPClientRequest(url: harness.baseURL + "/mutate")
            spoofed.method = .POST
            spoofed.headers.add(name: "Content-Type", value: "application/json")
            spoofed.headers.add(name: "X-Odoo-Guard-Client-Verified", value: "true")
            spoofed.body = .bytes(ByteBuffer(bytes: body))
            #expect(try await harness.execute(spoofed, client: harness.client).status == 403)
            #expect(try await harness.get("/readyz").status == 200)
            #expect(try await harness.post("/validate", body, using: authenticated).status == 200)
            #expect(try await harness.metric(#"odoo_guard_http_rejections_total{reason="client_certificate"}"#) == 2)
        } catch {
            try? await authenticated.shutdown()
            try await harness.shutdown()
            throw error
        }
        try await authenticated.shutdown()
        try await harness.shutdown()
    }
}

/// A caller that leaves while registry look-ups run: the look-ups are cancelled, not left running for
/// the provenance budget.
@Suite struct CallerGoneTests {
    /// A TCP port that accepts connections (the kernel's backlog) and never answers: a stalled registry.
    final class BlackHole {
        let descriptor: Int32
        let port: Int
        init() throws {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            self.descriptor = descriptor
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
            guard bound == 0, listen(descriptor, 64) == 0 else { throw Subprocess.Failed(description: "cannot listen on 127.0.0.1") }
            _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
            port = Int(UInt16(bigEndian: address.sin_port))
        }
        deinit { close(descriptor) }
    }

    @Test func lookUpsStopWhenTheCallerLeaves() async throws {
        let registry = try BlackHole()
        let host = "127.0.0.1:\(registry.port)"
        let policy = """
        apiVersion: odooguard.io/v1alpha1
        kind: GuardPolicy
        metadata: {name: stalled}
        spec:
          stages:
            production: {allowedRegistries: ["\(host)/*"], resolveDigests: true}
          provenance: {timeoutSeconds: 8, insecureRegistries: ["\(host)"]}
        """
        let harness = try await WebhookHarness.start(policy: policy)
        let impatient = try WebhookHarness.client(trusting: [harness.ca])
        do {
            let object = ProvenanceWebhookTests.deployment("\(host)/odoo/odoo:17.0")
            var request = HTTPClientRequest(url: harness.baseURL + "/mutate")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: Review.body(object: object)))
            _ = try? await impatient.execute(request, timeout: .milliseconds(500))
            // The client's connection is closed once its shutdown returns (TLS waits for a close_notify
            // the busy server does not send); the server notices within its 100 ms poll of the TCP
            // state, well inside the 8 s provenance budget.
            try await impatient.shutdown()
            let started = ContinuousClock.now
            var gone = 0.0
            for _ in 0..<60 where gone == 0 {
                try await Task.sleep(for: .milliseconds(50))
                gone = try await harness.metric(#"odoo_guard_http_rejections_total{reason="caller_gone"}"#)
            }
            #expect(gone == 1)
            // Noticed well inside the 8 s provenance budget (the poll is every 100 ms; the bound is for a loaded machine).
            #expect(ContinuousClock.now - started < .seconds(6), "noticed after \(ContinuousClock.now - started)")
        } catch {
            try? await impatient.shutdown()
            try await harness.shutdown()
            throw error
        }
        try await harness.shutdown()
    }
}
