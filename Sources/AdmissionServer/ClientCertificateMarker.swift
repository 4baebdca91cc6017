import HTTPTypes
import NIOCore
import NIOHTTPTypes
import NIOSSL

/// Behind the HTTP decoder: marks each request head with whether its connection presented a client
/// certificate that TLS verified against `--client-ca-file`, so the routes can require the API
/// server's certificate on the admission endpoints. A header of that name sent by the client is
/// always removed first: only this handler can set it. Installed only with `--client-ca-file`.
final class ClientCertificateMarker: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    /// The header the routes read. (The name is a valid token, so the initializer never fails; the
    /// fallback only satisfies the type and is a header no client can use to pass the check.)
    static let header = HTTPField.Name("X-Odoo-Guard-Client-Verified") ?? HTTPField.Name.via

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = unwrapInboundIn(data) else { return context.fireChannelRead(data) }
        head.headerFields[Self.header] = nil
        // With optionalVerification, a certificate is present only when it verified.
        let tls = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self)
        if tls?.peerCertificate != nil { head.headerFields[Self.header] = "true" }
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }
}
