import Hummingbird
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle

/// Keeps serving for a while after SIGTERM with `/readyz` answering 503, so nothing is dropped while
/// the cluster takes the pod out of its Service: the endpoint change reaches kube-proxy and the API
/// server's webhook client some time after the pod is marked terminating, and requests sent on open
/// connections in that window must still be answered.
///
/// Last in the service list, so the service group shuts it down first and waits for it: the HTTPS
/// server stops accepting only after the delay.
struct ShutdownDrain: Service {
    /// Whether shutdown has begun; `/readyz` reads it.
    final class State: Sendable {
        private let draining = NIOLockedValueBox(false)
        /// `true` once SIGTERM (or another graceful shutdown) has arrived.
        var isDraining: Bool { draining.withLockedValue { $0 } }
        func begin() { draining.withLockedValue { $0 = true } }
    }

    let state: State
    let delay: Duration
    let logger: Logger

    func run() async throws {
        // Returns when graceful shutdown is triggered; throws only when the group is cancelled.
        do { try await gracefulShutdown() } catch { return }
        state.begin()
        logger.notice("guard-webhook shutting down: not ready, still serving", metadata: ["delay": .stringConvertible(delay)])
        try? await Task.sleep(for: delay)
    }
}

/// While draining, every response carries `Connection: close`: clients (the API server's pooled
/// connections) reconnect, and reach the pods that stay, before this one stops listening. Go's
/// `http.Server.Shutdown` does the same with keep-alives.
struct DrainMiddleware: RouterMiddleware {
    typealias Context = WebhookRequestContext
    let state: ShutdownDrain.State

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        if state.isDraining { response.headers[.connection] = "close" }
        return response
    }
}
