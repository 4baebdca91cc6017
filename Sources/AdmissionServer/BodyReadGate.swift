import NIOCore
import NIOHTTPTypes

/// Behind the HTTP decoder: stops reading a request's body once `allowance` bytes of it have arrived,
/// until the route admits the body (it has reserved the body's memory from the ``MemoryBudget`` and
/// sends ``Admit``) or the response begins (a refused request's body is then read and discarded).
///
/// Without it, a connection whose review waits for memory still has its body read ahead: the HTTP layer
/// stops reading after a count of body parts, not of bytes, so 100 waiting 6.5 MB reviews held 370 MiB
/// unread (`bench/REPORT.md`, issue #33). With it, a waiting connection holds about the allowance.
final class BodyReadGate: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// Sent by the route (`channel.triggerUserOutboundEvent`) when the body may be read in full.
    struct Admit: Sendable {}

    /// Body bytes read before the route has admitted the body: a whole ordinary review (a few KB).
    static let defaultAllowance = 32 * 1_024

    private let allowance: Int
    private var delivered = 0
    private var admitted = true
    private var heldRead = false

    init(allowance: Int = BodyReadGate.defaultAllowance) { self.allowance = allowance }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            delivered = 0
            admitted = false
        case .body(let bytes):
            delivered += bytes.readableBytes
        case .end:
            admitted = true
        }
        context.fireChannelRead(data)
    }

    func read(context: ChannelHandlerContext) {
        guard admitted || delivered < allowance else {
            heldRead = true
            return
        }
        context.read()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .head = unwrapOutboundIn(data) { admit(context) }
        context.write(data, promise: promise)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard event is Admit else { return context.triggerUserOutboundEvent(event, promise: promise) }
        admit(context)
        promise?.succeed()
    }

    private func admit(_ context: ChannelHandlerContext) {
        admitted = true
        if heldRead {
            heldRead = false
            context.read()
        }
    }
}
