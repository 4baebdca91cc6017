import NIOConcurrencyHelpers
import NIOCore

/// Counts open connections per client address, so one source cannot take the whole connection
/// bound: a connection beyond `perSource` from the same address is closed at once, before its TLS
/// handshake costs anything, and the other sources keep being served.
final class SourceConnectionLimiter: Sendable {
    /// Open connections a single address may hold.
    let perSource: Int
    private let open = NIOLockedValueBox<[String: Int]>([:])

    init(perSource: Int) { self.perSource = perSource }

    /// Takes a slot for `source`; `false` when it already holds `perSource` connections.
    func acquire(_ source: String) -> Bool {
        open.withLockedValue { counts in
            let current = counts[source, default: 0]
            guard current < perSource else { return false }
            counts[source] = current + 1
            return true
        }
    }

    /// Gives back a slot taken by ``acquire(_:)``.
    func release(_ source: String) {
        open.withLockedValue { counts in
            let remaining = counts[source, default: 1] - 1
            counts[source] = remaining > 0 ? remaining : nil
        }
    }

    /// The pipeline's first handler: takes the slot when the connection becomes active, closes it when
    /// none is left, gives the slot back when the connection closes.
    func handler(onRefused: @escaping @Sendable () -> Void) -> ChannelHandler {
        Handler(limiter: self, onRefused: onRefused)
    }

    private final class Handler: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = NIOAny
        private let limiter: SourceConnectionLimiter
        private let onRefused: @Sendable () -> Void
        private var source: String?

        init(limiter: SourceConnectionLimiter, onRefused: @escaping @Sendable () -> Void) {
            self.limiter = limiter
            self.onRefused = onRefused
        }

        func handlerAdded(context: ChannelHandlerContext) {
            if context.channel.isActive { _ = admit(context) }
        }

        func channelActive(context: ChannelHandlerContext) {
            if admit(context) { context.fireChannelActive() }
        }

        /// Whether the connection may stay; a refused one is closed here.
        private func admit(_ context: ChannelHandlerContext) -> Bool {
            guard source == nil else { return true }
            // A Unix socket or an address-less channel shares one bucket.
            let address = context.channel.remoteAddress?.ipAddress ?? "unknown"
            guard limiter.acquire(address) else {
                onRefused()
                context.close(promise: nil)
                return false
            }
            source = address
            return true
        }

        func channelInactive(context: ChannelHandlerContext) {
            if let source { limiter.release(source) }
            source = nil
            context.fireChannelInactive()
        }

        func handlerRemoved(context: ChannelHandlerContext) {
            if let source { limiter.release(source) }
            source = nil
        }
    }
}
