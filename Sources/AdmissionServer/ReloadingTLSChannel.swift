import HummingbirdCore
import Logging
import NIOCore
import NIOSSL
import NIOTLS

/// HummingbirdTLS's child channel with two differences: each new connection takes the serving
/// context current at accept time (certificate rotation without restart), and a connection that has
/// not finished its TLS handshake within `handshakeTimeout` is closed.
struct ReloadingTLSChannel<BaseChannel: ServerChildChannel>: ServerChildChannel {
    typealias Value = BaseChannel.Value

    let baseChannel: BaseChannel
    let certificates: CertificateStore
    let handshakeTimeout: TimeAmount
    /// Handlers before TLS, on the raw connection (the per-source connection cap).
    var connectionHandlers: @Sendable () -> [any ChannelHandler] = { [] }
    /// Handlers between TLS and HTTP, on the decrypted bytes (the request deadline).
    var plaintextHandlers: @Sendable () -> [any ChannelHandler] = { [] }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            // Small reads: the HTTP layer buffers a count of body parts, not bytes, before it stops
            // reading, so the size of one read bounds what a connection holds unread (see ``readAhead``).
            try channel.syncOptions?.setOption(ChannelOptions.recvAllocator, value: Self.receiveAllocator)
            let sync = channel.pipeline.syncOperations
            try sync.addHandlers(connectionHandlers())
            try sync.addHandler(NIOSSLServerHandler(context: certificates.context))
            // After the TLS handler: the handshake-completed event travels towards the tail.
            try sync.addHandler(HandshakeDeadlineHandler(timeout: handshakeTimeout))
            try sync.addHandlers(plaintextHandlers())
        }.flatMap {
            baseChannel.setup(channel: channel, logger: logger)
        }
    }

    /// Reads of at most 16 KiB (one TLS record).
    static var receiveAllocator: AdaptiveRecvByteBufferAllocator {
        AdaptiveRecvByteBufferAllocator(minimum: 1_024, initial: 4_096, maximum: 16 * 1_024)
    }

    func handle(value: BaseChannel.Value, logger: Logger) async {
        await baseChannel.handle(value: value, logger: logger)
    }
}

extension ReloadingTLSChannel: HTTPChannelHandler where BaseChannel: HTTPChannelHandler {
    var responder: HTTPChannelHandler.Responder { baseChannel.responder }
}

/// Closes a connection whose TLS handshake has not completed in time, then steps out of the pipeline.
final class HandshakeDeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let timeout: TimeAmount
    private var deadline: Scheduled<Void>?

    init(timeout: TimeAmount) { self.timeout = timeout }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted? = event as? TLSUserEvent {
            deadline?.cancel()
            deadline = nil
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func arm(_ context: ChannelHandlerContext) {
        guard deadline == nil else { return }
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: timeout) {
            loopBound.value.close(promise: nil)
        }
    }
}
