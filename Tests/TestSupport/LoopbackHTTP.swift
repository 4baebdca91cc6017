import Hummingbird
import NIOCore

/// Serves `router` on 127.0.0.1 while `body` runs, then stops it; `body` gets the port.
///
/// The server binds port 0 and reports the port the kernel gave it, so no other test can take the
/// port between its choice and the bind. A server that cannot start fails the call at once with its
/// own error, instead of a wait for a port that nothing will listen on.
public func servingOnLoopback<T: Sendable>(_ router: Router<BasicRequestContext>, _ body: @Sendable (Int) async throws -> T) async throws -> T {
    let (ports, announce) = AsyncStream<Int>.makeStream()
    let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                          onServerRunning: { channel in
                              announce.yield(channel.localAddress?.port ?? 0)
                              announce.finish()
                          })
    return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask {
            // However the server ends, the wait below ends with it.
            defer { announce.finish() }
            try await app.run()
            return nil
        }
        var announced = ports.makeAsyncIterator()
        guard let port = await announced.next() else {
            // The server stopped before it listened: its error, if it threw one.
            while try await group.next() != nil {}
            throw Subprocess.Failed(description: "the loopback server stopped before it listened")
        }
        guard port > 0 else {
            group.cancelAll()
            throw Subprocess.Failed(description: "the loopback server listens on an address without a port")
        }
        let result = try await body(port)
        group.cancelAll()
        return result
    }
}
