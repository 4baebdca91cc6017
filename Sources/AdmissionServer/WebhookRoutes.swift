import Foundation
import Hummingbird
import KubeModel
import NIOCore

/// The HTTP surface: `/validate`, `/mutate`, `/healthz`, `/readyz`, `/metrics`. Only this layer
/// reads request bytes: it checks the Content-Type and the size before any decoding.
struct WebhookRoutes: Sendable {
    let handler: AdmissionHandler
    let certificates: CertificateStore
    let policies: PolicyStore
    let metrics: WebhookMetrics
    let auditStatistics: @Sendable () -> (queued: Int, dropped: Int, written: Int, failedFlushes: Int)?
    let maxBodyBytes: Int
    /// The memory reviews in flight share.
    var memory = MemoryBudget(limitBytes: nil)
    /// How long a review waits for memory before it is answered 429.
    var memoryWait: Duration = .seconds(2)
    /// The cluster watch, when decisions use the cluster's context.
    var cluster: ClusterWatch? = nil
    /// Whether shutdown has begun (readiness then fails while requests are still served).
    var drain = ShutdownDrain.State()
    /// Whether the admission endpoints need a verified client certificate (``ClientCertificateMarker``).
    var requireClientCertificate = false
    /// Reviews larger than this are judged on ``OffLoopExecutor``: a review of a few KB costs about
    /// 0.1 ms and is judged where it was read; one of 64 KiB already costs milliseconds, and the
    /// largest allowed up to a second, which would stall every connection sharing its event loop.
    var offLoopBodyBytes = 64 * 1024

    func router() -> Router<WebhookRequestContext> {
        let router = Router(context: WebhookRequestContext.self)
        router.add(middleware: DrainMiddleware(state: drain))
        for endpoint in AdmissionEndpoint.allCases {
            router.post(RouterPath(stringLiteral: "/\(endpoint.rawValue)")) { request, context in
                await review(request, endpoint: endpoint, connection: context.connection)
            }
        }
        addProbes(to: router)
        router.get("/metrics") { _, _ in
            if let stats = auditStatistics() {
                metrics.updateAudit(queued: stats.queued, dropped: stats.dropped, written: stats.written, failedFlushes: stats.failedFlushes)
            }
            metrics.certificateExpiry.set(to: certificates.loaded.notValidAfter.timeIntervalSince1970)
            metrics.memoryReserved.set(to: Double(memory.usage.bytes))
            metrics.memoryBudget.set(to: Double(min(memory.capacity, 1 << 53)))
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.render())))
        }
        return router
    }

    /// `/healthz` and `/readyz`, on the admission port and on the health port.
    func addProbes(to router: Router<WebhookRequestContext>) {
        router.get("/healthz") { _, _ in Self.text(.ok, "ok\n") }
        router.get("/readyz") { _, _ in readiness() }
    }

    /// The health port's router: the probes and nothing else.
    func healthRouter() -> Router<WebhookRequestContext> {
        let router = Router(context: WebhookRequestContext.self)
        addProbes(to: router)
        return router
    }

    /// 200 while the policy is loaded (always, once started), the cluster caches (when connected)
    /// have synced, the certificate in use is valid and shutdown has not begun.
    func readiness() -> Response {
        if drain.isDraining {
            return Self.text(.serviceUnavailable, "not ready: shutting down\n")
        }
        if let cluster, !cluster.isSynced {
            return Self.text(.serviceUnavailable, "not ready: the cluster caches of \(cluster.config.source) have not synced yet\n")
        }
        let expiry = certificates.loaded.notValidAfter
        guard Date() < expiry else {
            return Self.text(.serviceUnavailable, "not ready: the serving certificate expired at \(expiry)\n")
        }
        return Self.text(.ok, "ready: policy \(policies.state.policyVersion), certificate valid until \(expiry)\n")
    }

    func review(_ request: Request, endpoint: AdmissionEndpoint, connection: any Channel) async -> Response {
        if requireClientCertificate && request.headers[ClientCertificateMarker.header] != "true" {
            metrics.recordRejection("client_certificate")
            return Self.text(.forbidden, "admission reviews are answered only for a caller with a client certificate from the configured CA (the API server's)\n")
        }
        guard Self.isJSON(request.headers[.contentType]) else {
            metrics.recordRejection("unsupported_media_type")
            return Self.text(.unsupportedMediaType,
                             "Content-Type must be application/json, got \(request.headers[.contentType].map { "\"\($0)\"" } ?? "none")\n")
        }
        if let refusal = framingRefusal(request.headers) { return refusal }
        let declared = request.headers[.contentLength].flatMap(Int.init)
        if let declared, declared > maxBodyBytes { return tooLarge() }
        // The body is not read before its memory is reserved (a chunked body reserves the largest allowed).
        let cost = memory.cost(ofBody: declared ?? maxBodyBytes)
        guard await memory.reserve(cost, within: memoryWait) else {
            metrics.recordRejection("memory_budget")
            var response = Self.text(.tooManyRequests,
                                     "the webhook's memory for reviews in flight is in use (\(memory.capacity) bytes budget); retry shortly\n")
            response.headers[.retryAfter] = "1"
            return response
        }
        var bodyBytes = 0
        defer { memory.release(cost, bodyBytes: bodyBytes) }
        // The body's memory is reserved: let the connection read all of it (``BodyReadGate``; a body
        // within the gate's allowance is never held, so the usual review costs no event here).
        if (declared ?? Int.max) > BodyReadGate.defaultAllowance {
            connection.triggerUserOutboundEvent(BodyReadGate.Admit(), promise: nil)
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxBodyBytes)
            bodyBytes = buffer.readableBytes
        } catch let error as HTTPError where error.status == .contentTooLarge {
            return tooLarge()
        } catch is NIOTooManyBytesError {
            // A chunked body has no Content-Length to refuse early; collecting stops at the limit.
            return tooLarge()
        } catch {
            metrics.recordRejection("bad_request")
            return Self.text(.badRequest, "the request body could not be read completely\n")
        }
        metrics.inFlight.increment(by: 1)
        defer { metrics.inFlight.decrement(by: 1) }
        let callerPresent: @Sendable () async -> Bool = { await Self.isOpen(connection) }
        let body = Array(buffer.readableBytesView)
        let outcome: AdmissionHandler.Outcome
        if body.count > offLoopBodyBytes {
            outcome = await withTaskExecutorPreference(OffLoopExecutor.shared) {
                await handler.handle(body, endpoint: endpoint, callerPresent: callerPresent)
            }
        } else {
            outcome = await handler.handle(body, endpoint: endpoint, callerPresent: callerPresent)
        }
        switch outcome {
        case .review(_, let body):
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
        case .badRequest(let message):
            return Self.text(.badRequest, message + "\n")
        case .callerGone:
            // Nobody will read it; the connection is already closed.
            return Self.text(.requestTimeout, "the caller closed the connection before the decision\n")
        }
    }

    /// Whether the caller still holds its connection. HTTP/1 pipelining stops reading while a request
    /// is answered, so a peer's close is not seen as a read; the kernel's TCP state is (Linux: a FIN from
    /// the peer moves it out of ESTABLISHED). Elsewhere, the channel's own state.
    static func isOpen(_ connection: any Channel) async -> Bool {
        #if os(Linux)
        if let provider = connection as? SocketOptionProvider, let info = try? await provider.getTCPInfo().get() {
            return Int(info.tcpi_state) == TCP_ESTABLISHED
        }
        #endif
        return connection.isActive
    }

    /// A refusal for a body whose framing the webhook does not take: a `Content-Length` that is not a
    /// number (or too large for one: 413 at once, not after waiting for the body), or any
    /// `Transfer-Encoding` but exactly `chunked` (`gzip, chunked` would otherwise be read as plain chunked).
    func framingRefusal(_ headers: HTTPFields) -> Response? {
        let lengths = headers[values: .contentLength]
        if let length = lengths.first {
            guard lengths.count == 1, !length.isEmpty, length.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
                metrics.recordRejection("bad_request")
                return Self.text(.badRequest, "Content-Length must be one number of bytes\n")
            }
            if Int(length) == nil { return tooLarge() }
        }
        let encodings = headers[values: .transferEncoding]
        if !encodings.isEmpty {
            let codings = encodings.joined(separator: ",").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard codings == ["chunked"] else {
                metrics.recordRejection("transfer_encoding")
                return Self.text(.notImplemented, "Transfer-Encoding must be chunked or absent, got \"\(encodings.joined(separator: ", ").echoed())\"\n")
            }
        }
        return nil
    }

    private func tooLarge() -> Response {
        metrics.recordRejection("body_too_large")
        return Self.text(.contentTooLarge, "the request body is larger than \(maxBodyBytes) bytes\n")
    }

    /// `application/json`, any case, with or without parameters (compared byte by byte: this runs on
    /// every request).
    static func isJSON(_ value: String?) -> Bool {
        guard var value else { return false }
        return value.withUTF8 { bytes in
            let expected = Array("application/json".utf8)
            var start = 0
            while start < bytes.count, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
            guard bytes.count - start >= expected.count else { return false }
            for (offset, byte) in expected.enumerated() where bytes[start + offset] | 0x20 != byte | 0x20 {
                return false
            }
            var rest = start + expected.count
            while rest < bytes.count, bytes[rest] == 0x20 || bytes[rest] == 0x09 { rest += 1 }
            return rest == bytes.count || bytes[rest] == UInt8(ascii: ";")
        }
    }

    static func text(_ status: HTTPResponse.Status, _ message: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: message)))
    }
}
