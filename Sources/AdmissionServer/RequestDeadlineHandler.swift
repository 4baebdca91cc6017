import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Closes a connection when a request's head and body have not fully arrived within `timeout` of its
/// first bytes: a client that trickles a request (slowloris) cannot hold a connection slot or a task.
/// Idle keep-alive connections are the idle timeout's business, not this handler's.
///
/// One repeating check per connection (every `timeout / 4`) instead of a timer per request, so the
/// cost on the request path is a clock read; a slow request is cut between 1× and 1.25× `timeout`.
final class RequestDeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let timeout: TimeAmount
    private let onTimeout: @Sendable () -> Void
    private var requestStarted: NIODeadline?
    private var check: RepeatedTask?

    init(timeout: TimeAmount, onTimeout: @escaping @Sendable () -> Void) {
        self.timeout = timeout
        self.onTimeout = onTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
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
        switch unwrapInboundIn(data) {
        case .head: requestStarted = .now()
        case .end: requestStarted = nil
        case .body: break
        }
        context.fireChannelRead(data)
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
