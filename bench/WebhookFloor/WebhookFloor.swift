import Hummingbird
import HummingbirdTLS
import NIOCore
import NIOPosix
import NIOSSL

/// The benchmark's floor: the same stack as guard-webhook (Hummingbird HTTP/1.1 over swift-nio-ssl,
/// TLS 1.2 minimum) answering every `POST /validate` with one fixed AdmissionReview after reading the
/// body, with no parsing, policy, logging or metrics. `webhook-floor CERT KEY PORT [loops]`: with
/// `loops`, Swift's tasks run on SwiftNIO's event loops, as `guard-webhook` runs them by default.
@main
struct WebhookFloor {
    static let reply = ByteBuffer(string: #"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"00000000-0000-0000-0000-000000000000","allowed":true}}"#)

    static func main() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count == 4 || (arguments.count == 5 && arguments[4] == "loops"), let port = Int(arguments[3]) else {
            throw HTTPError(.badRequest, message: "usage: webhook-floor CERT KEY PORT [loops]")
        }
        if arguments.count == 5 { _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor() }
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(arguments[1]).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: arguments[2], format: .pem)))
        tls.minimumTLSVersion = .tlsv12
        tls.applicationProtocols = ["http/1.1"]
        let router = Router()
        router.post("/validate") { request, _ -> Response in
            _ = try await request.body.collect(upTo: 7 * 1024 * 1024)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: reply))
        }
        router.get("/healthz") { _, _ in "ok" }
        let app = Application(router: router, server: try .tls(.http1(), tlsConfiguration: tls),
                              configuration: .init(address: .hostname("127.0.0.1", port: port)))
        try await app.runService()
    }
}
