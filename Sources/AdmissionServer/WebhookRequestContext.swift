import Hummingbird
import NIOCore

/// The webhook routes' request context: Hummingbird's core context and the caller's connection, so a
/// review can stop its registry look-ups once the caller has gone.
struct WebhookRequestContext: RequestContext {
    /// Hummingbird's per-request storage.
    var coreContext: CoreRequestContextStorage
    /// The connection the request came on.
    let connection: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        connection = source.channel
    }
}
