import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Closes a connection whose request has not fully arrived within `timeout` of its **first byte**: a
/// client that trickles a request head (slowloris) or body cannot hold a connection slot, and neither
/// can one that connects and stays silent (a new connection's first request, TLS handshake included,
/// is timed from the accept). Idle keep-alive connections between requests are the idle timeout's business.
///
/// It sits on the decrypted bytes, before the HTTP decoder, so it sees a request's first byte, not its
/// parsed head; ``RequestCompletionSignal`` behind the decoder tells it when a request has been read.
/// One repeating check per connection (every `timeout / 4`) instead of a timer per request, so the
/// cost on the request path is a clock read; a slow request is cut between 1× and 1.25× `timeout`.
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Sent towards the head of the pipeline when a request's `.end` has been read.
    struct RequestRead: Sendable {}

    private let timeout: TimeAmount
    private let onTimeout: @Sendable () -> Void
    private var requestStarted: NIODeadline?
    private var check: RepeatedTask?

    init(timeout: TimeAmount, onTimeout: @escaping @Sendable () -> Void) {
        self.timeout = timeout
        self.onTimeout = onTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    private func start(_ context: ChannelHandlerContext) {
        guard check == nil else { return }
        // The first request is due from the accept: a connection that never speaks is cut too.
        requestStarted = .now()
        let loopBound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        let interval = TimeAmount.nanoseconds(max(timeout.nanoseconds / 4, 1_000_000))
        check = context.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            let (handler, context) = loopBound.value
            guard let started = handler.requestStarted, NIODeadline.now() - started > handler.timeout else { return }
            handler.requestStarted = nil
            handler.onTimeout()
            context.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if requestStarted == nil { requestStarted = .now() }
        context.fireChannelRead(data)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard event is RequestRead else { return context.triggerUserOutboundEvent(event, promise: promise) }
        requestStarted = nil
        promise?.succeed()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        check?.cancel()
        check = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        check?.cancel()
        check = nil
        context.fireChannelInactive()
    }
}

/// Behind the HTTP decoder: tells ``RequestDeadlineHandler`` that a request has been read completely.
final class RequestCompletionSignal: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .end = unwrapInboundIn(data) {
            context.triggerUserOutboundEvent(RequestDeadlineHandler.RequestRead(), promise: nil)
        }
        context.fireChannelRead(data)
    }
}
