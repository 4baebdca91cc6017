import NIOCore
import NIOSSL
import NIOTLS

/// How the operator's admin connection to a shared Redis is protected. Redis serves TLS on its own
/// port (`tls-port`) and has no STARTTLS, so "when the server offers it" means: a TLS handshake is
/// tried first, within ``handshakeTimeout``, and a server that does not answer it is spoken to in
/// plain text only when the mode allows.
public struct RedisTLS: Sendable, Equatable {
    /// Whether TLS is used.
    public enum Mode: String, Sendable, CaseIterable {
        /// Plain text only.
        case disable
        /// TLS when the server completes a handshake, plain text otherwise.
        case prefer
        /// TLS, or no connection.
        case require
    }

    /// The mode.
    public var mode: Mode
    /// PEM certificates the server's certificate must chain to (`nil`: the system's trust store).
    public var trustRootsPEM: String?
    /// How long a handshake may take before the server counts as not offering TLS.
    public var handshakeTimeout: TimeAmount

    /// Settings.
    public init(mode: Mode, trustRootsPEM: String? = nil, handshakeTimeout: TimeAmount = .seconds(3)) {
        self.mode = mode
        self.trustRootsPEM = trustRootsPEM
        self.handshakeTimeout = handshakeTimeout
    }

    /// Plain text.
    public static let disabled = RedisTLS(mode: .disable)

    /// The client context: the server's certificate verified against ``trustRootsPEM`` (or the system's
    /// roots) and its name or IP address.
    /// - Throws: ``ProvisioningError`` `invalidInput` when the PEM cannot be read.
    func context() throws(ProvisioningError) -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        do {
            if let pem = trustRootsPEM {
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8)))
            }
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw ProvisioningError.invalidInput("the Redis CA bundle is not usable PEM: \(error)", cause: error)
        }
    }
}

/// Completes `promise` when the TLS handshake finishes, fails, the connection closes first, or
/// `timeout` passes — whichever comes first, once.
final class TLSHandshakeWatch: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let promise: EventLoopPromise<Void>
    private let timeout: TimeAmount
    private var done = false
    private var deadline: Scheduled<Void>?

    init(promise: EventLoopPromise<Void>, timeout: TimeAmount) {
        self.promise = promise
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            finish(.failure(RESPFailure.timeout))
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted? = event as? TLSUserEvent { finish(.success(())) }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(error))
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(RESPFailure.closed))
        context.fireChannelInactive()
    }

    private func finish(_ result: Result<Void, any Error>) {
        guard !done else { return }
        done = true
        deadline?.cancel()
        promise.completeWith(result)
    }
}
